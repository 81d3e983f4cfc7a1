#!/usr/bin/env bash
# Load test of the release server (docs/performance.md): wrk at 32 connections for 15 s on
# GET /movies, GET /movie-details/5 and POST /movies with a valid token, against the PostgreSQL
# store, the memory store, and a bare poem handler (the framework's ceiling), in one run.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB_NAME=casting_bench
PORT=18480
BARE_PORT=18490

cargo build --release -q -p casting-server
cargo build --release -q -p casting-http --example bare
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "Load Test", "release_date": "08-02-2025", "actors": [1, 2, 3, 4, 5]}'
LUA

# wrk's summary as "req/s p50 p99".
measure() {
  local url=$1 token=$2 script=${3:-}
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" "$url" > "$work/wrk.txt"
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  echo "$rps $p50 $p99 ${errors:-0}"
}

peak_rss() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$1/status"; }

start_server() {
  local log=$1; shift
  env -i PATH="$PATH" HOME="$HOME" PORT=$PORT RUST_LOG=warn "$@" \
    ./target/release/casting-server > "$log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    grep -q '^listening on' "$log" 2>/dev/null && break
    sleep 0.1
  done
  TOKEN=$(awk -F= '/^TOKEN EXECUTIVE_PRODUCER=/ {print $2}' "$log")
}

seed() { # 100 movies x 5 actors
  local base=http://127.0.0.1:$PORT
  for i in $(seq 1 500); do
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"name\": \"Actor $i\", \"age\": $((i % 90 + 10)), \"gender\": \"Other\"}" "$base/actors"
  done
  for i in $(seq 0 99); do
    local a=$((i * 5 + 1))
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"title\": \"Movie $i\", \"release_date\": \"08-02-2025\", \"actors\": [$a, $((a+1)), $((a+2)), $((a+3)), $((a+4))]}" \
      "$base/movies"
  done
}

echo "| target | endpoint | req/s | p50 | p99 | non-2xx | peak RSS |"
echo "|---|---|---:|---:|---:|---:|---:|"

run_target() {
  local name=$1
  local base=http://127.0.0.1:$PORT
  for endpoint in "GET /movies" "GET /movie-details/5" "POST /movies"; do
    local path=${endpoint#* } script=""
    [ "${endpoint%% *}" = POST ] && script="$work/post.lua"
    read -r rps p50 p99 errors < <(measure "$base$path" "$TOKEN" "$script")
    echo "| $name | $endpoint | $rps | $p50 | $p99 | $errors | $(peak_rss "$SERVER") |"
  done
}

# PostgreSQL store.
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
DB_URL="${ADMIN_URL%/*}/$DB_NAME"
start_server "$work/pg.log" DATABASE_URL="$DB_URL"
# Development mode loads no sample into PostgreSQL: seed 100 movies x 5 actors.
seed
run_target "PostgreSQL store"
kill -TERM "$SERVER"; wait "$SERVER" || true
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"

# Memory store (starts with the 4-movie sample; seed the same 100 x 5 on top).
start_server "$work/mem.log"
seed
run_target "memory store"
kill -TERM "$SERVER"; wait "$SERVER" || true

# Bare poem handler.
./target/release/examples/bare "127.0.0.1:$BARE_PORT" > /dev/null 2>&1 &
SERVER=$!
sleep 0.5
read -r rps p50 p99 errors < <(measure "http://127.0.0.1:$BARE_PORT/movies" "")
echo "| bare poem handler | GET /movies | $rps | $p50 | $p99 | $errors | $(peak_rss "$SERVER") |"
kill "$SERVER"
