#!/usr/bin/env bash
# diaban demo: PostGIS ensured, database migrated, the demo district loaded,
# the map served on :8080 (DIABAN_ADDR to change). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && [ -z "${DIABAN_NO_DOCKER:-}" ]; then
  log "Docker engine found: docker compose up (PostGIS + diaban)"
  exec docker compose up --build
fi

need_go
ensure_postgis
ensure_database diaban
export DATABASE_URL="${DATABASE_URL:-$(db_url diaban)}"

log "building bin/diaban"
go build -o bin/diaban ./cmd/diaban
log "migrating"
bin/diaban migrate
log "loading the demo district (Hội An, 13 communes and wards)"
bin/diaban seed demo
log "serving the map (Ctrl-C stops it)"
exec bin/diaban serve
