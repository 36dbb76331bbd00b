#!/usr/bin/env bash
# Shared by the load scripts (bench-leads, load-check): a release build, the workspace "bench" of
# bench@example.com filled with LEADS leads and INTERACTIONS interactions by `vistaflow demo-data`, a server
# on a free port from 18080, and a logged-in cookie jar. Sourced after lib.sh, not run. Sets BIN, BASE,
# SERVER_PID, JAR, COOKIE, WORK, SLUG; `stop_server` ends the server (also on exit).

. "$(dirname "${BASH_SOURCE[0]}")/bench-fns.sh"
SLUG="$BENCH_SLUG"

ensure_packages
command -v wrk >/dev/null 2>&1 || apt_install wrk
command -v curl >/dev/null 2>&1 || apt_install curl
ensure_database
ensure_dev_secrets
export APP_ENV=development SCHEDULER=off VISTAFLOW_DEMO=0

say "building the release binary"
cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" --bin vistaflow
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/vistaflow"

WORK="$(mktemp -d)"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT

sql() { bench_sql "$DATABASE_URL" "$1"; }

fill_workspace "$BIN" "$DATABASE_URL" "$LEADS" "$INTERACTIONS"

PORT="$(free_port 18080)"
BASE="http://127.0.0.1:$PORT"
export PORT PUBLIC_URL="$BASE"
start_server "$BIN" "$DATABASE_URL" "$PORT" "$VAR/bench-server.log"
SERVER_PID="$STARTED_PID"
say "server pid $SERVER_PID on $BASE (log: var/bench-server.log)"

JAR="$WORK/cookies"
log_in "$BASE" "$JAR"
say "logged in as $BENCH_EMAIL"
COOKIE="$(jar_cookie "$JAR")"
