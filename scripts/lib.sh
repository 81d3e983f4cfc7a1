# Sourced by the scripts under scripts/: what they all need, written once.
#
#   WORK                     a temporary directory, removed at exit
#   at_exit CMD              runs CMD at exit (after the servers are stopped), last added first
#   free_port                a free TCP port on 127.0.0.1
#   start_server BIN [VAR=value…]
#                            starts a casting-server (development tokens, limits off, PORT=0,
#                            RUST_LOG=warn) with only these variables and the ones given;
#                            waits until it listens; sets SERVER (pid), BASE (its URL), TOKEN
#                            (an Executive Producer's token) and SERVER_LOG (its output); fails
#                            with its log if it does not
#   stop_server              stops the server start_server started
#   fresh_database NAME      (re)creates database NAME on $ADMIN_URL, dropped at exit; sets DB_URL
#   wrk_numbers FILE         wrk --latency output as "req/s p50 p99 non-2xx"
#   wrk_run FILE [wrk args…] runs wrk (THREADS, CONNECTIONS, DURATION) into FILE
#   build_baseline REV       builds casting-server at REV in a worktree; sets BASELINE_BIN
#   ratio A B                A ÷ B to two decimals ("-" when B is 0)
#   peak_rss PID             the process's peak resident set, in MiB
#   post_json PATH JSON      POSTs JSON to $BASE$PATH with $TOKEN; prints the answer's id
#   seed_catalogue           500 actors, then 100 movies of 5 actors each, through the API
#
# Every server listens on a port of its own (PORT=0), so scripts never collide, and only on
# loopback.

set -euo pipefail

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-15s}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}

WORK=$(mktemp -d)
_AT_EXIT=()
SERVER=""

at_exit() { _AT_EXIT=("$1" "${_AT_EXIT[@]}"); }

_lib_exit() {
  local status=$?
  kill $(jobs -p) 2> /dev/null || true
  wait 2> /dev/null || true
  local command
  for command in "${_AT_EXIT[@]}"; do
    eval "$command" || true
  done
  rm -rf "$WORK"
  return "$status"
}
trap _lib_exit EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_server() {
  local binary=$1
  shift
  local log="$WORK/server-$RANDOM.log"
  SERVER_LOG=$log
  env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 \
    AUTH_FAILURES_PER_MINUTE=0 PORT=0 RUST_LOG=warn "$@" \
    "$binary" > "$log" 2>&1 &
  SERVER=$!
  local _
  for _ in $(seq 1 300); do
    grep -q '^listening on' "$log" 2> /dev/null && break
    kill -0 "$SERVER" 2> /dev/null || break
    sleep 0.1
  done
  BASE=$(sed -n 's/^listening on //p' "$log" | head -n 1)
  TOKEN=$(awk '/^Executive Producer may:/ {getline; print; exit}' "$log")
  if [ -z "$BASE" ] || [ -z "$TOKEN" ]; then
    cat "$log" >&2
    echo "$(basename "$0"): $binary did not start" >&2
    return 1
  fi
  export TOKEN
}

stop_server() {
  [ -n "$SERVER" ] || return 0
  kill -TERM "$SERVER" 2> /dev/null || true
  wait "$SERVER" 2> /dev/null || true
  SERVER=""
}

fresh_database() {
  local name=$1
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" \
    > /dev/null
  at_exit "psql '$ADMIN_URL' -qc 'DROP DATABASE IF EXISTS $name WITH (FORCE)' > /dev/null 2>&1"
  DB_URL="${ADMIN_URL%/*}/$name"
}

wrk_numbers() {
  local file=$1 rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$file")
  p50=$(awk '$1=="50%" {print $2}' "$file")
  p99=$(awk '$1=="99%" {print $2}' "$file")
  errors=$(awk '/Non-2xx/ {print $5}' "$file")
  echo "$rps $p50 $p99 ${errors:-0}"
}

wrk_run() {
  local file=$1
  shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" > "$file"
}

build_baseline() {
  local rev target dir
  rev=$(git rev-parse --short "$1")
  target=${BASELINE_TARGET:-$PWD/target/baseline}
  # One checkout per revision, kept beside its target directory, which every revision shares
  # (the dependencies are built once).
  dir="$target/src-$rev"
  if [ ! -e "$dir/Cargo.toml" ]; then
    git worktree prune
    git worktree add -q --detach "$dir" "$rev"
  fi
  # The workspace's own crates are fingerprinted by their path within the workspace, and the
  # files they were built from are the other checkout's: after another revision was built
  # here, cargo would call them fresh. Forget them when the revision changes.
  if [ "$(cat "$target/.baseline-rev" 2> /dev/null)" != "$rev" ]; then
    rm -rf "$target"/release/.fingerprint/casting-*
  fi
  (cd "$dir" && CARGO_TARGET_DIR="$target" cargo build --release -q -p casting-server)
  echo "$rev" > "$target/.baseline-rev"
  BASELINE_BIN="$target/release/casting-server"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

peak_rss() { awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$1/status"; }

post_json() {
  curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$2" \
    "$BASE$1" | sed -n 's/.*"id":\([0-9]*\).*/\1/p'
}

seed_catalogue() {
  local i a
  for i in $(seq 1 500); do
    post_json /actors "{\"name\": \"Actor $i\", \"age\": $((i % 90 + 10)), \"gender\": \"Other\"}" > /dev/null
  done
  for i in $(seq 0 99); do
    a=$((i * 5 + 1))
    post_json /movies "{\"title\": \"Movie $i\", \"release_date\": \"08-02-2025\", \"actors\": [$a, $((a+1)), $((a+2)), $((a+3)), $((a+4))]}" > /dev/null
  done
}
