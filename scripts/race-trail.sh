#!/usr/bin/env bash
# Issue 35's reproduction of the trail's ordering defect, against a release server on a fresh
# PostgreSQL database: ROUNDS rounds (default 200) of `POST /movies` naming actor A and
# `PATCH /actors/A {"movies": [B]}` (alternately `[]`), the two sent together; then A's trail
# (`GET /audit?resource=actor&id=A`) read by entry id, and counted: pairs of entries whose
# versions run against their ids, and entries whose `movies.from` is not the previous entry's
# `movies.to`. A log in commit order has none of either.
# BASELINE_REV=<git revision> runs that revision's server first, in the same run.
#
# Needs: PostgreSQL at $BENCH_DATABASE_URL (default postgres@127.0.0.1:5432), psql, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ROUNDS=${ROUNDS:-200}

cargo build --release -q -p casting-server
[ -n "${BASELINE_REV:-}" ] && build_baseline "$BASELINE_REV"

race() {
  local name=$1 bin=$2
  fresh_database casting_race_trail
  start_server "$bin" DATABASE_URL="$DB_URL"
  python3 - "$BASE" "$TOKEN" "$ROUNDS" "$name" <<'PY'
import http.client, json, sys, threading, urllib.parse
base, token, rounds, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
url = urllib.parse.urlparse(base)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

def call(conn, method, path, body=None):
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")

setup = http.client.HTTPConnection(url.hostname, url.port)
_, movie = call(setup, "POST", "/movies", {"title": "B", "release_date": "2000-01-01"})
_, actor = call(setup, "POST", "/actors", {"name": "A", "age": 40, "gender": "Female"})
b, a = movie["movie"]["id"], actor["actor"]["id"]
barrier = threading.Barrier(2)
failures = []

def creates():
    conn = http.client.HTTPConnection(url.hostname, url.port)
    for _ in range(rounds):
        barrier.wait()
        status, _ = call(conn, "POST", "/movies", {"title": "R", "release_date": "2000-01-01", "actors": [a]})
        if status != 200:
            failures.append(status)

def patches():
    conn = http.client.HTTPConnection(url.hostname, url.port)
    for i in range(rounds):
        barrier.wait()
        status, _ = call(conn, "PATCH", f"/actors/{a}", {"movies": [b] if i % 2 == 0 else []})
        if status != 200:
            failures.append(status)

threads = [threading.Thread(target=creates), threading.Thread(target=patches)]
for t in threads: t.start()
for t in threads: t.join()

entries, after = [], None
while True:
    path = f"/audit?resource=actor&id={a}&per_page=100" + (f"&after={after}" if after else "")
    _, page = call(setup, "GET", path)
    entries += page["entries"]
    after = page.get("next")
    if not after:
        break
entries.sort(key=lambda e: e["id"])
against = sum(1 for x, y in zip(entries, entries[1:]) if y["version"] < x["version"])
broken, last = 0, None
for e in entries:
    change = e["changes"].get("movies")
    if change is None:
        continue
    if last is not None and change["from"] != last:
        broken += 1
    last = change["to"]
gaps = sorted(e["version"] for e in entries) != list(range(1, len(entries) + 1))
print(f"| {name} | {len(entries)} | {against} | {broken} | {'yes' if gaps else 'no'} | {len(failures)} |")
PY
  stop_server
}

echo "| server | actor A's entries | pairs with versions against ids | \`movies.from\` ≠ previous \`to\` | versions not 1..n | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
[ -n "${BASELINE_BIN:-}" ] && race "baseline ($BASELINE_REV)" "$BASELINE_BIN"
race "current ($(git rev-parse --short HEAD))" target/release/casting-server
