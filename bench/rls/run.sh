#!/usr/bin/env bash
# Reads under row-level security at 1,000,000 incidents, beside the owner
# (issue 18). Builds the database bench_rls (the demo, ~1,000,000 incidents
# clustered around its hotspots dated 2021–2026, 10,000 more hotspots with
# 100,000 events), then runs hotspot/store's TestRLSScale against it.
# Results: bench/rls/RESULTS.md. Drop the database after: dropdb bench_rls.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
cd "$(dirname "$0")/../.."
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-bench_rls}
WORK=${WORK:-/tmp/bench_rls}
mkdir -p "$WORK/demo" "$WORK/big"
go build -o "$WORK/diaban" ./cmd/diaban
if [ "${REBUILD:-0}" = 1 ] || ! psql "$PG/postgres" -Atc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
	psql "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
	export DATABASE_URL="$PG/$DB"
	"$WORK/diaban" seed demo --out "$WORK/demo" >/dev/null
	go run ./bench/rls/gen -hotspots "$WORK/demo/hotspots.csv" -incidents 1000000 -events 100000 -out "$WORK/big"
	time "$WORK/diaban" import --skip-invalid incidents "$WORK/big/incidents.csv" | tail -1
	"$WORK/diaban" import --skip-invalid hotspots "$WORK/big/hotspots.csv" | tail -1
	"$WORK/diaban" import --skip-invalid events "$WORK/big/events.csv" | tail -1
	psql "$DATABASE_URL" -c "VACUUM ANALYZE"
fi
psql "$PG/$DB" -Atc "SELECT 'incidents', count(*) FROM incidents UNION ALL SELECT 'hotspot_events', count(*) FROM hotspot_events"
DIABAN_BENCH_RLS_URL="$PG/$DB" go test -count=1 -run RLSScale -v ./hotspot/store
