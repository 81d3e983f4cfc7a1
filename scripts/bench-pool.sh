#!/usr/bin/env bash
# What the pool's liveness check costs reads on PostgreSQL (docs/performance.md): the release
# server of this tree against one built from BASELINE_REV (default HEAD~1), on one database,
# alternating baseline and current three times per endpoint so that drift weighs on both.
# wrk at 32 connections, 10 s per row, GET /movie-details/{id} and GET /movies.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints a Markdown table and the mean
# ratio (current ÷ baseline, req/s) per endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
BASELINE_REV=${BASELINE_REV:-HEAD~1}
BASELINE_TARGET=${BASELINE_TARGET:-$PWD/target/baseline}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB_NAME=casting_bench_pool
PORT=18483

cargo build --release -q -p casting-server
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$work/baseline" 2>/dev/null || true; rm -rf "$work"; psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true' EXIT
git worktree add -q --detach "$work/baseline" "$BASELINE_REV"
(cd "$work/baseline" && CARGO_TARGET_DIR="$BASELINE_TARGET" cargo build --release -q -p casting-server)
declare -A BINARY=([baseline]="$BASELINE_TARGET/release/casting-server" [current]=./target/release/casting-server)

psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
base=http://127.0.0.1:$PORT

# Starts a server; sets TOKEN (an Executive Producer's development token).
start() {
  env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 AUTH_FAILURES_PER_MINUTE=0 PORT=$PORT RUST_LOG=warn DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME" \
    "${BINARY[$1]}" > "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    grep -q '^listening on' "$work/server.log" 2>/dev/null && break
    sleep 0.1
  done
  TOKEN=$(awk '/^Executive Producer may:/ {getline; print; exit}' "$work/server.log")
}
stop() {
  kill "$server"
  wait "$server" 2>/dev/null || true
}

# The catalogue: 100 movies of 5 actors each, made by the current server.
start current
auth=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json')
for i in $(seq 1 100); do
  curl -sf "${auth[@]}" -d "{\"name\": \"Actor $i\", \"age\": 30, \"gender\": \"Female\"}" \
    "$base/actors" > /dev/null
done
for i in $(seq 1 100); do
  cast=$(( (i - 1) % 96 + 1 ))
  curl -sf "${auth[@]}" -o /dev/null \
    -d "{\"title\": \"Movie $i\", \"release_date\": \"2025-02-08\", \"actors\": [$cast, $((cast + 1)), $((cast + 2)), $((cast + 3)), $((cast + 4))]}" \
    "$base/movies"
done
stop

measure() {
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" \
    "$base$1" > "$work/wrk.txt"
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  echo "$rps $p50 $p99 ${errors:-0}"
}

echo "| round | server | endpoint | req/s | p50 | p99 | non-2xx |"
echo "|---:|---|---|---:|---:|---:|---:|"
: > "$work/rates"
for path in /movie-details/50 /movies; do
  for round in $(seq 1 "$ROUNDS"); do
    for name in baseline current; do
      start "$name"
      read -r rps p50 p99 errors < <(measure "$path")
      stop
      echo "| $round | $name | GET $path | $rps | $p50 | $p99 | $errors |"
      echo "$path $name $rps" >> "$work/rates"
    done
  done
done
echo
awk '{ sum[$1 " " $2] += $3; n[$1 " " $2]++ }
  END {
    for (key in sum) { split(key, k, " "); mean[k[1], k[2]] = sum[key] / n[key]; paths[k[1]] = 1 }
    for (p in paths) printf "GET %s: current ÷ baseline = %.3f (mean req/s %.0f vs %.0f)\n",
      p, mean[p, "current"] / mean[p, "baseline"], mean[p, "current"], mean[p, "baseline"]
  }' "$work/rates"
