#!/usr/bin/env bash
# Load test of the release server (docs/performance.md): wrk at 32 connections for 15 s on
# GET /movies, GET /movie-details/5 and POST /movies with a valid token, against the PostgreSQL
# store, the memory store, and two ceilings, in one run:
# - like for like: a bare poem-openapi operation answering GET /movies with the same 10-movie
#   body the server sends (casting-http/examples/like_for_like.rs), no auth, store or middleware;
# - bare poem: a plain poem handler with a smaller JSON body (casting-http/examples/bare.rs).
# Ratios against both are printed at the end.
#
# BASELINE_REV=<git revision> also builds that revision's server (in a worktree, its own target
# directory) and measures it first, in the same run, so before/after come from one run;
# BASELINE_BIN=<path of a casting-server binary> measures that one instead.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints Markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

cargo build --release -q -p casting-server
cargo build --release -q -p casting-http --example bare --example like_for_like
target=${CARGO_TARGET_DIR:-target}/release

BINARIES=("current=$target/casting-server")
[ -n "${BASELINE_REV:-}" ] && build_baseline "$BASELINE_REV"
[ -n "${BASELINE_BIN:-}" ] && BINARIES=("baseline=$BASELINE_BIN" "${BINARIES[@]}")

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title": "Load Test", "release_date": "08-02-2025", "actors": [1, 2, 3, 4, 5]}'
LUA

echo "| server | target | endpoint | req/s | p50 | p99 | non-2xx | peak RSS |"
echo "|---|---|---|---:|---:|---:|---:|---:|"

declare -A RPS

run_target() {
  local name=$1 endpoint path args
  for endpoint in "GET /movies" "GET /movie-details/5" "POST /movies"; do
    path=${endpoint#* }
    args=(-H "Authorization: Bearer $TOKEN")
    [ "${endpoint%% *}" = POST ] && args+=(-s "$WORK/post.lua")
    wrk_run "$WORK/wrk.txt" "${args[@]}" "$BASE$path"
    read -r rps p50 p99 errors < <(wrk_numbers "$WORK/wrk.txt")
    RPS["$LABEL|$name|$endpoint"]=$rps
    echo "| $LABEL | $name | $endpoint | $rps | $p50 | $p99 | $errors | $(peak_rss "$SERVER") |"
  done
}

for entry in "${BINARIES[@]}"; do
  LABEL=${entry%%=*}
  binary=${entry#*=}

  # PostgreSQL store, measured right after the seed (no statistics yet, as on a fresh
  # deployment that has just imported its catalogue).
  fresh_database casting_bench
  start_server "$binary" DATABASE_URL="$DB_URL"
  seed_catalogue
  run_target "PostgreSQL store"
  stop_server

  # Memory store (starts with the 4-movie sample; seed the same 100 x 5 on top).
  start_server "$binary"
  seed_catalogue
  run_target "memory store"
  stop_server
done

# The two ceilings: a ceiling's name and its example binary; prints its row, sets CEILING.
ceiling() {
  local name=$1 example=$2 port
  port=$(free_port)
  "$target/examples/$example" "127.0.0.1:$port" > /dev/null 2>&1 &
  SERVER=$!
  sleep 0.5
  wrk_run "$WORK/wrk.txt" "http://127.0.0.1:$port/movies"
  read -r CEILING p50 p99 errors < <(wrk_numbers "$WORK/wrk.txt")
  echo "| - | $name | GET /movies | $CEILING | $p50 | $p99 | $errors | $(peak_rss "$SERVER") |"
  stop_server
}
ceiling "like-for-like poem-openapi handler" like_for_like
like=$CEILING
ceiling "bare poem handler" bare
bare=$CEILING

echo
echo "| server | ratio | value |"
echo "|---|---|---:|"
for entry in "${BINARIES[@]}"; do
  LABEL=${entry%%=*}
  mem=${RPS["$LABEL|memory store|GET /movies"]}
  pg=${RPS["$LABEL|PostgreSQL store|GET /movies"]}
  pg_detail=${RPS["$LABEL|PostgreSQL store|GET /movie-details/5"]}
  echo "| $LABEL | memory GET /movies ÷ like-for-like | $(ratio "$mem" "$like") |"
  echo "| $LABEL | memory GET /movies ÷ bare poem | $(ratio "$mem" "$bare") |"
  echo "| $LABEL | PostgreSQL GET /movies ÷ its GET /movie-details/5 | $(ratio "$pg" "$pg_detail") |"
  echo "| $LABEL | PostgreSQL GET /movies ÷ memory GET /movies | $(ratio "$pg" "$mem") |"
done
if [ ${#BINARIES[@]} -gt 1 ]; then
  for endpoint in "GET /movies" "POST /movies"; do
    for store in "PostgreSQL store" "memory store"; do
      echo "| current ÷ baseline | $store $endpoint | $(ratio "${RPS["current|$store|$endpoint"]}" "${RPS["baseline|$store|$endpoint"]}") |"
    done
  done
fi
