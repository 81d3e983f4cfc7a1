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
. scripts/lib.sh

cargo build --release -q -p casting-server

# STORE=memory measures the memory store instead (to tell the database's share from the rest).
STORE=${STORE:-postgres}
database=()
if [ "$STORE" = postgres ]; then
  fresh_database casting_bench_credits
  database=(DATABASE_URL="$DB_URL")
fi
start_server "${CARGO_TARGET_DIR:-target}/release/casting-server" "${database[@]}"
auth=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json')

cast="["
for i in $(seq 1 20); do
  id=$(post_json /actors "{\"name\": \"Actor $i\", \"age\": $((20 + i)), \"gender\": \"Other\"}")
  cast+="{\"actor\": $id, \"character\": \"Character number $i\", \"billing\": $i},"
done
cast="${cast%,}]"
movie=$(post_json /movies '{"title": "Twenty Credits", "release_date": "2025-02-08"}')
curl -sf -o /dev/null -X PUT "${auth[@]}" -d "{\"cast\": $cast}" "$BASE/movies/$movie/cast"
[ "$(curl -sf "${auth[@]}" "$BASE/movies/$movie/cast" | grep -o '"billing"' | wc -l)" = 20 ]

measure() {
  wrk_run "$WORK/wrk.txt" -H "Authorization: Bearer $TOKEN" "$1"
  wrk_numbers "$WORK/wrk.txt"
}

echo "| endpoint ($STORE store, 20-credit cast) | req/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|"
read -r detail p50 p99 errors < <(measure "$BASE/movie-details/$movie")
echo "| GET /movie-details/$movie | $detail | $p50 | $p99 | $errors |"
read -r cast_rps p50 p99 errors < <(measure "$BASE/movies/$movie/cast")
echo "| GET /movies/$movie/cast | $cast_rps | $p50 | $p99 | $errors |"
echo
echo "GET /movie-details ÷ GET /movies/{id}/cast (time per request, cast ÷ details): $(ratio "$detail" "$cast_rps")"
