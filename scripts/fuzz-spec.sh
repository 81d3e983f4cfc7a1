#!/usr/bin/env bash
# Fuzzes the running server against its own OpenAPI document with Schemathesis (every check,
# docs/schemathesis.toml), on the memory store and on PostgreSQL, with an Executive Producer's
# development token, a fixed seed and a bounded budget; fails on any finding (a 5xx, an answer
# the spec does not describe, a valid request refused, an invalid one accepted).
#
# Needs: the debug casting-server in $CARGO_TARGET_DIR or target/ (built by `cargo test`, or here), python3 (Schemathesis
# is installed from PyPI at a pinned version into $LINT_TOOLS on first use), and for the
# PostgreSQL run $DATABASE_URL of a role that may create databases (skipped without it, unless
# CASTING_REQUIRE_DB=1), and curl. The PostgreSQL database is made fresh and given a catalogue
# of the sample's size through the API first.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${FUZZ_EXAMPLES:-100}
SEED=${FUZZ_SEED:-20261127}
TOOLS=${LINT_TOOLS:-/tmp/casting-lint-tools}
DB_NAME=casting_fuzz

st="$TOOLS/st-venv/bin/schemathesis"
if ! "$TOOLS/st-venv/bin/pip" show schemathesis 2>/dev/null | grep -qx "Version: $SCHEMATHESIS_VERSION"; then
  mkdir -p "$TOOLS"
  python3 -m venv "$TOOLS/st-venv"
  "$TOOLS/st-venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
server_bin="${CARGO_TARGET_DIR:-target}/debug/casting-server"
[ -x "$server_bin" ] || cargo build -q -p casting-server

work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  rm -rf "$work"
  if [ -n "${DATABASE_URL:-}" ]; then
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" 2>/dev/null || true
  fi
}
trap cleanup EXIT

fuzz() {
  local store=$1
  shift
  env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 AUTH_FAILURES_PER_MINUTE=0 PORT=0 METRICS_ADDR=off RUST_LOG=error "$@" \
    "$server_bin" > "$work/server.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 300); do
    grep -q '^listening on' "$work/server.log" 2>/dev/null && break
    sleep 0.1
  done
  local base token
  base=$(sed -n 's/^listening on //p' "$work/server.log")
  if [ -z "$base" ]; then
    cat "$work/server.log"
    echo "fuzz-spec: the $store server did not start"
    exit 1
  fi
  token=$(awk '/^Executive Producer may:/ {getline; print; exit}' "$work/server.log")
  if [ "$store" = postgresql ]; then
    # The same small catalogue the memory store's sample has (four actors, four movies with
    # casts), so that operations on an id reach existing records here too, not only 404s.
    local auth=(-sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json')
    for i in 1 2 3 4; do
      curl "${auth[@]}" -d "{\"name\": \"Fuzz Actor $i\", \"age\": $((30 + i)), \"gender\": \"Other\"}" "$base/actors"
    done
    for i in 1 2 3 4; do
      curl "${auth[@]}" -d "{\"title\": \"Fuzz Movie $i\", \"release_date\": \"0$i-02-2025\", \"actors\": [$i, $(( i % 4 + 1 ))]}" "$base/movies"
    done
  fi
  echo "Schemathesis $SCHEMATHESIS_VERSION, $store store, $EXAMPLES examples per operation, seed $SEED:"
  if ! "$st" --config-file docs/schemathesis.toml run "$base/openapi.json" \
    -H "Authorization: Bearer $token" --checks all --max-examples "$EXAMPLES" \
    --seed "$SEED" --workers 1 --no-color > "$work/st.txt" 2>&1; then
    cat "$work/st.txt"
    echo "schemathesis: findings on the $store store"
    exit 1
  fi
  grep -E "generated|passed" "$work/st.txt" | tail -2
  kill "$server"
  wait "$server" 2>/dev/null || true
}

fuzz memory
if [ -n "${DATABASE_URL:-}" ]; then
  psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
  fuzz postgresql DATABASE_URL="${DATABASE_URL%/*}/$DB_NAME"
elif [ "${CASTING_REQUIRE_DB:-}" = 1 ]; then
  echo "fuzz-spec: CASTING_REQUIRE_DB=1 but DATABASE_URL is not set"
  exit 1
else
  echo "SKIPPED: Schemathesis on PostgreSQL (DATABASE_URL is not set)"
fi
