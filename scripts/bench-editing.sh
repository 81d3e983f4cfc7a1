#!/usr/bin/env bash
# Load test of conditional requests (docs/performance.md): what `If-None-Match` (304) and
# `If-Match` cost over the same requests without them, on the release server and the
# PostgreSQL store (or the memory store with STORE=memory), all in one run.
#
# - GET /movie-details/{id}, plain and with a matching If-None-Match (every answer a 304): wrk
#   at 32 connections.
# - PATCH /movies/{id}, plain and with If-Match: one connection per wrk thread, each thread
#   editing its own movie and sending the ETag of its last answer, so no request is a 412. The
#   two PATCH runs alternate twice (plain, If-Match, plain, If-Match) so that table growth
#   (each PATCH adds an audit entry) weighs on both alike.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WRITERS=${WRITERS:-8}
ADMIN_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB_NAME=casting_bench_editing
PORT=18482

cargo build --release -q -p casting-server
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" || true' EXIT

STORE=${STORE:-postgres}
database=()
if [ "$STORE" = postgres ]; then
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME"
  database=(DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME")
fi
env -i PATH="$PATH" HOME="$HOME" DEV_AUTH=1 RATE_LIMIT_PER_MINUTE=0 AUTH_FAILURES_PER_MINUTE=0 PORT=$PORT RUST_LOG=warn "${database[@]}" \
  ./target/release/casting-server > "$work/server.log" 2>&1 &
for _ in $(seq 1 100); do
  grep -q '^listening on' "$work/server.log" 2>/dev/null && break
  sleep 0.1
done
TOKEN=$(awk '/^Executive Producer may:/ {getline; print; exit}' "$work/server.log")
export TOKEN
base=http://127.0.0.1:$PORT
auth=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json')

new_movie() {
  curl -sf "${auth[@]}" -d "{\"title\": \"$1\", \"release_date\": \"2025-02-08\"}" \
    "$base/movies" | sed 's/.*"id":\([0-9]*\).*/\1/'
}
read_movie=$(new_movie "Read Often")
tag=$(curl -sf -D - -o /dev/null "${auth[@]}" "$base/movie-details/$read_movie" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
[ "$tag" = "\"m-$read_movie-v1\"" ]
# Four blocks of movies, one per PATCH run, one movie per writer.
patch_first=()
for run in 1 2 3 4; do
  first=$(new_movie "Run $run writer 1")
  for i in $(seq 2 "$WRITERS"); do new_movie "Run $run writer $i" > /dev/null; done
  patch_first+=("$first")
done

cat > "$work/patch.lua" <<'LUA'
-- Each thread (one connection) edits its own movie, from FIRST on; with MODE=if-match it
-- sends the ETag of its last answer.
local next_id = tonumber(os.getenv("FIRST"))
function setup(thread)
  thread:set("id", tostring(next_id))
  next_id = next_id + 1
end
local counter = 0
function init(args)
  etag = '"m-' .. id .. '-v1"'
  conditional = os.getenv("MODE") == "if-match"
  auth = "Bearer " .. os.getenv("TOKEN")
end
function request()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = auth }
  if conditional then headers["If-Match"] = etag end
  return wrk.format("PATCH", "/movies/" .. id, headers, '{"title": "Edit ' .. counter .. '"}')
end
function response(status, headers, body)
  etag = headers["etag"] or headers["ETag"] or etag
end
LUA

summary() {
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  echo "$rps $p50 $p99 ${errors:-0}"
}
get() {
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$@" \
    "$base/movie-details/$read_movie" > "$work/wrk.txt"
  summary
}
patch() {
  FIRST=$1 MODE=$2 wrk -t"$WRITERS" -c"$WRITERS" -d"$DURATION" --latency -s "$work/patch.lua" \
    "$base" > "$work/wrk.txt"
  summary
}

echo "| request ($STORE store) | req/s | p50 | p99 | non-2xx/3xx |"
echo "|---|---:|---:|---:|---:|"
read -r get_plain p50 p99 errors < <(get)
echo "| GET /movie-details, plain (200) | $get_plain | $p50 | $p99 | $errors |"
read -r get_304 p50 p99 errors < <(get -H "If-None-Match: $tag")
echo "| GET /movie-details, If-None-Match (304) | $get_304 | $p50 | $p99 | $errors |"
rates=()
for run in 0 1 2 3; do
  mode=$([ $((run % 2)) = 0 ] && echo plain || echo if-match)
  read -r rps p50 p99 errors < <(patch "${patch_first[$run]}" "$mode")
  echo "| PATCH /movies/{id}, $mode ($WRITERS writers) | $rps | $p50 | $p99 | $errors |"
  rates+=("$rps")
done
awk -v g="$get_plain" -v n="$get_304" -v p1="${rates[0]}" -v m1="${rates[1]}" \
  -v p2="${rates[2]}" -v m2="${rates[3]}" 'BEGIN {
  printf "\nTime per request, conditional ÷ plain: GET with If-None-Match %.3f; PATCH with If-Match %.3f\n",
    g / n, (p1 + p2) / (m1 + m2)
}'
