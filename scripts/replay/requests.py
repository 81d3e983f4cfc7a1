#!/usr/bin/env python3
"""A fixed set of requests against a running development server, written as a transcript that
another build's transcript can be compared with line for line (scripts/replay.sh).

Usage: requests.py BASE_URL SERVER_LOG   (the log holds the printed development tokens)

Each request is written as its method and path, then the answer: status, the headers a client
reads (content type, ETag, Link, Allow, WWW-Authenticate, Retry-After, Idempotent-Replayed,
Location, CORS, RateLimit), and the body. What differs between two runs of the same build is
normalised: timestamps become <time>, CORS header lists are sorted (poem keeps them in hash
sets), and the documents (spec, Swagger UI) are written as a hash of their bytes.
"""
import hashlib
import http.client
import json
import re
import sys
import urllib.parse

HEADERS = [
    "content-type", "etag", "link", "allow", "www-authenticate", "retry-after",
    "idempotent-replayed", "location", "access-control-allow-origin",
    "access-control-allow-methods", "access-control-allow-headers",
    "access-control-expose-headers", "ratelimit-policy", "ratelimit", "content-encoding",
]
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
# Lists whose order is a set's (poem's CORS keeps them in hash sets, ordered anew per process).
SETS = {"access-control-allow-methods", "access-control-allow-headers",
        "access-control-expose-headers"}


def tokens(log_path):
    found, role = {}, None
    for line in open(log_path, encoding="utf-8"):
        match = re.match(r"^(Casting Assistant|Casting Director|Executive Producer) may:", line)
        if match:
            role = match.group(1)
        elif role:
            found[role] = line.strip()
            role = None
    return found


class Client:
    def __init__(self, base, tokens):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.tokens = tokens
        self.out = []

    def send(self, method, path, role=None, body=None, headers=None, raw=None, whole=False):
        request_headers = dict(headers or {})
        if role:
            request_headers["Authorization"] = f"Bearer {self.tokens.get(role, role)}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            request_headers.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        connection.request(method, path, body=data, headers=request_headers)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        self.out.append(f"{method} {path} [{role or '-'}]")
        self.out.append(f"  {response.status}")
        for name in HEADERS:
            value = response.getheader(name)
            if value is not None:
                if name in SETS:
                    value = ", ".join(sorted(item.strip() for item in value.split(",")))
                self.out.append(f"  {name}: {TIME.sub('<time>', value)}")
        if whole:
            self.out.append(f"  body sha256 {hashlib.sha256(payload).hexdigest()}")
        else:
            self.out.append("  " + TIME.sub("<time>", payload.decode("utf-8", "replace")))
        try:
            return json.loads(payload)
        except ValueError:
            return None


def run(c):
    EP, CD, CA = "Executive Producer", "Casting Director", "Casting Assistant"
    c.send("GET", "/health")
    c.send("GET", "/ready")
    c.send("GET", "/", whole=True)
    for path in ["/openapi.json", "/openapi.yaml", "/docs", "/docs/oauth-receiver.html"]:
        c.send("GET", path, whole=True)
    # Lists.
    c.send("GET", "/movies", CA)
    c.send("GET", "/movies?per_page=2&sort=-title", CA)
    c.send("GET", "/movies?per_page=1&q=a&count=none", CA)
    c.send("GET", "/movies?released_from=2000-01-01&actor=1", CA)
    c.send("GET", "/movies?page=0&per_page=1000&sort=bogus&count=some", CA)
    c.send("GET", "/movies?page=1&after=abc", CA)
    c.send("GET", "/movies?after=bm90LWEtY3Vyc29y", CA)
    c.send("GET", "/movies?q=%FF", CA)
    c.send("GET", "/actors", CA)
    c.send("GET", "/actors?gender=female&age_min=30&sort=age,name", CA)
    c.send("GET", "/actors?age_min=200&gender=robot&movie=0", CA)
    # One record.
    first = c.send("GET", "/movie-details/1", CA)
    c.send("GET", "/movies/1", CA, headers={"If-None-Match": '"m-1-v1"'})
    c.send("GET", "/movies/1", CA, headers={"If-None-Match": 'W/"m-1-v9", "x"'})
    c.send("GET", "/movies/999", CA)
    c.send("GET", "/movies/abc", CA)
    c.send("GET", "/movies/+1", CA)
    c.send("GET", "/actor-details/1", CA)
    c.send("GET", "/movies/1/cast", CA)
    c.send("GET", "/actors/1/credits", CA)
    # Auth and permissions.
    c.send("GET", "/movies")
    c.send("GET", "/movies", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    c.send("GET", "/movies", "not.a.token")
    c.send("DELETE", "/movies/1", CA)
    c.send("POST", "/actors", CD, body={"name": "X", "age": 1, "gender": "Male"})
    c.send("GET", "/audit", CD)
    # Creates.
    c.send("POST", "/movies", EP, body={"title": "Replay", "release_date": "08-02-2025", "actors": [1, 2]})
    c.send("POST", "/movies", EP, body={"title": "Keyed", "release_date": "2025-02-08"},
           headers={"Idempotency-Key": "replay-1"})
    c.send("POST", "/movies", EP, body={"title": "Keyed", "release_date": "2025-02-08"},
           headers={"Idempotency-Key": "replay-1"})
    c.send("POST", "/movies", EP, body={"title": "Other", "release_date": "2025-02-08"},
           headers={"Idempotency-Key": "replay-1"})
    c.send("POST", "/movies", EP, body={"title": "Bad key", "release_date": "2025-02-08"},
           headers={"Idempotency-Key": "é"})
    c.send("POST", "/movies", EP, body={"title": "x"})
    c.send("POST", "/movies", EP, body={"title": " ", "release_date": "31-02-2025"})
    c.send("POST", "/movies", EP, body={"title": "T", "release_date": "2025-02-08", "actors": [999]})
    c.send("POST", "/movies", EP, raw=b'{"title": "a", "title": "b"}',
           headers={"Content-Type": "application/json"})
    c.send("POST", "/movies", EP, raw=b"not json", headers={"Content-Type": "application/json"})
    c.send("POST", "/movies", EP, raw=b"{}", headers={"Content-Type": "text/plain"})
    c.send("POST", "/movies", EP, body={"title": "x" * 70000, "release_date": "2025-02-08"})
    c.send("POST", "/actors", EP, body={"name": "Replay Actor", "age": 33, "gender": "female", "movies": [1]})
    c.send("POST", "/actors", EP, body={"name": "", "age": 200, "gender": "robot"})
    # Changes.
    tag = '"m-5-v1"'
    c.send("PATCH", "/movies/5", CD, body={"title": "Replayed"}, headers={"If-Match": tag})
    c.send("PATCH", "/movies/5", CD, body={"title": "Stale"}, headers={"If-Match": tag})
    c.send("PATCH", "/movies/5", CD, body={})
    c.send("PATCH", "/movies/5", CD, body={"release_date": "soon"})
    c.send("PATCH", "/movies/999", CD, body={"title": ""})
    c.send("PATCH", "/actors/5", CD, body={"age": 34, "movies": [1, 2]})
    c.send("PUT", "/movies/2/cast", CD, body={"cast": [{"actor": 1, "character": "Lead", "billing": 1}, {"actor": 2}]})
    c.send("PUT", "/movies/2/cast", CD, body={"cast": [{"actor": 1}, {"actor": 1}]})
    c.send("PUT", "/movies/2/cast", CD, body={"cast": [{"actor": "one", "billing": 1.5}]})
    c.send("GET", "/movies/2/cast", CD)
    # Deletes.
    c.send("DELETE", "/movies/5", EP, headers={"If-Match": '"m-5-v1"'})
    c.send("DELETE", "/movies/5", EP)
    c.send("DELETE", "/movies/5", EP)
    c.send("DELETE", "/actors/5", EP)
    # The trail, newest first.
    c.send("GET", "/audit?per_page=5", EP)
    c.send("GET", "/audit?resource=actor&id=5", EP)
    c.send("GET", "/audit?resource=robot", EP)
    # The router and CORS.
    c.send("PUT", "/movies", CA)
    c.send("GET", "/nothing-here", CA)
    c.send("OPTIONS", "/movies", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    c.send("GET", "/movies?per_page=1", CA, headers={"Origin": "https://app.example"})
    c.send("GET", "/movies?per_page=100", CA, headers={"Accept-Encoding": "gzip"}, whole=True)
    return first


def main():
    base, log = sys.argv[1], sys.argv[2]
    client = Client(base, tokens(log))
    run(client)
    print("\n".join(client.out))


if __name__ == "__main__":
    main()
