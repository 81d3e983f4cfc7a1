#!/usr/bin/env bash
# What the rate limits cost and what they save (docs/performance.md), in one run, on release
# builds of casting-http's `limits_server` example (the API over a memory store of 100 movies,
# real RS256 checks, the verified-token cache on):
#
# 1. A flood of distinct forged tokens: a good client (1 connection, one valid token) measures
#    GET /movies alone, then again while another loopback address (127.0.0.2) floods 32
#    connections of distinct bad-signature tokens; with AUTH_FAILURES_PER_MINUTE=0 ("before":
#    every forged token is verified) and =60 ("after": the flood is answered 429 unverified).
#    Reports the good client's p50/p99, the flood's answers per second, the server's CPU.
# 2. The limiter on the hot path: GET /movies at 32 connections rotating 1000 subjects' tokens,
#    limits on (6000 a minute, never reached) against RATE_LIMIT_PER_MINUTE=0, alternating.
#    SKIP_FLOOD=1 runs only this part.
#
# Needs: wrk (Debian package). Only loopback addresses are used.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-4}
. scripts/lib.sh

PORT=$(free_port)
URL=http://127.0.0.1:$PORT/movies
work=$WORK

cargo build --release -q -p casting-http --example limits_server --example flood
target=${CARGO_TARGET_DIR:-target}/release/examples

cat > "$work/rotate.lua" <<'LUA'
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, { Authorization = "Bearer " .. tokens[i % #tokens + 1] })
end
LUA

# Starts the server with these limits: PER_MINUTE BURST FAILURES.
start() {
  "$target/limits_server" "127.0.0.1:$PORT" "$work/tokens" 1000 "$@" > "$work/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    grep -q '^listening on' "$work/server.log" 2>/dev/null && break
    sleep 0.1
  done
  TOKEN=$(head -n 1 "$work/tokens")
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

# The server's CPU seconds so far (user + system).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$SERVER/stat"; }

# wrk's "req/s p50 p99 non-2xx" for: CONNECTIONS SECONDS [wrk args…]
wrk_summary() {
  local connections=$1 seconds=$2; shift 2
  wrk -t1 -c"$connections" -d"${seconds}s" --latency "$@" > "$work/wrk.txt"
  wrk_numbers "$work/wrk.txt"
}

if [ -z "${SKIP_FLOOD:-}" ]; then
echo "### A flood of forged tokens from 127.0.0.2 (${DURATION} s, 32 connections)"
echo
echo "| AUTH_FAILURES_PER_MINUTE | good client alone p50 / p99 | good client in the flood p50 / p99 (req/s) | flood answered/s | flood statuses | server CPU in the flood |"
echo "|---|---|---|---|---|---|"
for failures in 0 60; do
  start 0 300 "$failures"
  read -r _ alone50 alone99 _ < <(wrk_summary 1 5 -H "Authorization: Bearer $TOKEN" "$URL")
  before=$(cpu)
  "$target/flood" "$URL" "$TOKEN" 127.0.0.2 32 "$DURATION" > "$work/flood.txt" &
  flood=$!
  read -r rps p50 p99 errors < <(wrk_summary 1 "$((DURATION - 2))" -H "Authorization: Bearer $TOKEN" "$URL")
  wait "$flood"
  after=$(cpu)
  read -r _ answered per_second statuses < "$work/flood.txt"
  used=$(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.1f", a - b}')
  echo "| $failures | $alone50 / $alone99 | $p50 / $p99 ($rps; non-2xx $errors) | $per_second | $statuses | ${used} s of ${DURATION} s |"
  stop
done
echo
fi

echo "### The limiter on the hot path: GET /movies, 32 connections, 1000 subjects (${DURATION} s each)"
echo
echo "| round | limits off req/s (p99) | limits on, not reached, req/s (p99) | on ÷ off |"
echo "|---|---|---|---|"
# Off then on in odd rounds, on then off in even ones, so a drift of the machine favours neither.
measure_off() {
  start 0 300 0
  read -r off _ off99 _ < <(TOKENS="$work/tokens" wrk_summary 32 "$DURATION" -s "$work/rotate.lua" "$URL")
  stop
}
measure_on() {
  start 6000 300 60
  read -r on _ on99 errors < <(TOKENS="$work/tokens" wrk_summary 32 "$DURATION" -s "$work/rotate.lua" "$URL")
  stop
  [ "$errors" = "0" ] || echo "warning: $errors non-2xx answers with limits on (a limit was reached)" >&2
}
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then measure_off; measure_on; else measure_on; measure_off; fi
  ratio=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a / b}')
  echo "| $round | $off ($off99) | $on ($on99) | $ratio |"
done
