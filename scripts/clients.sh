#!/usr/bin/env bash
# Generated clients work without hand conversion (docs/api.md, "Generating a client"):
# generates a Python client (openapi-python-client) and TypeScript types (openapi-typescript,
# used through openapi-fetch) from the committed docs/openapi.json, type-checks a whole flow
# with each (`mypy --strict`, `tsc --noEmit --strict`), then runs both flows against a started
# server (development mode: memory store and sample, loopback only).
#
# The generators and checkers are installed from their registries (PyPI, npm) at the pinned
# versions below into $CLIENT_TOOLS (default /tmp/casting-client-tools) on first use. The server
# is the debug binary the tests built (${CARGO_TARGET_DIR:-target}/debug/casting-server), or
# $CASTING_SERVER.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

PYTHON_CLIENT_VERSION=0.29.1
MYPY_VERSION=1.18.2
# What the generated Python client imports.
HTTPX_VERSION=0.28.1
ATTRS_VERSION=25.4.0
DATEUTIL_VERSION=2.9.0.post0
OPENAPI_TYPESCRIPT_VERSION=7.13.0
OPENAPI_FETCH_VERSION=0.17.0
TYPESCRIPT_VERSION=5.9.3
TYPES_NODE_VERSION=20.19.43

TOOLS=${CLIENT_TOOLS:-/tmp/casting-client-tools}
SPEC=docs/openapi.json
SERVER_BIN=${CASTING_SERVER:-${CARGO_TARGET_DIR:-target}/debug/casting-server}

mkdir -p "$TOOLS"
python_tools="openapi-python-client==$PYTHON_CLIENT_VERSION mypy==$MYPY_VERSION \
httpx==$HTTPX_VERSION attrs==$ATTRS_VERSION python-dateutil==$DATEUTIL_VERSION"
if [ "$(cat "$TOOLS/python.txt" 2>/dev/null || true)" != "$python_tools" ]; then
  python3 -m venv "$TOOLS/venv"
  # shellcheck disable=SC2086 # a list of requirements
  "$TOOLS/venv/bin/pip" install --quiet $python_tools
  echo "$python_tools" > "$TOOLS/python.txt"
fi
node_tools="openapi-typescript@$OPENAPI_TYPESCRIPT_VERSION openapi-fetch@$OPENAPI_FETCH_VERSION \
typescript@$TYPESCRIPT_VERSION @types/node@$TYPES_NODE_VERSION"
if [ "$(cat "$TOOLS/node.txt" 2>/dev/null || true)" != "$node_tools" ]; then
  # shellcheck disable=SC2086 # a list of packages
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" $node_tools
  echo "$node_tools" > "$TOOLS/node.txt"
fi

work=$WORK

echo "== Python: openapi-python-client $PYTHON_CLIENT_VERSION, mypy $MYPY_VERSION --strict"
mkdir -p "$work/python"
"$TOOLS/venv/bin/openapi-python-client" generate --path "$SPEC" \
  --output-path "$work/python/casting_client" --meta none > "$work/generate.log" 2>&1 || {
  cat "$work/generate.log"
  exit 1
}
# The generator says it warns when a part of the document could not become code: none may.
if grep -q "^WARNING\|Unable to process" "$work/generate.log"; then
  cat "$work/generate.log"
  echo "openapi-python-client: parts of the document were left out"
  exit 1
fi
cp scripts/clients/flow.py "$work/python/"
(cd "$work/python" && "$TOOLS/venv/bin/mypy" --strict --no-incremental flow.py)

echo "== TypeScript: openapi-typescript $OPENAPI_TYPESCRIPT_VERSION, openapi-fetch $OPENAPI_FETCH_VERSION, tsc $TYPESCRIPT_VERSION --strict"
mkdir -p "$work/ts"
"$TOOLS/node_modules/.bin/openapi-typescript" "$SPEC" -o "$work/ts/schema.d.ts" --silent
cp scripts/clients/flow.ts scripts/clients/tsconfig.json "$work/ts/"
echo '{"type": "module"}' > "$work/ts/package.json"
ln -s "$TOOLS/node_modules" "$work/ts/node_modules"
"$TOOLS/node_modules/.bin/tsc" -p "$work/ts/tsconfig.json" --noEmit
"$TOOLS/node_modules/.bin/tsc" -p "$work/ts/tsconfig.json"

echo "== both flows against the server"
start_server "$SERVER_BIN" METRICS_ADDR=off
url=$BASE
token=$TOKEN
(cd "$work/python" && CASTING_URL="$url" CASTING_TOKEN="$token" "$TOOLS/venv/bin/python" flow.py)
(cd "$work/ts" && CASTING_URL="$url" CASTING_TOKEN="$token" node dist/flow.js)
