#!/usr/bin/env python3
"""Commit-to-delivery latency of GET /changes (scripts/bench-changes.sh runs it).

A writer creates movies one at a time on instance A (a pause between writes, so each latency
is a write's own); four consumers follow the log from `now`: a long-poll and a server-sent
event stream, each on A (the same instance) and on B (another instance on the same database).
For each create, the delay from the moment the writer sent it to the moment each consumer has
its entry; also from the writer's acknowledgement. Prints a Markdown table.

Usage: bench-changes.py WRITES A_BASE A_TOKEN B_BASE B_TOKEN
"""

import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

WRITES = int(sys.argv[1])
A_BASE, A_TOKEN, B_BASE, B_TOKEN = sys.argv[2:6]
PAUSE = 0.02


def connect(base):
    url = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=120)


def now_cursor(base, token):
    conn = connect(base)
    conn.request("GET", "/changes?after=now", headers={"Authorization": f"Bearer {token}"})
    return json.loads(conn.getresponse().read())["next"]


class Consumer(threading.Thread):
    def __init__(self, name, base, token, stream):
        super().__init__(daemon=True)
        self.name, self.base, self.token, self.stream = name, base, token, stream
        self.seen = {}  # movie id -> time its create entry arrived
        self.cursor = now_cursor(base, token)
        self.ready = threading.Event()

    def note(self, entry):
        if entry["resource"] == "movie" and entry["action"] == "create":
            self.seen.setdefault(entry["resource_id"], time.perf_counter())

    def run(self):
        headers = {"Authorization": f"Bearer {self.token}"}
        conn = connect(self.base)
        if self.stream:
            headers["Accept"] = "text/event-stream"
            conn.request("GET", f"/changes?after={self.cursor}", headers=headers)
            response = conn.getresponse()
            assert response.status == 200, response.status
            self.ready.set()
            while True:
                line = response.readline()
                if not line:
                    return
                if line.startswith(b"data: "):
                    self.note(json.loads(line[6:]))
        else:
            self.ready.set()
            while True:
                conn.request("GET", f"/changes?after={self.cursor}&wait=30", headers=headers)
                page = json.loads(conn.getresponse().read())
                for entry in page["entries"]:
                    self.note(entry)
                self.cursor = page["next"]


def main():
    consumers = [
        Consumer("long-poll, same instance", A_BASE, A_TOKEN, False),
        Consumer("stream, same instance", A_BASE, A_TOKEN, True),
        Consumer("long-poll, another instance", B_BASE, B_TOKEN, False),
        Consumer("stream, another instance", B_BASE, B_TOKEN, True),
    ]
    for consumer in consumers:
        consumer.start()
        consumer.ready.wait()
    time.sleep(0.5)
    writer = connect(A_BASE)
    headers = {"Authorization": f"Bearer {A_TOKEN}", "Content-Type": "application/json"}
    sent, acked = {}, {}
    for i in range(WRITES):
        body = json.dumps({"title": f"Followed {i}", "release_date": "2025-02-08"})
        started = time.perf_counter()
        writer.request("POST", "/movies", body=body, headers=headers)
        answer = json.loads(writer.getresponse().read())
        done = time.perf_counter()
        movie = answer["movie"]["id"]
        sent[movie], acked[movie] = started, done
        time.sleep(PAUSE)
    time.sleep(2)

    def quantiles(delays):
        delays = sorted(delays)
        p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
        return statistics.median(delays) * 1000, p99 * 1000

    print(f"| consumer ({WRITES} creates, one at a time) | delivered | from sent: median | p99 "
          "| from acknowledged: median | p99 |")
    print("|---|---:|---:|---:|---:|---:|")
    for consumer in consumers:
        got = [m for m in sent if m in consumer.seen]
        from_sent = [consumer.seen[m] - sent[m] for m in got]
        from_ack = [consumer.seen[m] - acked[m] for m in got]
        if not got:
            print(f"| {consumer.name} | 0 | - | - | - | - |")
            continue
        s50, s99 = quantiles(from_sent)
        a50, a99 = quantiles(from_ack)
        print(f"| {consumer.name} | {len(got)} | {s50:.2f} ms | {s99:.2f} ms | {a50:.2f} ms "
              f"| {a99:.2f} ms |")
    write_times = sorted(acked[m] - sent[m] for m in sent)
    print(f"\nThe creates themselves: median {statistics.median(write_times) * 1000:.2f} ms, "
          f"p99 {write_times[int(len(write_times) * 0.99)] * 1000:.2f} ms.")


main()
