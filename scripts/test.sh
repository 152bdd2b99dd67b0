#!/usr/bin/env bash
# Run the whole test suite against a real PostGIS (a throw-away database on the chosen server)
# and headless Chromium. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-${ATLAS_SERVER_URL%/*}/petition_atlas_test}"
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -p no:cacheprovider --basetemp=var/pytest "$@"
