#!/usr/bin/env bash
# The live feed's load run: a throwaway database with the demo district,
# `diaban serve`, and the load generator (bench/live, a process of its own).
#
#   bench/live/run.sh [CLIENTS] [RATE] [DURATION]      default 10000 20 2m
#
# DIABAN_BENCH_FIXTURE: demo (default: the demo's units today, 4 wards of
# which 3 have hotspots, under one province: each change reaches a third of
# the commune sockets) or province (bench/province/gen's synthetic province:
# 150 communes of a 15x10 grid, one hotspot or more each, without incidents;
# the commune sockets spread over 150 communes, as a province's ward
# officers are, and the "district" sockets are the province's).
# DIABAN_BENCH_SERVE_ARGS: more flags for serve (e.g. --ws-write-gap 50ms);
# DIABAN_BENCH_GEN_ARGS: more for the generator (-admins, -topics JSON).
# DIABAN_BENCH_DB: an existing database to run on instead (such as
# bench_rls, 1,000,000 incidents: bench/rls/run.sh); it is neither seeded
# nor dropped.
# DIABAN_BENCH_ADMIN_URL: a maintenance URL on the PostgreSQL server to use
# (default postgres://postgres@127.0.0.1:5432/postgres); the run creates and
# drops its own database there. DIABAN_BIN: a built diaban (default: built).
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
cd "$(dirname "$0")/../.."
CLIENTS=${1:-10000}
RATE=${2:-20}
DURATION=${3:-2m}
ADMIN=${DIABAN_BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PORT=${DIABAN_BENCH_PORT:-8099}
# 10,000 sockets: each side (server, generator) needs a descriptor per socket.
want=$((CLIENTS + 1000))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ulimit -n 65536 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
  echo "fd limit $(ulimit -n) < $want: raise the hard limit (ulimit -Hn) first" >&2; exit 1
fi
DBNAME=${DIABAN_BENCH_DB:-diaban_bench_live_$$}
base=${ADMIN%%\?*}
DB="${base%/*}/$DBNAME${ADMIN#"$base"}"
work=$(mktemp -d)
BIN=${DIABAN_BIN:-$work/diaban}
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/diaban
go build -o "$work/live" ./bench/live
[ -z "${DIABAN_BENCH_DB:-}" ] && psql "$ADMIN" -qc "CREATE DATABASE $DBNAME"
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  [ -z "${DIABAN_BENCH_DB:-}" ] && { psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" || true; }
  rm -rf "$work"
}
trap cleanup EXIT
if [ -z "${DIABAN_BENCH_DB:-}" ]; then
  "$BIN" migrate --db "$DB" >/dev/null
  case "${DIABAN_BENCH_FIXTURE:-demo}" in
  demo) "$BIN" seed demo --db "$DB" >/dev/null ;;
  province)
    go run ./bench/province/gen -out "$work" -side 20 -hotspots 1500 -incidents 0 >/dev/null
    "$BIN" import areas "$work/areas.geojson" --db "$DB" >/dev/null
    "$BIN" import hotspots "$work/hotspots.csv" --db "$DB" >/dev/null ;;
  *) echo "DIABAN_BENCH_FIXTURE: demo or province, not ${DIABAN_BENCH_FIXTURE}" >&2; exit 2 ;;
  esac
fi
DISTRICT=$(psql "$DB" -Atc "SELECT code FROM current_areas WHERE level IN ('district', 'province') ORDER BY level = 'district' DESC, code LIMIT 1")
PASS=bench-password-1
# (On a database of its own, DIABAN_BENCH_DB, users made by an earlier run are kept.)
adduser() { printf '%s\n' "$PASS" | "$BIN" user add "$@" --db "$DB" >/dev/null 2>&1 || [ -n "${DIABAN_BENCH_DB:-}" ]; }
adduser bench-admin --role admin
adduser bench-district --role officer --area "$DISTRICT"
for c in $(psql "$DB" -Atc "SELECT code FROM current_areas WHERE level = 'commune'"); do
  adduser "bench-$c" --role officer --area "$c"
done
# --report-at off: no monthly PDF reports rendered at start, in the middle of the measurement.
"$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" --ws-max 20000 --ws-max-per-user 20000 --report-at off --log-format json ${DIABAN_BENCH_SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GB; the generator shares the cores with the server and PostgreSQL"
echo "command: DIABAN_BENCH_FIXTURE=${DIABAN_BENCH_FIXTURE:-demo} bench/live/run.sh $CLIENTS $RATE $DURATION"
rc=0
"$work/live" -url "http://127.0.0.1:$PORT" -db "$DB" -clients "$CLIENTS" -rate "$RATE" -duration "$DURATION" -pid "$SERVER" -password "$PASS" -district "$DISTRICT" ${DIABAN_BENCH_GEN_ARGS:-} || rc=$?
if ! kill -0 "$SERVER" 2>/dev/null; then
  echo "the server exited; the end of its log:"; tail -40 "$work/serve.log"
fi
echo "server warnings and errors, by message:"
grep -E '"level":"(ERROR|WARN)"' "$work/serve.log" | grep -o '"msg":"[^"]*"' | sort | uniq -c | sort -rn | head -10 || true
curl -fs "http://127.0.0.1:$PORT/metrics" | grep -E '^diaban_ws_(resyncs|messages_dropped|messages_sent)|^diaban_feed_(changes_total|enrichment|reconnects|commit_to_fanout|area_index)|^diaban_live_recompute' || true
exit $rc
