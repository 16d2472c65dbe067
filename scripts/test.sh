#!/usr/bin/env bash
# Every test of diaban: unit, integration against a real PostGIS (each test in
# a database of its own), the browser test in headless Chromium, and a short
# run of every fuzz target; govulncheck, offline, fails on a reachable
# vulnerability. Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # as go.mod asks; fetched from the Go module proxy
. scripts/lib.sh

need_go
ensure_postgis
ensure_chromium
ensure_poppler
export DIABAN_TEST_DATABASE_URL="$DIABAN_ADMIN_URL"

log "go vet"
go vet ./...
govulncheck_offline
log "go test"
go test -count=1 -timeout 15m ./...

if [ -z "${DIABAN_SKIP_FUZZ:-}" ]; then
  fuzztime="${DIABAN_FUZZTIME:-5s}"
  log "fuzzing every parser for $fuzztime each"
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
      # One retry: on a loaded machine the fuzz engine can time out while it
      # starts its workers ("context deadline exceeded"); a real failure saves
      # its input under testdata/fuzz and fails again on the retry.
      if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg" 2>&1) &&
         ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg" 2>&1); then
        printf '%s\n' "$out" >&2
        echo "fuzz FAILED: $pkg $target (the failing input is saved under testdata/fuzz/$target)" >&2
        exit 1
      fi
      echo "fuzz ok: $pkg $target"
    done
  done
fi
log "all tests passed"
