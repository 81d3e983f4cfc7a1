#!/usr/bin/env bash
# What response compression costs (docs/performance.md): the release server in development
# mode (memory store; metrics off), 100 movies, then the size of three answers in each coding
# and wrk (-t2 -c32 -d8s, same 2 cores) on GET /movies (about 1 KB: under the 1 KiB threshold)
# and GET /movies?per_page=100 (about 10 KB) asking identity, gzip and br, two rounds.
# Needs: wrk, curl; builds target/release/casting-server first.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p casting-server
env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 AUTH_FAILURES_PER_MINUTE=0 PORT=18530 RUST_LOG=warn METRICS_ADDR=off ./target/release/casting-server > /tmp/c.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q '^listening on' /tmp/c.log 2>/dev/null && break; sleep 0.1; done
TOKEN=$(awk '/^Executive Producer may:/ {getline; print; exit}' /tmp/c.log)
for i in $(seq 1 96); do curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "{\"title\": \"A movie title of ordinary length $i\", \"release_date\": \"2025-02-08\"}" http://127.0.0.1:18530/movies; done
size() { curl -s -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: $2" "http://127.0.0.1:18530$1" | wc -c; }
for p in "/movies" "/movies?per_page=100" "/docs"; do echo "size $p: identity $(size "$p" identity) gzip $(size "$p" gzip) br $(size "$p" br)"; done
w() { wrk -t2 -c32 -d8s -H "Authorization: Bearer $TOKEN" -H "Accept-Encoding: $2" "http://127.0.0.1:18530$1" | awk '/Requests\/sec/ {print $2}'; }
for round in 1 2; do
  for p in "/movies" "/movies?per_page=100"; do
    for e in identity gzip br; do echo "$round $p $e $(w "$p" $e)"; done
  done
done
kill $pid
