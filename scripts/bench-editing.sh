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
WRITERS=${WRITERS:-8}
. scripts/lib.sh

cargo build --release -q -p casting-server

STORE=${STORE:-postgres}
database=()
if [ "$STORE" = postgres ]; then
  fresh_database casting_bench_editing
  database=(DATABASE_URL="$DB_URL")
fi
start_server "${CARGO_TARGET_DIR:-target}/release/casting-server" "${database[@]}"
auth=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json')

new_movie() { post_json /movies "{\"title\": \"$1\", \"release_date\": \"2025-02-08\"}"; }
read_movie=$(new_movie "Read Often")
tag=$(curl -sf -D - -o /dev/null "${auth[@]}" "$BASE/movie-details/$read_movie" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
[ "$tag" = "\"m-$read_movie-v1\"" ]
# Four blocks of movies, one per PATCH run, one movie per writer.
patch_first=()
for run in 1 2 3 4; do
  first=$(new_movie "Run $run writer 1")
  for i in $(seq 2 "$WRITERS"); do new_movie "Run $run writer $i" > /dev/null; done
  patch_first+=("$first")
done

cat > "$WORK/patch.lua" <<'LUA'
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

get() {
  wrk_run "$WORK/wrk.txt" -H "Authorization: Bearer $TOKEN" "$@" "$BASE/movie-details/$read_movie"
  wrk_numbers "$WORK/wrk.txt"
}
patch() {
  FIRST=$1 MODE=$2 THREADS=$WRITERS CONNECTIONS=$WRITERS \
    wrk_run "$WORK/wrk.txt" -s "$WORK/patch.lua" "$BASE"
  wrk_numbers "$WORK/wrk.txt"
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
