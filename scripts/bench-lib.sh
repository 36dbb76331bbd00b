#!/usr/bin/env bash
# Shared by the load scripts (bench-leads, load-check): a release build, the workspace "bench" of
# bench@example.com filled with LEADS leads and INTERACTIONS interactions by `vistaflow demo-data`, a server
# on a free port from 18080, and a logged-in cookie jar. Sourced after lib.sh, not run. Sets BIN, BASE,
# SERVER_PID, JAR, COOKIE, WORK; `stop_server` ends the server (also on exit).

SLUG=bench
EMAIL=bench@example.com
# The password bench@example.com gets when this script creates it (an existing person keeps theirs).
PASSWORD="${BENCH_PASSWORD:-harbour-lantern-bench-42}"

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

sql() { psql "$DATABASE_URL" -X -q -tAc "$1"; }

"$BIN" migrate >/dev/null
printf '%s\n' "$PASSWORD" | "$BIN" create-admin --email "$EMAIL" >/dev/null

have="$(sql "SELECT count(*) FROM leads l JOIN workspaces w ON w.id = l.workspace_id WHERE w.slug = '$SLUG'")"
if [ "$have" -eq "$LEADS" ]; then
  say "workspace $SLUG already has $have leads: reusing them"
else
  if [ "$have" -gt 0 ] || [ -n "$(sql "SELECT 1 FROM workspaces WHERE slug = '$SLUG'")" ]; then
    say "workspace $SLUG has $have leads, not $LEADS: removing it to generate it again"
    sql "DELETE FROM workspaces WHERE slug = '$SLUG'" >/dev/null
  fi
  say "generating $LEADS leads and $INTERACTIONS interactions"
  "$BIN" demo-data --leads "$LEADS" --interactions "$INTERACTIONS" --workspace "$SLUG" --owner "$EMAIL"
fi

PORT=18080
while port_in_use "$PORT"; do PORT=$((PORT + 1)); done
BASE="http://127.0.0.1:$PORT"
export PORT PUBLIC_URL="$BASE"
"$BIN" serve >"$VAR/bench-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
  curl -fs -o /dev/null "$BASE/readyz" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$VAR/bench-server.log" >&2; die "the server stopped"; }
  sleep 0.1
done
curl -fs -o /dev/null "$BASE/readyz" || die "the server is not ready after 20 s (log: $VAR/bench-server.log)"
say "server pid $SERVER_PID on $BASE (log: var/bench-server.log)"

# Log in: the form's anti-forgery token and the session cookie.
JAR="$WORK/cookies"
token="$(curl -fs -c "$JAR" -b "$JAR" "$BASE/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)"
[ -n "$token" ] || die "no csrf_token on the login page"
login_status="$(curl -s -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" --data-urlencode "email=$EMAIL" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$token" "$BASE/login")"
case "$login_status" in
  2*|3*) ;;
  422) die "login refused (422): $EMAIL already existed with another password; set BENCH_PASSWORD to it" ;;
  *) die "the login POST answered $login_status" ;;
esac
landed="$(curl -s -o /dev/null -w '%{http_code} %{url_effective}' -L -b "$JAR" "$BASE/w/$SLUG/leads")"
case "$landed" in
  "200 $BASE/w/$SLUG/leads") say "logged in as $EMAIL" ;;
  *) die "not logged in: GET /w/$SLUG/leads ended at $landed" ;;
esac
# The cookie jar as a Cookie header (curl marks HttpOnly cookies with a #HttpOnly_ prefix).
COOKIE="$(sed -n 's/^#HttpOnly_//; /^#/d; /^$/d; p' "$JAR" | awk -F '\t' '{printf "%s%s=%s", sep, $6, $7; sep="; "}')"

