#!/usr/bin/env bash
# diaban demo: build tools and PostGIS ensured, database migrated, the demo
# district loaded, the map served on :8080. Run from the repository root.
# Environment: DIABAN_ADDR (listen address, default :8080), DIABAN_DB (database
# name, default diaban), DIABAN_NO_DOCKER=1 (never use Docker Compose),
# DIABAN_ADMIN_URL (a superuser connection; found by itself otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # as go.mod asks; fetched from the Go module proxy
. scripts/lib.sh

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && [ -z "${DIABAN_NO_DOCKER:-}" ]; then
  log "Docker engine found: docker compose up (PostGIS + diaban)"
  log "the demo users' passwords, once loaded: docker compose exec diaban cat /var/lib/diaban/passwords"
  if [ -n "${DIABAN_ADDR:-}" ] && [ -z "${DIABAN_PORT:-}" ]; then
    export DIABAN_PORT="${DIABAN_ADDR##*:}"
  fi
  exec docker compose up --build
fi

need_go
ensure_postgis
db="${DIABAN_DB:-diaban}"
ensure_database "$db"
export DATABASE_URL="${DATABASE_URL:-$(db_url "$db")}"

log "building bin/diaban"
go build -o bin/diaban ./cmd/diaban
log "migrating"
bin/diaban migrate
log "loading the demo (Hội An across the 2025 reform: 13 old communes and wards, 4 new units)"
bin/diaban seed demo
log "serving the map (Ctrl-C stops it)"
exec bin/diaban serve
