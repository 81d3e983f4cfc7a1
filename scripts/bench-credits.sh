#!/usr/bin/env bash
# Load test of a credits read (docs/performance.md): wrk at 32 connections for 15 s on
# GET /movie-details/{id} and GET /movies/{id}/cast of one movie with a 20-credit cast (every
# credit with a character and a billing), against the release server on the PostgreSQL store
# (or the memory store with STORE=memory), both in one run, then the ratio of their rates.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB_NAME=casting_bench_credits
PORT=18481

cargo build --release -q -p casting-server
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true' EXIT

# STORE=memory measures the memory store instead (to tell the database's share from the rest).
STORE=${STORE:-postgres}
database=()
if [ "$STORE" = postgres ]; then
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
  database=(DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME")
fi
env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 AUTH_FAILURES_PER_MINUTE=0 PORT=$PORT RUST_LOG=warn "${database[@]}" \
  ./target/release/casting-server > "$work/server.log" 2>&1 &
for _ in $(seq 1 100); do
  grep -q '^listening on' "$work/server.log" 2>/dev/null && break
  sleep 0.1
done
TOKEN=$(awk '/^Executive Producer may:/ {getline; print; exit}' "$work/server.log")
base=http://127.0.0.1:$PORT
auth=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json')

cast="["
for i in $(seq 1 20); do
  id=$(curl -sf "${auth[@]}" -d "{\"name\": \"Actor $i\", \"age\": $((20 + i)), \"gender\": \"Other\"}" \
    "$base/actors" | sed 's/.*"id":\([0-9]*\).*/\1/')
  cast+="{\"actor\": $id, \"character\": \"Character number $i\", \"billing\": $i},"
done
cast="${cast%,}]"
movie=$(curl -sf "${auth[@]}" -d '{"title": "Twenty Credits", "release_date": "2025-02-08"}' \
  "$base/movies" | sed 's/.*"id":\([0-9]*\).*/\1/')
curl -sf -o /dev/null -X PUT "${auth[@]}" -d "{\"cast\": $cast}" "$base/movies/$movie/cast"
[ "$(curl -sf "${auth[@]}" "$base/movies/$movie/cast" | grep -o '"billing"' | wc -l)" = 20 ]

measure() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" \
    "$1" > "$work/wrk.txt"
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  echo "$rps $p50 $p99 ${errors:-0}"
}

echo "| endpoint ($STORE store, 20-credit cast) | req/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|"
read -r detail p50 p99 errors < <(measure "$base/movie-details/$movie")
echo "| GET /movie-details/$movie | $detail | $p50 | $p99 | $errors |"
read -r cast_rps p50 p99 errors < <(measure "$base/movies/$movie/cast")
echo "| GET /movies/$movie/cast | $cast_rps | $p50 | $p99 | $errors |"
awk -v a="$detail" -v b="$cast_rps" \
  'BEGIN { printf "\nGET /movie-details ÷ GET /movies/{id}/cast (time per request, cast ÷ details): %.2f\n", a / b }'
