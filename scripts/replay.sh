#!/usr/bin/env bash
# The recorded-requests check of a refactor: the same fixed set of requests
# (scripts/replay/requests.py: successes, every error class, conditional and idempotent
# requests, CORS, 405/413, the spec and Swagger UI) against the development server (memory
# store, sample catalogue) of BASELINE_REV and of this tree, and the two transcripts compared
# line for line. Timestamps are normalised; everything else must be byte for byte the same.
#
# BASELINE_REV defaults to HEAD. Exits 1 and prints the difference when the answers differ.
# Needs: python3. Builds both servers (release, the baseline in its own worktree and target).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

cargo build --release -q -p casting-server
build_baseline "${BASELINE_REV:-HEAD}"

transcript() {
  start_server "$1" METRICS_ADDR=off
  python3 scripts/replay/requests.py "$BASE" "$SERVER_LOG" > "$2"
  stop_server
}
transcript "$BASELINE_BIN" "$WORK/baseline.txt"
transcript "${CARGO_TARGET_DIR:-target}/release/casting-server" "$WORK/current.txt"

requests=$(grep -c '^[A-Z]* /' "$WORK/current.txt")
if diff -u "$WORK/baseline.txt" "$WORK/current.txt"; then
  echo "replay: $requests requests, the same answers as ${BASELINE_REV:-HEAD}"
else
  echo "replay: the answers differ from ${BASELINE_REV:-HEAD} (above)"
  exit 1
fi
