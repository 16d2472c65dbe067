#!/bin/bash
# The Docker Compose demo's entrypoint (docker-compose.yml; in the image as
# /usr/local/bin/diaban-demo): migrate, load the demo district the first time,
# keep the demo admin's password in a file only the container's user reads
# (not in the logs), then serve on DIABAN_ADDR. The password:
#   docker compose exec diaban cat /var/lib/diaban/admin-password
set -euo pipefail
state="${DIABAN_STATE:-/var/lib/diaban}"
umask 077
diaban migrate
if [ ! -e "$state/seeded" ]; then
  if ! diaban seed demo >"$state/seed.log" 2>&1; then
    grep -v 'password' "$state/seed.log" >&2 || true
    exit 1
  fi
  pw=$(sed -n 's/.*user demo-admin  password \([^ ]*\).*/\1/p' "$state/seed.log")
  grep -v -e 'password' -e 'shown only now' "$state/seed.log" || true
  rm -f "$state/seed.log"
  if [ -n "$pw" ]; then
    printf '%s\n' "$pw" >"$state/admin-password"
  fi
  touch "$state/seeded"
fi
if [ -s "$state/admin-password" ]; then
  echo "log in as demo-admin; its password: docker compose exec diaban cat $state/admin-password"
fi
exec diaban serve
