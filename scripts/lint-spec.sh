#!/usr/bin/env bash
# Lints the OpenAPI document (docs/openapi.json, which a test keeps identical to the generated
# one) with two independent tools, and fails on any finding:
# - Redocly CLI, recommended rules plus docs/redocly.yaml (each exception justified there):
#   no error and no warning;
# - openapi-spec-validator: the document is valid OpenAPI 3.0.
# Both are installed from their registries (npm, PyPI) at pinned versions into $LINT_TOOLS
# (default /tmp/casting-lint-tools) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

REDOCLY_VERSION=2.77.0
VALIDATOR_VERSION=0.9.0
TOOLS=${LINT_TOOLS:-/tmp/casting-lint-tools}
SPEC=docs/openapi.json

mkdir -p "$TOOLS"
redocly="$TOOLS/node_modules/.bin/redocly"
if [ "$("$redocly" --version 2>/dev/null || true)" != "$REDOCLY_VERSION" ]; then
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" "@redocly/cli@$REDOCLY_VERSION"
fi
validator="$TOOLS/venv/bin/openapi-spec-validator"
if ! "$TOOLS/venv/bin/pip" show openapi-spec-validator 2>/dev/null | grep -qx "Version: $VALIDATOR_VERSION"; then
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet "openapi-spec-validator==$VALIDATOR_VERSION"
fi

echo "Redocly $REDOCLY_VERSION (recommended, docs/redocly.yaml):"
output=$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$redocly" lint "$SPEC" --config docs/redocly.yaml --format=stylish 2>&1) || {
  echo "$output"
  exit 1
}
# Redocly exits 0 on warnings; the document must have none (its config must have none either).
if grep -qiE "warning|error" <<< "$(grep -v 'Deprecation warning\|Node.js' <<< "$output")"; then
  echo "$output"
  echo "redocly: warnings are findings too"
  exit 1
fi
echo "  no errors, no warnings"

echo "openapi-spec-validator $VALIDATOR_VERSION:"
"$validator" "$SPEC"
