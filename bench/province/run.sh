#!/usr/bin/env bash
# Browser benchmark of the map on a synthetic province (issue 15): 150
# communes of ~2,000 vertices, 5,000 hotspots, 1,000,000 incidents. Builds
# the database bench_province once (REBUILD=1 to build it again), serves it
# as a deployment would (row-level security), and measures in headless
# Chromium, for an admin and for the province's committee, the first useful
# paint, and each pan and zoom after it, with the bytes transferred.
# Results: BENCHMARKS.md (issue 15). Run it under the bench lock:
#   flock /work/wt/bench.lock bench/province/run.sh
# Drop the database after: dropdb bench_province.
# MEASURE_ARGS passes flags to measure: -v lists each load's requests and
# the page's long tasks; -profile FILE profiles one more load's JavaScript
# and prints where the page's thread spent its time; -page /?tiles=1;
# -cache keeps the browser's cache (a returning visitor).
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
cd "$(dirname "$0")/../.."
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-bench_province}
WORK=${WORK:-/tmp/bench_province}
PORT=${PORT:-18090}
PASS=bench-province-pass
mkdir -p "$WORK"
go build -o "$WORK/diaban" ./cmd/diaban
go build -o "$WORK/measure" ./bench/province/measure
export DATABASE_URL="$PG/$DB"
if [ "${REBUILD:-0}" = 1 ] || ! psql "$PG/postgres" -Atc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
	psql "$PG/postgres" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
	go run ./bench/province/gen -out "$WORK"
	"$WORK/diaban" migrate >/dev/null
	"$WORK/diaban" import areas "$WORK/areas.geojson" | tail -1
	"$WORK/diaban" import hotspots "$WORK/hotspots.csv" | tail -1
	"$WORK/diaban" import events "$WORK/events.csv" | tail -1
	time "$WORK/diaban" import incidents "$WORK/incidents.csv" | tail -1
	psql "$DATABASE_URL" -c "VACUUM ANALYZE" >/dev/null
	echo "$PASS" | "$WORK/diaban" user add bench-admin --role admin
	echo "$PASS" | "$WORK/diaban" user add bench-committee --role viewer --area 90
	echo "$PASS" | "$WORK/diaban" user add bench-officer --role officer --area 90
fi
psql "$DATABASE_URL" -Atc "SELECT 'areas', count(*) FROM current_areas UNION ALL SELECT 'hotspots', count(*) FROM hotspots UNION ALL SELECT 'incidents', count(*) FROM incidents"
"$WORK/diaban" serve --addr "127.0.0.1:$PORT" --log-format json --report-at off >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- webmap bench || echo ' (with changes)'), $(date -u '+%d/%m/%Y %H:%M UTC'), $(nproc) CPUs, $(chromium --version 2>/dev/null | head -1)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for user in bench-admin bench-committee bench-officer; do
	BENCH_PASSWORD=$PASS "$WORK/measure" -url "http://127.0.0.1:$PORT" -user "$user" -runs "${RUNS:-3}" ${MEASURE_ARGS:-}
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
