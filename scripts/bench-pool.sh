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
ROUNDS=${ROUNDS:-3}
. scripts/lib.sh

cargo build --release -q -p casting-server
build_baseline "${BASELINE_REV:-HEAD~1}"
declare -A BINARY=([baseline]="$BASELINE_BIN" [current]="${CARGO_TARGET_DIR:-target}/release/casting-server")

fresh_database casting_bench_pool

# The catalogue: 100 movies of 5 actors each, made by the current server.
start_server "${BINARY[current]}" DATABASE_URL="$DB_URL"
for i in $(seq 1 100); do
  post_json /actors "{\"name\": \"Actor $i\", \"age\": 30, \"gender\": \"Female\"}" > /dev/null
done
for i in $(seq 1 100); do
  cast=$(( (i - 1) % 96 + 1 ))
  post_json /movies "{\"title\": \"Movie $i\", \"release_date\": \"2025-02-08\", \"actors\": [$cast, $((cast + 1)), $((cast + 2)), $((cast + 3)), $((cast + 4))]}" > /dev/null
done
stop_server

echo "| round | server | endpoint | req/s | p50 | p99 | non-2xx |"
echo "|---:|---|---|---:|---:|---:|---:|"
: > "$WORK/rates"
for path in /movie-details/50 /movies; do
  for round in $(seq 1 "$ROUNDS"); do
    for name in baseline current; do
      start_server "${BINARY[$name]}" DATABASE_URL="$DB_URL"
      wrk_run "$WORK/wrk.txt" -H "Authorization: Bearer $TOKEN" "$BASE$path"
      read -r rps p50 p99 errors < <(wrk_numbers "$WORK/wrk.txt")
      stop_server
      echo "| $round | $name | GET $path | $rps | $p50 | $p99 | $errors |"
      echo "$path $name $rps" >> "$WORK/rates"
    done
  done
done
echo
awk '{ sum[$1 " " $2] += $3; n[$1 " " $2]++ }
  END {
    for (key in sum) { split(key, k, " "); mean[k[1], k[2]] = sum[key] / n[key]; paths[k[1]] = 1 }
    for (p in paths) printf "GET %s: current ÷ baseline = %.3f (mean req/s %.0f vs %.0f)\n",
      p, mean[p, "current"] / mean[p, "baseline"], mean[p, "current"], mean[p, "baseline"]
  }' "$WORK/rates"
