#!/usr/bin/env bash
# Vector tiles at 1,000,000 incidents: diaban under the row-level security
# policies (diaban_app, as it runs in production), diaban as the tables'
# owner (serve --db-role= --db-login=) and pg_tileserv (the peer, as the
# owner: its best case; JIT off like diaban's connections) on the same
# database, in one run (issues 15 and 18).
# Every tile of zooms 12–16 over the box of BOX_AREA (default 503, the
# demo's district before the 2025 reform: 1,403 tiles; it holds every row of
# bench_rls), for every layer, cold (the first request of each tile since
# the servers started) and warm (the same tiles again), one request at a
# time. Results: bench/rls/RESULTS.md and BENCHMARKS.md.
#
#   bench/tiles/run.sh            # needs the database bench_rls: bench/rls/run.sh
#
# PG_TILESERV: a built pg_tileserv (default: /tmp/pg_tileserv/pg_tileserv,
# else cloned from GitHub and built under $WORK; never committed).
# CONC: requests at once (default 1). LAYERS: default every layer.
# ROUNDS=1: no second round (diaban restarted, owner first). IN_TILE=1:
# pg_tileserv with the in-tile aggregate too. REPS: requests per API read.
# BYZOOM=1: also the time per zoom of the tiles with and without features.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
cd "$(dirname "$0")/../.."
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=${DB:-bench_rls}
URL="$PG/$DB?sslmode=disable"
AREA=${AREA:-48}       # the user's area (officer) and the API's parent: the demo's province today
BOX_AREA=${BOX_AREA:-503}
WORK=${WORK:-/tmp/bench_tiles}
CONC=${CONC:-1}
LAYERS=${LAYERS:-cells,areas,hotspots,cameras}
P_APP=${P_APP:-8211} P_OWNER=${P_OWNER:-8212} P_PEER=${P_PEER:-8213}
mkdir -p "$WORK"
if ! psql "$PG/postgres" -Atc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
	echo "no database $DB: build it first with bench/rls/run.sh" >&2
	exit 1
fi
go build -o "$WORK/diaban" ./cmd/diaban
go build -o "$WORK/tiles" ./bench/tiles
PEER=${PG_TILESERV:-/tmp/pg_tileserv/pg_tileserv}
if [ ! -x "$PEER" ]; then
	rm -rf "$WORK/pg_tileserv"
	git clone -q --depth 1 https://github.com/CrunchyData/pg_tileserv "$WORK/pg_tileserv"
	(cd "$WORK/pg_tileserv" && go build -o pg_tileserv .)
	PEER=$WORK/pg_tileserv/pg_tileserv
fi
"$WORK/diaban" migrate --db "$URL" >/dev/null
psql "$URL" -q -v ON_ERROR_STOP=1 -f bench/tiles/peer.sql
PASS=bench-tiles-password-1
printf '%s\n' "$PASS" | "$WORK/diaban" user add bench-tiles --role officer --area "$AREA" --db "$URL" >/dev/null 2>&1 ||
	printf '%s\n' "$PASS" | "$WORK/diaban" user passwd bench-tiles --db "$URL" >/dev/null 2>&1 || true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
login() {
	curl -fs -X POST "http://127.0.0.1:$1/api/login" -H 'Content-Type: application/json' \
		-d "{\"username\":\"bench-tiles\",\"password\":\"$PASS\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
# start_diaban starts both diaban servers (empty tile caches) and logs in.
start_diaban() {
	"$WORK/diaban" serve --db "$URL" --addr "127.0.0.1:$P_APP" --log-format json >>"$WORK/app.log" 2>&1 &
	APP_PID=$!
	"$WORK/diaban" serve --db "$URL" --db-role= --db-login= --addr "127.0.0.1:$P_OWNER" --log-format json >>"$WORK/owner.log" 2>&1 &
	OWNER_PID=$!
	pids+=("$APP_PID" "$OWNER_PID")
	for p in $P_APP $P_OWNER; do
		for _ in $(seq 150); do curl -fs "http://127.0.0.1:$p/readyz" >/dev/null && break; sleep 0.2; done
	done
	TOK_APP=$(login "$P_APP")
	TOK_OWNER=$(login "$P_OWNER")
	[ -n "$TOK_APP" ] && [ -n "$TOK_OWNER" ] || { echo "login failed" >&2; exit 1; }
}
stop_diaban() {
	kill "$APP_PID" "$OWNER_PID"
	wait "$APP_PID" "$OWNER_PID" 2>/dev/null || true
}
start_diaban
cat >"$WORK/pg_tileserv.toml" <<EOF
DbConnection = "$URL&jit=off"
HttpHost = "127.0.0.1"
HttpPort = $P_PEER
DefaultBuffer = 64
DefaultResolution = 4096
MaxFeaturesPerTile = -1
DbTimeout = 300
EOF
"$PEER" --config "$WORK/pg_tileserv.toml" >"$WORK/peer.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do curl -fs "http://127.0.0.1:$P_PEER/index.json" >/dev/null && break; sleep 0.2; done
BOX=$(psql "$URL" -Atc "SELECT concat_ws(',', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) FROM (SELECT ST_Extent(v.geom)::geometry AS e FROM area_versions v JOIN areas a ON a.id = v.area_id WHERE a.code = '$BOX_AREA') x")
# The tables and indexes read into the page cache first, and the ones the
# tiles read (but the incidents' heap, larger than shared_buffers) into
# PostgreSQL's buffers, so that no server pays for the disk on behalf of the
# ones after it.
psql "$URL" -q -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
	-c "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.relkind IN ('r', 'i') AND c.relnamespace = 'public'::regnamespace" \
	-c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')
	      AND (c.relname ~ '^(incident_cell_months|hotspots|hotspot_events|cameras|areas|area_versions)' OR c.relname = 'incidents_geom_idx')" >/dev/null

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem/{print $2}') GB; servers, PostgreSQL and the generator share them"
echo "database: $DB, $(psql "$URL" -Atc 'SELECT count(*) FROM incidents') incidents; tiles over the box of $BOX_AREA ($BOX); user bench-tiles (officer of $AREA)"
echo "command: bench/tiles/run.sh (CONC=$CONC LAYERS=$LAYERS)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$WORK/tiles" -box "$BOX" -c "$CONC" ${BYZOOM:+-byzoom} -layers "$LAYERS" \
	-target "diaban-app|http://127.0.0.1:$P_APP/tiles/{layer}/{z}/{x}/{y}|$TOK_APP" \
	-target "diaban-owner|http://127.0.0.1:$P_OWNER/tiles/{layer}/{z}/{x}/{y}|$TOK_OWNER" \
	-target "pg_tileserv|http://127.0.0.1:$P_PEER/bench_tiles.{layer}/{z}/{x}/{y}.pbf"
# Round 2: both diaban servers restarted (cold caches again), the owner
# first this time, so that neither side's figures carry the order.
if [ "${ROUNDS:-2}" -ge 2 ]; then
	stop_diaban
	start_diaban
	echo "round 2, owner first; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
	"$WORK/tiles" -box "$BOX" -c "$CONC" ${BYZOOM:+-byzoom} -layers "$LAYERS" \
		-target "diaban-owner|http://127.0.0.1:$P_OWNER/tiles/{layer}/{z}/{x}/{y}|$TOK_OWNER" \
		-target "diaban-app|http://127.0.0.1:$P_APP/tiles/{layer}/{z}/{x}/{y}|$TOK_APP"
fi
# IN_TILE=1: also pg_tileserv with the aggregate of issue 18's first
# measurement (incidents inside the tile only).
if [ "${IN_TILE:-0}" = 1 ]; then
	"$WORK/tiles" -box "$BOX" -c "$CONC" -layers cells_in_tile \
		-target "pg_tileserv|http://127.0.0.1:$P_PEER/bench_tiles.{layer}/{z}/{x}/{y}.pbf"
fi
# PEER_VIEW=1: also pg_tileserv with the hotspots' status asked of
# hotspot_status (both servers' query before migration 00014).
if [ "${PEER_VIEW:-0}" = 1 ]; then
	"$WORK/tiles" -box "$BOX" -c "$CONC" -layers hotspots_view \
		-target "pg_tileserv|http://127.0.0.1:$P_PEER/bench_tiles.{layer}/{z}/{x}/{y}.pbf"
fi
# The API reads of issue 18 over HTTP, the same user on both servers.
"$WORK/tiles" -n "${REPS:-30}" -get "/api/cells?area=$AREA" -get "/api/cells?area=$AREA&from=2025-01-01&to=2025-12-31" \
	-get "/api/areas/$AREA/metrics?period=2025" -get "/api/areas/${COMMUNE:-20413}/metrics?period=2025" \
	-target "diaban-app|http://127.0.0.1:$P_APP|$TOK_APP" -target "diaban-owner|http://127.0.0.1:$P_OWNER|$TOK_OWNER"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
