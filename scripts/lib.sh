# Shared by the scripts: install what the build needs where it is missing,
# make sure PostgreSQL with PostGIS runs and export DIABAN_ADMIN_URL (a
# superuser connection to the maintenance database). Sourced, not run.

# The Go toolchain of every build: go.mod asks for it, and any go command since
# 1.21 fetches it from the Go module proxy the first time (about 76 MB). A
# machine's own Go ignores go.mod's version unless this is exported.
export GOTOOLCHAIN=go1.27.3

# Where downloads and builds are kept between runs (gitignored).
DIABAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIABAN_CACHE="${DIABAN_CACHE:-$DIABAN_ROOT/.cache}"

# The vulnerability check's pinned inputs (govulncheck from golang.org/x/vuln,
# its database from golang.org/x/vulndb): bump them together to see newer reports.
GOVULNCHECK_VERSION=v1.9.0
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018

log() { printf '\033[1m==> [%4d s] %s\033[0m\n' "$SECONDS" "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: $* (Debian's package names); install them with this system's package manager and run again" >&2
    exit 1
  fi
  log "installing $* from Debian's packages"
  if [ -z "${DIABAN_APT_UPDATED:-}" ]; then
    as_root apt-get update -qq -o Acquire::Retries=3
    DIABAN_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Acquire::Retries=3 -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

# need_build_tools: what `go build` and the README's examples need that a
# minimal Debian 12 lacks: a C compiler and libc headers (uber/h3-go is cgo),
# CA certificates (the go command fetches its toolchain and modules over
# HTTPS), curl and jq (the README's API example).
need_build_tools() {
  local missing=()
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  [ -e /usr/include/stdlib.h ] || missing+=(libc6-dev)
  [ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}

need_go() {
  need_build_tools
  if ! command -v go >/dev/null 2>&1; then
    if [ -x /usr/local/go/bin/go ]; then
      export PATH="/usr/local/go/bin:$PATH"
    else
      echo "diaban needs a go command, Go 1.21 or later (https://go.dev/doc/install; Debian 12's golang-go is 1.19, too old): put 'go' on PATH and run again; it fetches $GOTOOLCHAIN by itself." >&2
      exit 1
    fi
  fi
  if ! grep -q "^go ${GOTOOLCHAIN#go}\$" "$DIABAN_ROOT/go.mod"; then
    echo "go.mod's go line is not ${GOTOOLCHAIN#go}: change GOTOOLCHAIN in scripts/*.sh, .ci/run and README.md with it" >&2
    exit 1
  fi
  if ! go version 2>/dev/null | grep -q "^go version $GOTOOLCHAIN "; then
    log "fetching Go ${GOTOOLCHAIN#go} from the Go module proxy (once)"
    if ! go version | grep -q "^go version $GOTOOLCHAIN "; then
      echo "the go command on PATH ($(command -v go)) did not switch to $GOTOOLCHAIN: it needs to be Go 1.21 or later" >&2
      exit 1
    fi
  fi
}

# govulncheck_offline: govulncheck over every package against a database built
# from the golang.org/x/vulndb module, with no network (GOPROXY=off, file://
# database); exits non-zero on a vulnerability that the code can reach. The
# tool and the database are built once into $DIABAN_CACHE.
govulncheck_offline() {
  local tool="$DIABAN_CACHE/tools/govulncheck-$GOVULNCHECK_VERSION-$GOTOOLCHAIN"
  local db="$DIABAN_CACHE/vulndb/$VULNDB_VERSION"
  if [ ! -x "$tool" ]; then
    log "building govulncheck $GOVULNCHECK_VERSION (once)"
    local bin
    bin=$(mktemp -d)
    GOBIN="$bin" go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
    mkdir -p "${tool%/*}"
    mv "$bin/govulncheck" "$tool"
    rmdir "$bin"
  fi
  if [ ! -e "$db/index/modules.json" ]; then
    log "building the vulnerability database from golang.org/x/vulndb@$VULNDB_VERSION (once)"
    local src
    src=$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    rm -rf "$db.tmp"
    go run "$DIABAN_ROOT/scripts/vulndb-index.go" -vulns "$src/data/osv" -out "$db.tmp"
    mv "$db.tmp" "$db"
  fi
  log "govulncheck $GOVULNCHECK_VERSION, offline (golang.org/x/vulndb@$VULNDB_VERSION)"
  GOPROXY=off "$tool" -db "file://$db" ./...
}

# try_url URL: does a superuser connection work there?
try_url() {
  psql "$1" -XAtqc 'SELECT 1' >/dev/null 2>&1
}

ensure_postgis() {
  # A server already answers on 127.0.0.1:5432 (the README's "or uses the
  # PostgreSQL already running"): the client is enough.
  if ! command -v psql >/dev/null 2>&1 && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    apt_install postgresql-client
  fi
  if ! command -v psql >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    if ! try_url "${DIABAN_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"; then
      apt_install postgresql postgresql-contrib
    fi
  fi
  # Start the local cluster if it is installed but not running.
  if command -v pg_lsclusters >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
    name=$(pg_lsclusters -h | awk 'NR==1{print $2}')
    if [ -n "$ver" ]; then
      log "starting PostgreSQL $ver/$name"
      as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
  fi
  # Find a superuser connection: trust on 127.0.0.1, else a role of our own over the socket.
  if [ -z "${DIABAN_ADMIN_URL:-}" ]; then
    if try_url "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"; then
      DIABAN_ADMIN_URL="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
    else
      me=$(id -un)
      as_root su postgres -c "psql -XAtqc \"SELECT 1 FROM pg_roles WHERE rolname = '$me'\" | grep -q 1 || createuser -s '$me'" >/dev/null
      DIABAN_ADMIN_URL="postgres:///postgres?host=/var/run/postgresql"
    fi
  fi
  export DIABAN_ADMIN_URL
  if ! try_url "$DIABAN_ADMIN_URL"; then
    echo "cannot connect to PostgreSQL as a superuser at $DIABAN_ADMIN_URL; set DIABAN_ADMIN_URL" >&2
    exit 1
  fi
  # PostGIS for the server's major version.
  if [ "$(psql "$DIABAN_ADMIN_URL" -XAtqc "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")" = 0 ]; then
    major=$(psql "$DIABAN_ADMIN_URL" -XAtqc "SHOW server_version_num" | cut -c1-2)
    apt_install "postgresql-$major-postgis-3"
  fi
}

# db_url NAME: DIABAN_ADMIN_URL with the database replaced by NAME.
db_url() {
  case "$DIABAN_ADMIN_URL" in
    *"/postgres?"*) printf '%s' "${DIABAN_ADMIN_URL/\/postgres\?//$1?}" ;;
    *) printf '%s' "${DIABAN_ADMIN_URL%/postgres}/$1" ;;
  esac
}

ensure_database() {
  if [ "$(psql "$DIABAN_ADMIN_URL" -XAtqc "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 0 ]; then
    log "creating database $1"
    psql "$DIABAN_ADMIN_URL" -Xqc "CREATE DATABASE \"$1\"" >/dev/null
  fi
}

ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium
  fi
}

# pdftotext and pdftoppm: the report tests read the PDFs diaban writes
# (the reports themselves need nothing installed: the font is embedded).
ensure_poppler() {
  if ! command -v pdftotext >/dev/null 2>&1; then
    apt_install poppler-utils
  fi
}
