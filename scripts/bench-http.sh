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
# directory) and measures it first, in the same run, so before/after come from one run.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints Markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB_NAME=casting_bench
PORT=18480
BARE_PORT=18490

LIKE_PORT=18491

cargo build --release -q -p casting-server
cargo build --release -q -p casting-http --example bare --example like_for_like
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; [ -n "${BASELINE_DIR:-}" ] && git worktree remove --force "$BASELINE_DIR" 2>/dev/null || true' EXIT

BINARIES=("current=./target/release/casting-server")
if [ -n "${BASELINE_REV:-}" ]; then
  BASELINE_DIR="$work/baseline"
  BASELINE_TARGET=${BASELINE_TARGET:-$PWD/target/baseline}
  git worktree add -q --detach "$BASELINE_DIR" "$BASELINE_REV"
  (cd "$BASELINE_DIR" && CARGO_TARGET_DIR="$BASELINE_TARGET" cargo build --release -q -p casting-server)
  BINARIES=("baseline=$BASELINE_TARGET/release/casting-server" "${BINARIES[@]}")
fi

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
  env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 AUTH_FAILURES_PER_MINUTE=0 PORT=$PORT RUST_LOG=warn "$@" \
    "$BINARY" > "$log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    grep -q '^listening on' "$log" 2>/dev/null && break
    sleep 0.1
  done
  TOKEN=$(awk '/^Executive Producer may:/ {getline; print; exit}' "$log")
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

echo "| server | target | endpoint | req/s | p50 | p99 | non-2xx | peak RSS |"
echo "|---|---|---|---:|---:|---:|---:|---:|"

declare -A RPS

run_target() {
  local name=$1
  local base=http://127.0.0.1:$PORT
  for endpoint in "GET /movies" "GET /movie-details/5" "POST /movies"; do
    local path=${endpoint#* } script=""
    [ "${endpoint%% *}" = POST ] && script="$work/post.lua"
    read -r rps p50 p99 errors < <(measure "$base$path" "$TOKEN" "$script")
    RPS["$LABEL|$name|$endpoint"]=$rps
    echo "| $LABEL | $name | $endpoint | $rps | $p50 | $p99 | $errors | $(peak_rss "$SERVER") |"
  done
}

for entry in "${BINARIES[@]}"; do
  LABEL=${entry%%=*}
  BINARY=${entry#*=}

  # PostgreSQL store, measured right after the seed (no statistics yet, as on a fresh
  # deployment that has just imported its catalogue).
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
  DB_URL="${ADMIN_URL%/*}/$DB_NAME"
  start_server "$work/pg.log" DATABASE_URL="$DB_URL"
  seed
  run_target "PostgreSQL store"
  kill -TERM "$SERVER"; wait "$SERVER" || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"

  # Memory store (starts with the 4-movie sample; seed the same 100 x 5 on top).
  start_server "$work/mem.log"
  seed
  run_target "memory store"
  kill -TERM "$SERVER"; wait "$SERVER" || true
done

# The two ceilings: a ceiling's name, its example binary and port; prints its row, sets CEILING.
ceiling() {
  local name=$1 example=$2 port=$3
  "./target/release/examples/$example" "127.0.0.1:$port" > /dev/null 2>&1 &
  SERVER=$!
  sleep 0.5
  read -r CEILING p50 p99 errors < <(measure "http://127.0.0.1:$port/movies" "")
  echo "| - | $name | GET /movies | $CEILING | $p50 | $p99 | $errors | $(peak_rss "$SERVER") |"
  kill "$SERVER"
}
ceiling "like-for-like poem-openapi handler" like_for_like "$LIKE_PORT"
like=$CEILING
ceiling "bare poem handler" bare "$BARE_PORT"
bare=$CEILING

echo
echo "| server | ratio | value |"
echo "|---|---|---:|"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
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
  echo "| current ÷ baseline | PostgreSQL POST /movies | $(ratio "${RPS["current|PostgreSQL store|POST /movies"]}" "${RPS["baseline|PostgreSQL store|POST /movies"]}") |"
fi
