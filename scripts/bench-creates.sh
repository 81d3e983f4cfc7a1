#!/usr/bin/env bash
# Load test of creates (docs/performance.md, "What versions and the trail cost a create"):
# wrk at 32 connections for 10 s on POST /movies of three kinds, against the release server on
# the PostgreSQL store, seeded with 500 actors:
# - none: no cast;
# - spread: one actor each, spread over the 500 (little contention);
# - shared: the same five actors every time (every create waits for the one before: each gives
#   those actors a new version).
# BASELINE_BIN=<path of another casting-server binary> measures it first, in the same run (for
# example target/baseline/release/casting-server, as `BASELINE_REV=… scripts/bench-http.sh`
# leaves it).
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB_NAME=casting_bench_creates
PORT=18483

cargo build --release -q -p casting-server
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true' EXIT

# One script per kind of create; `body(n)` is the n-th request's body.
for kind in none spread shared; do
  case $kind in
    none) body='return [[{"title": "Create", "release_date": "08-02-2025"}]]' ;;
    spread) body='return [[{"title": "Create", "release_date": "08-02-2025", "actors": []] .. (n * 7919 % 500 + 1) .. "]}"' ;;
    shared) body='return [[{"title": "Create", "release_date": "08-02-2025", "actors": [1, 2, 3, 4, 5]}]]' ;;
  esac
  {
    echo 'local n = 0'
    echo 'local auth = "Bearer " .. os.getenv("TOKEN")'
    echo "local function body(n) $body end"
    echo 'function request()'
    echo '  n = n + 1'
    echo '  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = auth }'
    echo '  return wrk.format("POST", "/movies", headers, body(n))'
    echo 'end'
  } > "$work/$kind.lua"
done

BINARIES=("current=./target/release/casting-server")
[ -n "${BASELINE_BIN:-}" ] && BINARIES=("baseline=$BASELINE_BIN" "${BINARIES[@]}")

echo "| server | POST /movies cast | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
for entry in "${BINARIES[@]}"; do
  name=${entry%%=*}
  binary=${entry#*=}
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" 2>/dev/null
  env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 AUTH_FAILURES_PER_MINUTE=0 PORT=$PORT RUST_LOG=warn DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME" \
    "$binary" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    grep -q '^listening on' "$work/server.log" 2>/dev/null && break
    sleep 0.1
  done
  TOKEN=$(awk '/^Executive Producer may:/ {getline; print; exit}' "$work/server.log")
  export TOKEN
  for i in $(seq 1 500); do
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"name\": \"Actor $i\", \"age\": 30, \"gender\": \"Other\"}" "http://127.0.0.1:$PORT/actors"
  done
  for kind in none spread shared; do
    wrk -t2 -c32 -d"$DURATION" --latency -s "$work/$kind.lua" "http://127.0.0.1:$PORT" > "$work/wrk.txt"
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
    errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
    echo "| $name | $kind | $rps | $p50 | $p99 | ${errors:-0} |"
  done
  kill "$server"
  wait "$server" 2>/dev/null || true
done
