#!/usr/bin/env bash
# Functions shared by the load scripts (bench-lib.sh, hence bench-leads and load-check, and bench-compare):
# filling the workspace "bench", starting a server, logging in, sampling memory, reading wrk. Sourced after
# lib.sh, not run; defines functions only.

BENCH_SLUG=bench
BENCH_EMAIL=bench@example.com
# The password bench@example.com gets when a script creates it (an existing person keeps theirs).
BENCH_PASSWORD="${BENCH_PASSWORD:-harbour-lantern-bench-42}"

# bench_sql URL SQL: one value per line, nothing else.
bench_sql() { psql "$1" -X -q -tAc "$2"; }

# fill_workspace BIN DATABASE_URL LEADS INTERACTIONS: migrates, creates bench@example.com and fills the
# workspace "bench" with `demo-data` unless it already has LEADS leads (another size is generated again).
fill_workspace() {
  local bin="$1" url="$2" leads="$3" interactions="$4" have
  DATABASE_URL="$url" "$bin" migrate >/dev/null
  printf '%s\n' "$BENCH_PASSWORD" | DATABASE_URL="$url" "$bin" create-admin --email "$BENCH_EMAIL" >/dev/null
  have="$(bench_sql "$url" "SELECT count(*) FROM leads l JOIN workspaces w ON w.id = l.workspace_id WHERE w.slug = '$BENCH_SLUG'")"
  if [ "$have" -eq "$leads" ]; then
    say "workspace $BENCH_SLUG already has $have leads: reusing them"
    return
  fi
  if [ "$have" -gt 0 ] || [ -n "$(bench_sql "$url" "SELECT 1 FROM workspaces WHERE slug = '$BENCH_SLUG'")" ]; then
    say "workspace $BENCH_SLUG has $have leads, not $leads: removing it to generate it again"
    bench_sql "$url" "DELETE FROM workspaces WHERE slug = '$BENCH_SLUG'" >/dev/null
  fi
  say "generating $leads leads and $interactions interactions"
  DATABASE_URL="$url" "$bin" demo-data --leads "$leads" --interactions "$interactions" \
    --workspace "$BENCH_SLUG" --owner "$BENCH_EMAIL"
}

# one_handle DATABASE_URL: the handle of one generated person, for the "one person by handle" page: the
# 778th lead demo-data generated (it ends every handle with the lead's number), or the first lead of a
# smaller workspace.
one_handle() {
  local handle
  handle="$(bench_sql "$1" "SELECT l.handle FROM leads l JOIN workspaces w ON w.id = l.workspace_id
    WHERE w.slug = '$BENCH_SLUG' ORDER BY l.handle LIKE '%\\_778' DESC, l.id LIMIT 1")"
  [ -n "$handle" ] || die "workspace $BENCH_SLUG has no lead to look up by handle"
  echo "$handle"
}

# start_server BIN DATABASE_URL PORT LOG: serves on 127.0.0.1:PORT with the scheduler off and waits until
# /readyz answers; sets STARTED_PID to the server's pid (a child of the calling shell).
start_server() {
  local bin="$1" url="$2" port="$3" log="$4" pid
  DATABASE_URL="$url" PORT="$port" PUBLIC_URL="http://127.0.0.1:$port" APP_ENV=development SCHEDULER=off \
    VISTAFLOW_DEMO=0 "$bin" serve >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "the server stopped"; }
    sleep 0.1
  done
  curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" || die "the server is not ready after 20 s (log: $log)"
  STARTED_PID="$pid"
}

# free_port FROM: the first port from FROM that nothing listens on.
free_port() {
  local port="$1"
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

# log_in BASE JAR: logs bench@example.com in through the form (anti-forgery token included) into the
# cookie jar JAR and checks that the Leads page of "bench" answers.
log_in() {
  local base="$1" jar="$2" token login_status landed
  token="$(curl -fs -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)"
  [ -n "$token" ] || die "no csrf_token on the login page"
  login_status="$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "email=$BENCH_EMAIL" \
    --data-urlencode "password=$BENCH_PASSWORD" --data-urlencode "csrf_token=$token" "$base/login")"
  case "$login_status" in
    2*|3*) ;;
    422) die "login refused (422): $BENCH_EMAIL already existed with another password; set BENCH_PASSWORD to it" ;;
    *) die "the login POST answered $login_status" ;;
  esac
  landed="$(curl -s -o /dev/null -w '%{http_code} %{url_effective}' -L -b "$jar" "$base/w/$BENCH_SLUG/leads")"
  [ "$landed" = "200 $base/w/$BENCH_SLUG/leads" ] || die "not logged in: GET /w/$BENCH_SLUG/leads ended at $landed"
}

# The session cookie of a jar, as a Cookie header value for wrk.
jar_cookie() { sed -n 's/^#HttpOnly_//; /^#/d; /^$/d; p' "$1" | awk -F '\t' '{printf "%s%s=%s", sep, $6, $7; sep="; "}'; }

# sample_rss PID FILE FLAG: the process's VmRSS (KiB) every 200 ms into FILE until FLAG disappears.
sample_rss() {
  while [ -e "$3" ]; do
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status" >>"$2" 2>/dev/null || true
    sleep 0.2
  done
}
peak_mib() { sort -n "$1" | tail -n 1 | awk '{printf "%.1f", $1 / 1024}'; }
rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# wrk prints latencies as 812.00us, 1.23ms or 1.02s: in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n = n * 1000
    printf "%.2f", n }'
}
