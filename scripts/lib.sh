#!/usr/bin/env bash
# Shared set-up for scripts/run and scripts/test: system packages, a private PostgreSQL cluster under var/
# (when DATABASE_URL is unset), and development secrets. Sourced, not run. Safe to run again: it reuses
# what an earlier run set up.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
mkdir -p "$VAR"

say() { printf '\033[1mvistaflow:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "needs root to run: $* (install it yourself, or install sudo)"; fi
}

# Installs Debian/Ubuntu packages by name (nothing when given none).
apt_install() {
  [ "$#" -gt 0 ] || return 0
  command -v apt-get >/dev/null 2>&1 || die "missing $*: install them with your package manager"
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Installs the packages the build and the database need, when their command or file is missing.
ensure_packages() {
  local missing=()
  [ -n "$(pg_bin_dir)" ] || missing+=(postgresql)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  apt_install "${missing[@]}"
  command -v cargo >/dev/null 2>&1 || die "cargo is missing: install the Rust toolchain (https://rustup.rs) and run this again"
}

# Chromium and ChromeDriver from the OS packages, for the browser tests.
ensure_browser() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  apt_install "${missing[@]}"
}

# An SMTP sink for the mail tests: Debian's python3-aiosmtpd, run by the system's /usr/bin/python3 (a
# python3 earlier on PATH, such as pyenv's, does not see Debian's packages).
ensure_mail_sink() {
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || apt_install python3-aiosmtpd
}

# The newest PostgreSQL server binaries installed from the OS packages.
pg_bin_dir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
  return 0
}

# Runs a PostgreSQL server command as the cluster's owner: initdb refuses root, so root uses `postgres`.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts (or reuses) the private cluster and exports DATABASE_URL, unless DATABASE_URL is already set.
ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL from the environment"
    return
  fi
  local bin data log
  bin="$(pg_bin_dir)"
  [ -n "$bin" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  data="$(cluster_dir)"
  log="$data/../postgresql.log"
  local port
  port="$(cluster_port "$data")"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $data"
    as_pg_owner "$bin/initdb" --pgdata="$data" --username=vistaflow --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg_owner "$bin/pg_ctl" --pgdata="$data" status >/dev/null 2>&1; then
    say "starting PostgreSQL on 127.0.0.1:$port"
    as_pg_owner "$bin/pg_ctl" --pgdata="$data" --log="$log" --wait --timeout=60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=200" start >/dev/null \
      || { tail -n 20 "$log" >&2; die "PostgreSQL did not start (log: $log)"; }
  fi
  export DATABASE_URL="postgres://vistaflow@127.0.0.1:$port/vistaflow"
  if ! psql "postgres://vistaflow@127.0.0.1:$port/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = 'vistaflow'" | grep -q 1; then
    psql "postgres://vistaflow@127.0.0.1:$port/postgres" -qc "CREATE DATABASE vistaflow" >/dev/null
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The cluster's port: VISTAFLOW_PG_PORT, else the one this checkout used before (kept in var/pg/port),
# else the first free one from 54329. Another checkout's cluster (CI runs a fresh clone on the same
# machine) or any other server on that port makes it move to a free one.
cluster_port() {
  local data="$1" file="$VAR/pg/port" port
  if [ -n "${VISTAFLOW_PG_PORT:-}" ]; then echo "$VISTAFLOW_PG_PORT"; return; fi
  port="$(cat "$file" 2>/dev/null || echo 54329)"
  if ! as_pg_owner "$(pg_bin_dir)/pg_ctl" --pgdata="$data" status >/dev/null 2>&1; then
    while port_in_use "$port"; do port=$((port + 1)); done
  fi
  echo "$port" > "$file"
  echo "$port"
}

# Where the cluster lives: var/pg, or, when root's `postgres` user cannot reach the checkout (a home
# directory closed to others), a directory of its own under /var/lib/vistaflow with var/pg pointing at it.
cluster_dir() {
  local root=0
  [ "$(id -u)" -eq 0 ] && root=1
  if [ "$root" -eq 1 ]; then
    id postgres >/dev/null 2>&1 || die "the postgres user is missing (is the postgresql package installed?)"
  fi
  if [ ! -e "$VAR/pg" ]; then
    if [ "$root" -eq 1 ] && ! runuser -u postgres -- test -x "$VAR" 2>/dev/null; then
      local elsewhere
      elsewhere="/var/lib/vistaflow/$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
      mkdir -p "$elsewhere"
      ln -s "$elsewhere" "$VAR/pg"
    else
      mkdir -p "$VAR/pg"
    fi
  fi
  local real
  real="$(readlink -f "$VAR/pg")"
  mkdir -p "$real/data"
  if [ "$root" -eq 1 ] && [ "$(stat -c %U "$real/data")" != postgres ]; then
    chown -R postgres:postgres "$real"
  fi
  chmod 700 "$real/data"
  echo "$real/data"
}

# Development secrets, made once and kept in var/dev.env (never committed).
ensure_dev_secrets() {
  local env_file="$VAR/dev.env"
  (
    umask 077
    touch "$env_file"
    if ! grep -q '^VISTAFLOW_SESSION_KEY=' "$env_file"; then
      say "creating a development session key in var/dev.env"
      printf 'VISTAFLOW_SESSION_KEY=%s\n' "$(head -c 64 /dev/urandom | base64 -w0)" >> "$env_file"
    fi
    if ! grep -q '^VISTAFLOW_SECRET_KEYS=' "$env_file"; then
      say "creating a development secrets key in var/dev.env"
      printf 'VISTAFLOW_SECRET_KEYS=dev1:%s\n' "$(head -c 32 /dev/urandom | base64 -w0)" >> "$env_file"
    fi
  )
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
}
