#!/usr/bin/env bash
# What response compression costs (docs/performance.md): the release server in development
# mode (memory store; metrics off), 100 movies, then the size of three answers in each coding
# and wrk (-t2 -c32 -d8s, same 2 cores) on GET /movies (about 1 KB: under the 1 KiB threshold)
# and GET /movies?per_page=100 (about 10 KB) asking identity, gzip and br, two rounds.
# Needs: wrk, curl; builds target/release/casting-server first.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8s}
. scripts/lib.sh

cargo build --release -q -p casting-server
start_server "${CARGO_TARGET_DIR:-target}/release/casting-server" METRICS_ADDR=off
for i in $(seq 1 96); do
  post_json /movies "{\"title\": \"A movie title of ordinary length $i\", \"release_date\": \"2025-02-08\"}" > /dev/null
done
size() { curl -s -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: $2" "$BASE$1" | wc -c; }
for p in "/movies" "/movies?per_page=100" "/docs"; do
  echo "size $p: identity $(size "$p" identity) gzip $(size "$p" gzip) br $(size "$p" br)"
done
rate() {
  wrk_run "$WORK/wrk.txt" -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: $2" "$BASE$1"
  wrk_numbers "$WORK/wrk.txt" | cut -d' ' -f1
}
for round in 1 2; do
  for p in "/movies" "/movies?per_page=100"; do
    for e in identity gzip br; do echo "$round $p $e $(rate "$p" $e)"; done
  done
done
