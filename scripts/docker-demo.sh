#!/bin/bash
# The Docker Compose demo's entrypoint (docker-compose.yml; in the image as
# /usr/local/bin/diaban-demo): migrate, load the demo district the first time,
# keep the demo users' passwords in a file only the container's user reads
# (not in the logs), then serve on DIABAN_ADDR. The passwords, one
# "user password" line per role (admin-password keeps the admin's alone):
#   docker compose exec diaban cat /var/lib/diaban/passwords
set -euo pipefail
state="${DIABAN_STATE:-/var/lib/diaban}"
umask 077
diaban migrate
if [ ! -e "$state/seeded" ]; then
  if ! diaban seed demo >"$state/seed.log" 2>&1; then
    grep -v 'password' "$state/seed.log" >&2 || true
    exit 1
  fi
  sed -n 's/^ *user \([^ ]*\)  password \([^ ]*\).*/\1 \2/p' "$state/seed.log" >"$state/passwords"
  grep -v -e 'password' -e 'shown only now' "$state/seed.log" || true
  rm -f "$state/seed.log"
  pw=$(sed -n 's/^demo-admin \(.*\)$/\1/p' "$state/passwords")
  if [ -n "$pw" ]; then
    printf '%s\n' "$pw" >"$state/admin-password"
  fi
  touch "$state/seeded"
fi
if [ -s "$state/passwords" ]; then
  echo "log in as demo-admin, demo-officer, demo-planner or demo-viewer; their passwords: docker compose exec diaban cat $state/passwords"
elif [ -s "$state/admin-password" ]; then
  echo "log in as demo-admin; its password: docker compose exec diaban cat $state/admin-password"
fi
exec diaban serve
