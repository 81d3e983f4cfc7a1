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
. scripts/lib.sh

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${FUZZ_EXAMPLES:-100}
SEED=${FUZZ_SEED:-20261127}
TOOLS=${LINT_TOOLS:-/tmp/casting-lint-tools}

st="$TOOLS/st-venv/bin/schemathesis"
if ! "$TOOLS/st-venv/bin/pip" show schemathesis 2>/dev/null | grep -qx "Version: $SCHEMATHESIS_VERSION"; then
  mkdir -p "$TOOLS"
  python3 -m venv "$TOOLS/st-venv"
  "$TOOLS/st-venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
server_bin="${CARGO_TARGET_DIR:-target}/debug/casting-server"
[ -x "$server_bin" ] || cargo build -q -p casting-server

fuzz() {
  local store=$1
  shift
  start_server "$server_bin" METRICS_ADDR=off RUST_LOG=error "$@"
  local base=$BASE token=$TOKEN
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
  # GET /changes is left out: a schema-valid `wait` (up to 60 s) holds each request that finds
  # nothing after its cursor, so its cases would take hours. Its parameters, answers and errors
  # are tested in casting-http's suite (tests/http/changes.rs).
  if ! "$st" --config-file docs/schemathesis.toml run "$base/openapi.json" \
    --exclude-operation-id readChanges \
    -H "Authorization: Bearer $token" --checks all --max-examples "$EXAMPLES" \
    --seed "$SEED" --workers 1 --no-color > "$WORK/st.txt" 2>&1; then
    cat "$WORK/st.txt"
    echo "schemathesis: findings on the $store store"
    exit 1
  fi
  grep -E "generated|passed" "$WORK/st.txt" | tail -2
  stop_server
}

fuzz memory
if [ -n "${DATABASE_URL:-}" ]; then
  ADMIN_URL=$DATABASE_URL
  fresh_database casting_fuzz
  fuzz postgresql DATABASE_URL="$DB_URL"
elif [ "${CASTING_REQUIRE_DB:-}" = 1 ]; then
  echo "fuzz-spec: CASTING_REQUIRE_DB=1 but DATABASE_URL is not set"
  exit 1
else
  echo "SKIPPED: Schemathesis on PostgreSQL (DATABASE_URL is not set)"
fi
