#!/usr/bin/env bash
# Load test of the writes that touch a cast (docs/performance.md, "Writes that touch a cast"):
# wrk at 32 connections for 10 s each, against the release server on the PostgreSQL store,
# seeded with 500 actors and 200 movies without a cast:
# - POST /movies with no cast, with 5 random actors of the 500, and with the same 5 actors
#   every time (every write that names an actor another write names may wait for it);
# - PUT /movies/{id}/cast of a random movie of the 200 with the same three kinds of cast;
# - PATCH /movies/{id} (a new title) of a random movie of the 200.
# Each row's rate is also given as a ratio to its "no cast" row (the issue's goals), and the
# audit entries the row wrote with their bytes each (the growth of
# pg_total_relation_size('audit_log'), indexes and TOAST included, over the entries added).
# BASELINE_REV=<git revision> builds that revision's server and measures it first, in the same
# run; BASELINE_BIN=<path of a casting-server binary> measures that one instead.
# EXTRA_BINS="name=path …" measures more binaries (design variants) between the baseline and
# the current build, in the same run.
# Every server runs at once, on a database of its own, and each row is measured on every
# server one right after the other (the order reversed on even rounds; ROUNDS, default 1,
# repeats the whole table and gives each row's median). Every measurement starts right after a
# CHECKPOINT, so none writes out the pages an earlier one left dirty.
#
# Needs: wrk (Debian package), PostgreSQL at $BENCH_DATABASE_URL (a role that may create
# databases; default postgres@127.0.0.1:5432), curl, psql. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
. scripts/lib.sh

cargo build --release -q -p casting-server
[ -n "${BASELINE_REV:-}" ] && build_baseline "$BASELINE_REV"

# One script per row: `cast(n)` is the n-th request's cast (a JSON list of ids), `path(n)`
# its path. Each wrk thread numbers its requests from its own offset, so threads do not send
# the same cast at the same moment unless the row asks for it.
write_script() {
  local file=$1 method=$2 path=$3 cast=$4 body=$5
  cat > "$file" <<LUA
local n = 0
local auth = "Bearer " .. os.getenv("TOKEN")
local threads = 0
-- thread:set makes "offset" a global of that thread's script.
function setup(thread)
  thread:set("offset", threads * 100003)
  threads = threads + 1
end
local function cast(n) $cast end
function request()
  n = n + 1
  local k = n + (offset or 0)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = auth }
  return wrk.format("$method", $path, headers, $body)
end
LUA
}
none='return "[]"'
random5='local ids = {} for i = 0, 4 do ids[#ids + 1] = (n * 7919 + i * 104729) % 500 + 1 end return "[" .. table.concat(ids, ", ") .. "]"'
shared5='return "[1, 2, 3, 4, 5]"'
post_body='[[{"title": "Create", "release_date": "08-02-2025", "actors": ]] .. cast(k) .. "}"'
put_path='"/movies/" .. ((k * 7919) % 200 + 1) .. "/cast"'
put_body='(function(c) local out = {} for id in c:gmatch("%d+") do out[#out + 1] = "{\"actor\": " .. id .. "}" end return "{\"cast\": [" .. table.concat(out, ", ") .. "]}" end)(cast(k))'
for kind in none random5 shared5; do
  write_script "$WORK/post-$kind.lua" POST '"/movies"' "${!kind}" "$post_body"
  write_script "$WORK/put-$kind.lua" PUT "$put_path" "${!kind}" "$put_body"
done
write_script "$WORK/patch-none.lua" PATCH '"/movies/" .. ((k * 7919) % 200 + 1)' "$none" \
  '[[{"title": "Patched ]] .. k .. [["}]]'

# The audit table's size in bytes and its entries.
audit_size() {
  psql "$DB_URL" -Atc "SELECT pg_total_relation_size('audit_log') || ' ' || count(*) FROM audit_log"
}

BINARIES=("current=${CARGO_TARGET_DIR:-target}/release/casting-server")
# shellcheck disable=SC2206 # EXTRA_BINS is a list of words by design
[ -n "${EXTRA_BINS:-}" ] && BINARIES=($EXTRA_BINS "${BINARIES[@]}")
[ -n "${BASELINE_BIN:-}" ] && BINARIES=("baseline=$BASELINE_BIN" "${BINARIES[@]}")

# Every server runs at once, each on its own database, seeded alike; each row is measured on
# one server right after the other (in the other order on even rounds), so that both see the
# same machine. With ROUNDS > 1 a row's rate is the median of its rounds.
ROUNDS=${ROUNDS:-1}
declare -A PIDS BASES TOKENS URLS
for entry in "${BINARIES[@]}"; do
  name=${entry%%=*}
  fresh_database "casting_bench_creates_$name"
  start_server "${entry#*=}" DATABASE_URL="$DB_URL"
  at_exit "kill -TERM $SERVER 2> /dev/null || true"
  PIDS[$name]=$SERVER BASES[$name]=$BASE TOKENS[$name]=$TOKEN URLS[$name]=$DB_URL
  SERVER=""
  for i in $(seq 1 500); do
    post_json /actors "{\"name\": \"Actor $i\", \"age\": 30, \"gender\": \"Other\"}" > /dev/null
  done
  for i in $(seq 1 200); do
    post_json /movies "{\"title\": \"Movie $i\", \"release_date\": \"2025-02-08\"}" > /dev/null
  done
done
NAMES=()
for entry in "${BINARIES[@]}"; do NAMES+=("${entry%%=*}"); done
ROWS="post:none post:random5 post:shared5 put:none put:random5 put:shared5 patch:none"

# One row on one server: appends "rps p50 p99 errors entries bytes" to $WORK/<name>-<row>.
measure() {
  local name=$1 row=$2 request=${2%%:*} kind=${2#*:}
  BASE=${BASES[$name]} TOKEN=${TOKENS[$name]} DB_URL=${URLS[$name]}
  export TOKEN
  read -r bytes_before entries_before < <(audit_size)
  psql "$DB_URL" -qc CHECKPOINT
  wrk_run "$WORK/wrk.txt" -s "$WORK/$request-$kind.lua" "$BASE"
  read -r bytes_after entries_after < <(audit_size)
  echo "$(wrk_numbers "$WORK/wrk.txt") $((entries_after - entries_before)) \
$((bytes_after - bytes_before))" >> "$WORK/$name-${row/:/-}"
}
for round in $(seq 1 "$ROUNDS"); do
  order=("${NAMES[@]}")
  if [ $((round % 2)) -eq 0 ]; then
    order=()
    for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do order+=("${NAMES[i]}"); done
  fi
  for row in $ROWS; do
    for name in "${order[@]}"; do measure "$name" "$row"; done
  done
done

# The median of column $2 of file $1 (the rates of a row's rounds).
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR] = $1} END {
  if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "| server | request | cast | req/s | ÷ no cast | ÷ ${NAMES[0]} | p50 | p99 | non-2xx | audit entries | bytes/entry |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for name in "${NAMES[@]}"; do
  for row in $ROWS; do
    request=${row%%:*} kind=${row#*:} file="$WORK/$name-${row/:/-}"
    rps=$(median "$file" 1)
    [ "$kind" = none ] && base_rps=$rps
    first=$(median "$WORK/${NAMES[0]}-${row/:/-}" 1)
    read -r _ p50 p99 _ < "$file"
    errors=$(awk '{n += $4} END {print n}' "$file")
    entries=$(awk '{n += $5} END {print n}' "$file")
    per_entry=$(awk '{b += $6; n += $5} END { if (n > 0) printf "%.0f", b / n; else print "-" }' "$file")
    case $request in
      post) label="POST /movies" ;;
      put) label="PUT /movies/{id}/cast" ;;
      patch) label="PATCH /movies/{id}" ;;
    esac
    echo "| $name | $label | $kind | $rps | $(ratio "$rps" "$base_rps") | $(ratio "$rps" "$first") | $p50 | $p99 | $errors | $entries | $per_entry |"
  done
done
if [ "$ROUNDS" -gt 1 ]; then
  echo
  echo "Each row's rate is the median of $ROUNDS rounds (p50 and p99 are the first round's)."
fi
