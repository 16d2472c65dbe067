#!/usr/bin/env bash
# The API reads of issue 18 over HTTP at 1,000,000 incidents: diaban under
# the row-level security policies (diaban_app, as in production) and as the
# tables' owner (serve --db-role= --db-login=), the same user on both,
# one request at a time, in one run (bench/rls/RESULTS.md).
#
#   bench/rls/api.sh                    # database bench_rls (bench/rls/run.sh)
#   DB=bench_rls_x REPS=50 bench/rls/api.sh
#
# PARENT: the unit above the communes (today's map: province 48, every row
# of the data); COMMUNE: a commune of it; AREA: the user's area (officer).
# DIABAN_BIN: a built diaban (default: built from this checkout).
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
cd "$(dirname "$0")/../.."
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-bench_rls}
URL="$PG/$DB?sslmode=disable"
PARENT=${PARENT:-48} COMMUNE=${COMMUNE:-20413} AREA=${AREA:-$PARENT}
PERIOD=${PERIOD:-2025} REPS=${REPS:-30}
WORK=${WORK:-/tmp/bench_rls_api}
P_APP=${P_APP:-8221} P_OWNER=${P_OWNER:-8222}
mkdir -p "$WORK"
BIN=${DIABAN_BIN:-}
if [ -z "$BIN" ]; then go build -o "$WORK/diaban" ./cmd/diaban; BIN=$WORK/diaban; fi
go build -o "$WORK/tiles" ./bench/tiles
PASS=bench-api-password-1
printf '%s\n' "$PASS" | "$BIN" user add bench-api --role officer --area "$AREA" --db "$URL" >/dev/null 2>&1 ||
	printf '%s\n' "$PASS" | "$BIN" user passwd bench-api --db "$URL" >/dev/null 2>&1 || true
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
"$BIN" serve --db "$URL" --addr "127.0.0.1:$P_APP" --log-format json >"$WORK/app.log" 2>&1 &
pids+=($!)
"$BIN" serve --db "$URL" --db-role= --db-login= --addr "127.0.0.1:$P_OWNER" --log-format json >"$WORK/owner.log" 2>&1 &
pids+=($!)
for p in $P_APP $P_OWNER; do
	for _ in $(seq 150); do curl -fs "http://127.0.0.1:$p/readyz" >/dev/null && break; sleep 0.2; done
done
login() {
	curl -fs -X POST "http://127.0.0.1:$1/api/login" -H 'Content-Type: application/json' \
		-d "{\"username\":\"bench-api\",\"password\":\"$PASS\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
TOK_APP=$(login "$P_APP") TOK_OWNER=$(login "$P_OWNER")
[ -n "$TOK_APP" ] && [ -n "$TOK_OWNER" ] || { echo "login failed" >&2; exit 1; }
echo "database: $DB, $(psql "$URL" -Atc 'SELECT count(*) FROM incidents') incidents, $(psql "$URL" -Atc 'SELECT count(*) FROM hotspot_events') hotspot events; user bench-api (officer of $AREA)"
echo "binary: ${DIABAN_BIN:-built from $(git rev-parse --short HEAD)}; command: DB=$DB REPS=$REPS bench/rls/api.sh"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$WORK/tiles" -n "$REPS" -get "/api/cells?area=$PARENT" -get "/api/areas/$PARENT/metrics?period=$PERIOD" \
	-get "/api/areas/$COMMUNE/metrics?period=$PERIOD" ${EXTRA_GETS:-} \
	-target "diaban-app|http://127.0.0.1:$P_APP|$TOK_APP" -target "diaban-owner|http://127.0.0.1:$P_OWNER|$TOK_OWNER"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
