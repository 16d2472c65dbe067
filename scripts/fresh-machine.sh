#!/usr/bin/env bash
# The README's demo command on a fresh machine: a minimal Debian 12 root
# (debootstrap --variant=minbase: no compiler, no curl, no certificates, no
# PostgreSQL client) with only Go added, in which ./scripts/demo.sh must install
# whatever else it needs, build, migrate, seed and serve until /healthz answers
# and the demo admin logs in with the password the seed printed. The root
# shares this machine's network and its PostgreSQL on 127.0.0.1:5432 (in a
# database of its own, dropped afterwards) and is torn down at the end.
# Run from the repository root, as root; CI runs it after the tests.
#
# Environment: DIABAN_CACHE (where the debootstrap base tarball is kept,
# default .cache), DIABAN_DEBIAN_MIRROR (default: this machine's apt mirror),
# DIABAN_FRESH_TIMEOUT (seconds, default 1200), DIABAN_FRESH_KEEP=1 (keep the
# root for a look).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # as go.mod asks; fetched from the Go module proxy
. scripts/lib.sh

if [ "$(id -u)" != 0 ]; then
  echo "fresh-machine.sh needs root (debootstrap, chroot, mounts)" >&2
  exit 1
fi
command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
command -v unshare >/dev/null 2>&1 || apt_install util-linux
need_build_tools # curl on this side too
ensure_postgis

readme_cmd=./scripts/demo.sh
grep -q "^$readme_cmd " README.md || { echo "README.md no longer shows $readme_cmd" >&2; exit 1; }

# The Debian mirrors this machine's apt uses.
apt_uris() {
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
    { grep -oE "https?://[^ ]+/$1/?( |\$)" || true; } | tr -d ' ' | sed 's:/$::' | head -n1
}
mirror="${DIABAN_DEBIAN_MIRROR:-$(apt_uris debian)}"
mirror="${mirror:-http://deb.debian.org/debian}"
security="$(apt_uris debian-security)"
security="${security:-${mirror%/debian}/debian-security}"
arch=$(dpkg --print-architecture)

# The base root, built once by debootstrap and kept as a tarball.
base="$DIABAN_CACHE/fresh-machine/debian-bookworm-minbase-$arch.tar.gz"
if [ ! -s "$base" ]; then
  log "debootstrap: a minimal Debian 12 from $mirror (once; kept in $base)"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/diaban-debootstrap.XXXXXX")
  debootstrap --variant=minbase --arch="$arch" bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
    { tail -n 30 "$tmp.log" >&2; rm -rf --one-file-system "$tmp" "$tmp.log"; exit 1; }
  rm -f "$tmp.log"
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  mkdir -p "${base%/*}"
  tar --numeric-owner -C "$tmp" -czf "$base.tmp" .
  mv "$base.tmp" "$base"
  rm -rf --one-file-system "$tmp"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/diaban-fresh.XXXXXX")
port=$((20000 + RANDOM % 20000))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
db="diaban_fresh_$port"
# mounts live in the check's own mount namespace and go with it; refuse to
# delete a root that still has one.
cleanup() {
  psql "$DIABAN_ADMIN_URL" -Xqc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "${DIABAN_FRESH_KEEP:-}" ]; then
    log "kept the root at $root"
  elif grep -q " $root[/ ]" /proc/mounts; then
    echo "not removing $root: something is still mounted under it" >&2
  else
    rm -rf --one-file-system "$root"
  fi
}
trap cleanup EXIT

log "fresh root in $root"
tar --numeric-owner -C "$root" -xzf "$base"
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
# No service starts inside the root (as in any chroot).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf /etc/hosts "$root/etc/"
# This machine's own trust anchors (a network that inspects HTTPS has its CA
# here, beside the bundle): part of the machine, not of Debian's packages, so
# they go into the root as local certificates, which ca-certificates adds to
# its bundle when the scripts install it.
mkdir -p "$root/usr/local/share/ca-certificates"
for f in /usr/local/share/ca-certificates/*.crt /etc/ssl/certs/*.pem; do
  [ -f "$f" ] && [ ! -L "$f" ] && [ "${f##*/}" != ssl-cert-snakeoil.pem ] || continue
  n=${f##*/}
  cp "$f" "$root/usr/local/share/ca-certificates/host-${n%.*}.crt"
done

# The repository as a clone has it: tracked and new files, nothing ignored
# (no bin/, no .cache/).
mkdir -p "$root/root/diaban"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -C "$root/root/diaban" -xf -

# Go: this machine's own installation, read-only; the toolchain go.mod asks for
# and the modules are fetched inside the root as on any new machine.
goroot=$(GOTOOLCHAIN=local go env GOROOT)

cat >"$root/root/fresh-check.sh" <<'EOF'
#!/bin/bash
# Inside the fresh root: the README's demo command, then /healthz and a login.
set -uo pipefail
cd /root/diaban
start=$SECONDS
# Each line of the demo with the seconds since the start; $demo is demo.sh
# itself (then the server it execs), not the pipe, which a child of the go
# command can hold open after demo.sh has died.
./scripts/demo.sh > >(while IFS= read -r line; do
  printf '[%4d s] %s\n' $((SECONDS - start)) "$line"
done >/root/demo.log) 2>&1 &
demo=$!
healthz() {
  (exec 3<>"/dev/tcp/127.0.0.1/$FRESH_PORT" &&
    printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 &&
    read -r _ status _ <&3 && [ "$status" = 200 ]) 2>/dev/null
}
until healthz; do
  if ! kill -0 "$demo" 2>/dev/null; then
    sleep 1
    echo "FAIL: ./scripts/demo.sh exited before /healthz answered; its last lines:"
    tail -n 40 /root/demo.log
    exit 1
  fi
  if [ $((SECONDS - start)) -gt "$FRESH_TIMEOUT" ]; then
    echo "FAIL: /healthz did not answer within $FRESH_TIMEOUT s; the demo's last lines:"
    tail -n 40 /root/demo.log
    exit 1
  fi
  sleep 2
done
grep -a '==>' /root/demo.log | sed 's/\x1b\[[0-9;]*m//g'
echo "/healthz answered after $((SECONDS - start)) s"
pw=$(sed -n 's/.*user demo-admin  password \([^ ]*\).*/\1/p' /root/demo.log | tail -n1)
if [ -z "$pw" ]; then
  echo "FAIL: the demo printed no password for demo-admin"; tail -n 40 /root/demo.log; exit 1
fi
# As the README does it, with the curl and jq the scripts installed.
TOKEN=$(curl -s "localhost:$FRESH_PORT/api/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"demo-admin\",\"password\":\"$pw\"}" | jq -r .token)
if [ -z "$TOKEN" ] || [ "$TOKEN" = null ]; then
  echo "FAIL: demo-admin could not log in"; exit 1
fi
me=$(curl -fsS "localhost:$FRESH_PORT/api/me" -H "Authorization: Bearer $TOKEN") || { echo "FAIL: /api/me"; exit 1; }
case "$me" in *demo-admin*) ;; *) echo "FAIL: /api/me answered $me"; exit 1 ;; esac
echo "demo-admin logged in"
kill "$demo" 2>/dev/null
wait "$demo" 2>/dev/null
exit 0
EOF
chmod +x "$root/root/fresh-check.sh"

log "in the fresh root: $readme_cmd until /healthz answers and demo-admin logs in (port $port, database $db)"
started=$SECONDS
# A PID namespace ends every process of the check with it, and a mount
# namespace takes its mounts along.
set +e
timeout --kill-after=30 "$(( ${DIABAN_FRESH_TIMEOUT:-1200} + 120 ))" \
  unshare --fork --pid --kill-child --mount --propagation private \
  env ROOT="$root" GOROOT_HOST="$goroot" FRESH_PORT="$port" FRESH_DB="$db" \
  FRESH_TIMEOUT="${DIABAN_FRESH_TIMEOUT:-1200}" bash -euc '
    mount -t proc proc "$ROOT/proc"
    mount --rbind /dev "$ROOT/dev"
    mount --rbind /sys "$ROOT/sys"
    mkdir -p "$ROOT/usr/local/go"
    mount --bind "$GOROOT_HOST" "$ROOT/usr/local/go"
    mount -o remount,bind,ro "$ROOT/usr/local/go"
    exec chroot "$ROOT" /usr/bin/env -i \
      HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      LANG=C.UTF-8 TERM=dumb \
      ${GOPROXY:+GOPROXY=$GOPROXY} ${GOSUMDB:+GOSUMDB=$GOSUMDB} \
      ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} \
      ${no_proxy:+no_proxy=$no_proxy} \
      DIABAN_ADDR="127.0.0.1:$FRESH_PORT" DIABAN_DB="$FRESH_DB" \
      FRESH_PORT="$FRESH_PORT" FRESH_TIMEOUT="$FRESH_TIMEOUT" \
      /root/fresh-check.sh
  '
rc=$?
set -e
if [ "$rc" != 0 ]; then
  echo "fresh-machine check FAILED (exit $rc) after $((SECONDS - started)) s" >&2
  exit 1
fi
log "fresh-machine check passed in $((SECONDS - started)) s"
