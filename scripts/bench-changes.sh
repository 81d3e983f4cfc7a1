#!/usr/bin/env bash
# GET /changes under measurement (docs/performance.md, "Following the log"), release build,
# two instances of the server on one fresh PostgreSQL database:
# - commit-to-delivery latency (scripts/bench-changes.py): a writer creates WRITES movies one
#   at a time on instance A; a long-poll and an event stream follow the log on A and on B;
# - STREAMS (default 1,000) event streams held open on one instance, idle: the server's RSS
#   before and with them, and its CPU over IDLE seconds (default 10) with them.
#
# BIN=path measures another build of the server (default: this tree's, built here).
# Needs: PostgreSQL at $BENCH_DATABASE_URL (default postgres@127.0.0.1:5432), psql, python3.
# Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
WRITES=${WRITES:-500}
STREAMS=${STREAMS:-1000}
IDLE=${IDLE:-10}

if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p casting-server
    BIN=target/release/casting-server
fi
fresh_database casting_bench_changes

start_server "$BIN" DATABASE_URL="$DB_URL"
A_PID=$SERVER A_BASE=$BASE A_TOKEN=$TOKEN
at_exit "kill -TERM $A_PID 2> /dev/null || true"
start_server "$BIN" DATABASE_URL="$DB_URL"
B_PID=$SERVER B_BASE=$BASE B_TOKEN=$TOKEN
at_exit "kill -TERM $B_PID 2> /dev/null || true"

echo "### Commit-to-delivery latency ($(git rev-parse --short HEAD))"
echo
python3 scripts/bench-changes.py "$WRITES" "$A_BASE" "$A_TOKEN" "$B_BASE" "$B_TOKEN"

rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo
echo "### $STREAMS idle event streams on one instance"
echo
before=$(rss "$B_PID")
python3 - "$B_BASE" "$B_TOKEN" "$STREAMS" "$IDLE" "$B_PID" "$WORK/streams.txt" <<'PY' &
import asyncio, sys, time, urllib.parse
base, token, count, idle, pid, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
url = urllib.parse.urlparse(base)

async def open_one():
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write((f"GET /changes?after=now HTTP/1.1\r\nHost: {url.netloc}\r\n"
                  f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode())
    await writer.drain()
    status = await reader.readline()
    assert b" 200 " in status, status
    return reader, writer

async def main():
    streams = []
    for _ in range(count // 50):
        streams += await asyncio.gather(*[open_one() for _ in range(50)])
    open(out, "w").write(f"{len(streams)}\n")
    await asyncio.sleep(idle + 5)

asyncio.run(main())
PY
HOLDER=$!
for _ in $(seq 1 600); do [ -s "$WORK/streams.txt" ] && break; sleep 0.1; done
sleep 2
with=$(rss "$B_PID")
t0=$(cpu_ticks "$B_PID")
sleep "$IDLE"
t1=$(cpu_ticks "$B_PID")
wait "$HOLDER" || true
hz=$(getconf CLK_TCK)
echo "| streams open | RSS before | RSS with them | CPU while idle |"
echo "|---:|---:|---:|---:|"
echo "| $(head -n 1 "$WORK/streams.txt") | $before MiB | $with MiB | $(python3 -c "print(f'{($t1 - $t0) / $hz / $IDLE * 100:.1f} %')") of one core over ${IDLE} s |"
