#!/usr/bin/env bash
# Set everything up and start the dashboard with demo data on http://127.0.0.1:8050.
# A second run skips what is already done and just starts the server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

export ADMIN_DATABASE_URL="$ATLAS_SERVER_URL"
export DATABASE_URL="${DATABASE_URL:-$ATLAS_SERVER_URL}"
ensure_database "$ADMIN_DATABASE_URL"

flask() { .venv/bin/flask --app app "$@"; }
if [ "$(.venv/bin/python -m scripts.status geography)" = "0" ]; then
  log "loading the reference geography"; flask init-geo
fi
if [ "$(.venv/bin/python -m scripts.status matters)" = "0" ]; then
  log "generating and importing demo data"; flask demo-data
fi

log "starting the dashboard on http://127.0.0.1:8050"
exec .venv/bin/gunicorn app:server --bind 127.0.0.1:8050 --workers 2 --threads 4 \
  --timeout 120 --access-logfile var/log/access.log --error-logfile var/log/error.log
