#!/usr/bin/env bash
# Set everything up and start the dashboard with demo data on http://127.0.0.1:8050.
# A second run skips what is already done and just starts the server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

export ADMIN_DATABASE_URL="$ATLAS_SERVER_URL"
export DATABASE_URL="$ATLAS_APP_URL"
ensure_database "$ADMIN_DATABASE_URL"
# A stable session key for this installation (sessions survive restarts and are shared by the
# gunicorn workers); set SECRET_KEY and DATA_KEY yourself in production.
# DATA_KEY must never change once names are stored: they are encrypted under it.
for key in SECRET_KEY DATA_KEY; do
  file="var/$(echo "$key" | tr 'A-Z' 'a-z')"
  if [ -z "${!key:-}" ]; then
    [ -f "$file" ] || (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_hex(32))' > "$file")
    export "$key=$(cat "$file")"
  fi
done

flask() { .venv/bin/flask --app app "$@"; }
if [ "$(.venv/bin/python -m scripts.status geography)" = "0" ]; then
  log "loading the reference geography"; flask init-geo
fi
if [ "$(.venv/bin/python -m scripts.status matters)" = "0" ]; then
  log "generating and importing demo data"; flask demo-data
fi

if [ ! -s var/demo-accounts.txt ]; then
  log "creating demo accounts (passwords in var/demo-accounts.txt)"
  (umask 077; : > var/demo-accounts.txt)
  while read -r name role units; do
    pw="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')"
    args=(); for u in $units; do args+=(--unit "$u"); done
    if printf '%s\n' "$pw" | flask create-user "$name" --role "$role" "${args[@]}" \
         --password-stdin >/dev/null 2>&1; then
      printf '%-10s %-8s %-22s %s\n' "$name" "$role" "${units:-—}" "$pw" >> var/demo-accounts.txt
    fi
  done <<'USERS'
admin admin
leader leader 430600
county leader 430602
officer officer 430602100
auditor auditor
USERS
  flask wall-token --name demo-wall >> var/demo-accounts.txt 2>/dev/null || true
fi
cat var/demo-accounts.txt >&2

log "starting the dashboard on http://127.0.0.1:8050"
exec .venv/bin/gunicorn app:server --bind 127.0.0.1:8050 --workers 2 --threads 4 \
  --timeout 120 --access-logfile var/log/access.log --error-logfile var/log/error.log
