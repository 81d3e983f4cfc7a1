#!/usr/bin/env bash
# Load test of creates (docs/performance.md, "What versions and the trail cost a create"):
# wrk at 32 connections for 10 s on POST /movies of three kinds, against the release server on
# the PostgreSQL store, seeded with 500 actors:
# - none: no cast;
# - spread: one actor each, spread over the 500 (little contention);
# - shared: the same five actors every time (every create waits for the one before: each gives
#   those actors a new version).
# BASELINE_REV=<git revision> builds that revision's server and measures it first, in the same
# run; BASELINE_BIN=<path of a casting-server binary> measures that one instead.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
. scripts/lib.sh

cargo build --release -q -p casting-server
[ -n "${BASELINE_REV:-}" ] && build_baseline "$BASELINE_REV"

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
  } > "$WORK/$kind.lua"
done

BINARIES=("current=${CARGO_TARGET_DIR:-target}/release/casting-server")
[ -n "${BASELINE_BIN:-}" ] && BINARIES=("baseline=$BASELINE_BIN" "${BINARIES[@]}")

echo "| server | POST /movies cast | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---:|---:|---:|---:|"
for entry in "${BINARIES[@]}"; do
  name=${entry%%=*}
  fresh_database casting_bench_creates
  start_server "${entry#*=}" DATABASE_URL="$DB_URL"
  for i in $(seq 1 500); do
    post_json /actors "{\"name\": \"Actor $i\", \"age\": 30, \"gender\": \"Other\"}" > /dev/null
  done
  for kind in none spread shared; do
    wrk_run "$WORK/wrk.txt" -s "$WORK/$kind.lua" "$BASE"
    read -r rps p50 p99 errors < <(wrk_numbers "$WORK/wrk.txt")
    echo "| $name | $kind | $rps | $p50 | $p99 | $errors |"
  done
  stop_server
done
