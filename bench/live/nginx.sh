#!/usr/bin/env bash
# Three `diaban serve` on one database behind nginx (Debian's package, on
# loopback, not as a system service: a master of its own in the
# foreground with a config in a temporary directory), then bench/live/rolling:
# a change written through the API of each instance reaches the clients of
# all of them, and a rolling restart of all three (SIGTERM: goaway and
# close 1001; the clients reconnect through nginx with since) while changes
# flow loses and repeats nothing.
#
#   bench/live/nginx.sh [CLIENTS] [RATE] [DURATION]      default 300 20 90s
#
# DIABAN_BENCH_ADMIN_URL: a maintenance URL on the PostgreSQL server to use
# (default postgres://postgres@127.0.0.1:5432/postgres); the run creates and
# drops its own database there. DIABAN_BIN: a built diaban (default: built).
# Needs nginx (apt-get install nginx-light).
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
cd "$(dirname "$0")/../.."
CLIENTS=${1:-300}
RATE=${2:-20}
DURATION=${3:-90s}
ADMIN=${DIABAN_BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
LB=${DIABAN_BENCH_PORT:-8110}
PORTS=($((LB + 1)) $((LB + 2)) $((LB + 3)))
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx is missing: apt-get install nginx-light" >&2; exit 1; }
DBNAME=diaban_bench_nginx_$$
base=${ADMIN%%\?*}
DB="${base%/*}/$DBNAME${ADMIN#"$base"}"
work=$(mktemp -d)
chmod 755 "$work"
BIN=${DIABAN_BIN:-$work/diaban}
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/diaban
go build -o "$work/rolling" ./bench/live/rolling
declare -A SERVER
NGINX_PID=
cleanup() {
  for p in "${SERVER[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${SERVER[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$NGINX_PID" ]; then kill -QUIT "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql "$ADMIN" -qc "CREATE DATABASE $DBNAME"
"$BIN" migrate --db "$DB" >/dev/null
"$BIN" seed demo --db "$DB" >/dev/null
PASS=bench-password-1
printf '%s\n' "$PASS" | "$BIN" user add bench-admin --role admin --db "$DB" >/dev/null

# serve N: start instance N (0, 1, 2) in the background.
serve() {
  "$BIN" serve --db "$DB" --addr "127.0.0.1:${PORTS[$1]}" --ws-max 20000 --ws-max-per-user 20000 --log-format json \
    >>"$work/serve-$1.log" 2>&1 &
  SERVER[$1]=$!
}
ready() {
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:${PORTS[$1]}/readyz" >/dev/null && return 0; sleep 0.2; done
  echo "instance $1 not ready; its log:" >&2; tail -20 "$work/serve-$1.log" >&2; exit 1
}
for i in 0 1 2; do serve $i; done
for i in 0 1 2; do ready $i; done

mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream diaban {
    server 127.0.0.1:${PORTS[0]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${PORTS[1]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${PORTS[2]} max_fails=1 fail_timeout=2s;
  }
  server {
    listen 127.0.0.1:$LB;
    location / {
      proxy_pass http://diaban;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host; # with the port: the websocket checks Origin against it
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
EOF
"$NGINX" -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$LB/readyz" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$LB/readyz" >/dev/null || { echo "nginx does not answer; its log:" >&2; cat "$work/nginx/error.log" >&2; exit 1; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); nginx $("$NGINX" -v 2>&1 | cut -d/ -f2)"
echo "command: bench/live/nginx.sh $CLIENTS $RATE $DURATION"
"$work/rolling" -lb "http://127.0.0.1:$LB" -instances "http://127.0.0.1:${PORTS[0]},http://127.0.0.1:${PORTS[1]},http://127.0.0.1:${PORTS[2]}" \
  -db "$DB" -clients "$CLIENTS" -rate "$RATE" -duration "$DURATION" -password "$PASS" >"$work/rolling.log" 2>&1 &
ROLLING=$!
for _ in $(seq 600); do grep -q "clients open" "$work/rolling.log" && break; kill -0 $ROLLING 2>/dev/null || break; sleep 0.2; done
cat "$work/rolling.log"
# The rolling restart, while changes flow: each instance in turn gets
# SIGTERM (its clients get goaway and 1001 and reconnect through nginx to
# the others), is started again, and is back before the next.
sleep 5
for i in 0 1 2; do
  t0=$(date +%s%N)
  kill -TERM "${SERVER[$i]}"
  wait "${SERVER[$i]}" || true
  serve $i
  ready $i
  echo "instance $((i + 1)) stopped and back in $((($(date +%s%N) - t0) / 1000000)) ms (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  sleep 5
done
rc=0
wait $ROLLING || rc=$?
sed -n '/clients open/,$p' "$work/rolling.log" | tail -n +2
grep -h '"msg":"shutting down\|closing websockets\|"level":"ERROR"' "$work"/serve-*.log | head -5 || true
exit $rc
