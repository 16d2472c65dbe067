# Shared by demo.sh and test.sh: make sure PostgreSQL with PostGIS runs and
# export DIABAN_ADMIN_URL (a superuser connection to the maintenance database).
# Sourced, not run.

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  log "installing $* from Debian's packages"
  if [ -z "${DIABAN_APT_UPDATED:-}" ]; then
    as_root apt-get update -qq
    DIABAN_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$@" >/dev/null
}

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    if [ -x /usr/local/go/bin/go ]; then
      export PATH="/usr/local/go/bin:$PATH"
    else
      echo "diaban needs Go 1.26 or later (https://go.dev/doc/install); put 'go' on PATH and run again." >&2
      exit 1
    fi
  fi
}

# try_url URL: does a superuser connection work there?
try_url() {
  psql "$1" -XAtqc 'SELECT 1' >/dev/null 2>&1
}

ensure_postgis() {
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
