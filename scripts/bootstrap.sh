#!/usr/bin/env bash
# Prepare a machine for Petition Atlas: Debian packages, the .venv, a PostGIS database and
# its migrations. Safe to run again: every step checks before it acts.
# Sourced by start.sh and test.sh; leaves ATLAS_* and DATABASE_URL exported.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p var/log

APT_PACKAGES=(postgresql-15 postgresql-15-postgis-3 chromium chromium-driver fonts-noto-cjk
              poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
PG_BIN=/usr/lib/postgresql/15/bin

log() { printf '[atlas] %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "ask an administrator to run: apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  local stamp=.venv/.requirements.sha256 want
  want="$(sha256sum requirements.txt | cut -d' ' -f1)"
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "installing Python requirements into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -r requirements.txt
  echo "$want" > "$stamp"
}

# The server to use: DATABASE_URL if given; else the local server on 127.0.0.1:5432 if it
# answers and lets postgres in without a password (trust, as a fresh Debian install does not:
# it asks for one on TCP); else a private cluster under var/pgdata on port 5433.
# ATLAS_SERVER_URL is the owner's URL (migrations, imports); the web app connects as atlas_app.
choose_server() {
  if [ -n "${DATABASE_URL:-}" ]; then
    ATLAS_SERVER_URL="${ADMIN_DATABASE_URL:-$DATABASE_URL}"
    return 0
  fi
  if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5432 2>/dev/null \
     && PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -w -qAt -h 127.0.0.1 -p 5432 -U postgres \
        -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
    ATLAS_SERVER_URL="postgresql+psycopg2://postgres@127.0.0.1:5432/petition_atlas"
    return 0
  fi
  start_private_cluster
  ATLAS_SERVER_URL="postgresql+psycopg2://postgres@127.0.0.1:5433/petition_atlas"
}

start_private_cluster() {
  local data="$ROOT/var/pgdata" run=(); 
  [ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating a private PostgreSQL cluster in var/pgdata (port 5433)"
    mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
    "${run[@]}" "$PG_BIN/initdb" -q -D "$data" -U postgres --auth=trust >/dev/null
  fi
  if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5433; then
    "${run[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p 5433 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}

# Create the database with PostGIS (idempotent) and apply the migrations as the owner.
ensure_database() {
  local url="$1"
  .venv/bin/python - "$url" <<'PY'
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as c:
    if not c.execute(text("SELECT 1 FROM pg_database WHERE datname=:d"), {"d": url.database}).scalar():
        c.execute(text(f'CREATE DATABASE "{url.database}"'))
with create_engine(url).begin() as c:
    c.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
PY
  ADMIN_DATABASE_URL="$url" DATABASE_URL="$url" .venv/bin/flask --app app db-upgrade >/dev/null
}

install_debian_packages
ensure_venv
choose_server
export ATLAS_SERVER_URL
# The web application's URL: the same server and database as the unprivileged role that
# row-level security applies to (created by the migrations).
ATLAS_APP_URL="${DATABASE_URL:-${ATLAS_SERVER_URL/postgres@/atlas_app@}}"
export ATLAS_APP_URL
