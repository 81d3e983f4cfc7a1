#!/usr/bin/env bash
# GET /movies against GET /movie-details/5 on the PostgreSQL store (docs/performance.md, "The
# list and the detail, alternating"): the release server seeded as bench-http.sh seeds it (100
# movies of 5 actors), 3 s of each endpoint to warm up, then wrk -t2 -c32 for 8 s on each
# endpoint, alternately, ROUNDS times, with the server's own CPU time per request (utime +
# stime from /proc around each run: steadier than req/s on a shared machine). Once with
# sslmode=prefer (sqlx's default: TLS when PostgreSQL offers it) and once with
# sslmode=disable, each on a fresh database.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8s}
ROUNDS=${ROUNDS:-2}
. scripts/lib.sh

cargo build --release -q -p casting-server
binary=${CARGO_TARGET_DIR:-target}/release/casting-server
ticks=$(getconf CLK_TCK)

# The server's CPU time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }

echo "| sslmode | round | endpoint | req/s | p99 | server CPU per request |"
echo "|---|---:|---|---:|---:|---:|"
for mode in prefer disable; do
  fresh_database casting_bench_list
  start_server "$binary" DATABASE_URL="$DB_URL?sslmode=$mode"
  seed_catalogue
  # A warm-up of each endpoint, not recorded: the pool's connections, their prepared
  # statements, and the autovacuum that the seed sets off would otherwise fall on the first row.
  for path in /movies /movie-details/5; do
    DURATION=3s wrk_run "$WORK/wrk.txt" -H "Authorization: Bearer $TOKEN" "$BASE$path"
  done
  for round in $(seq 1 "$ROUNDS"); do
    for path in /movies /movie-details/5; do
      before=$(cpu)
      wrk_run "$WORK/wrk.txt" -H "Authorization: Bearer $TOKEN" "$BASE$path"
      after=$(cpu)
      read -r rps _ p99 _ < <(wrk_numbers "$WORK/wrk.txt")
      requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
      per=$(awk -v t=$((after - before)) -v hz="$ticks" -v n="$requests" \
        'BEGIN { printf "%.1f µs", t / hz * 1e6 / n }')
      echo "| $mode | $round | GET $path | $rps | $p99 | $per |"
    done
  done
  stop_server
done
