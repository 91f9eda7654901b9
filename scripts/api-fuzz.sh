#!/usr/bin/env bash
# The REST API against its own OpenAPI document:
#   scripts/api-fuzz.sh [path to the paas binary] [examples per operation]
# Serves the binary on a throwaway database seeded with the demo data, validates
# /api/openapi.json as OpenAPI 3.1 (openapi-spec-validator), then lets schemathesis generate
# requests from it: every answer must be no 5xx and match the documented schema. Fails
# under 1,000 generated cases. The Python tools live in target/api-fuzz-venv, pinned in
# scripts/api-fuzz/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/debug/paas}")
examples=${2:-30}
port=${API_FUZZ_PORT:-3140}
venv=target/api-fuzz-venv
if [ ! -x "$venv/bin/schemathesis" ] || [ scripts/api-fuzz/requirements.txt -nt "$venv/.installed" ]; then
  echo "==> installing the API fuzzer (schemathesis) in $venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/api-fuzz/requirements.txt
  touch "$venv/.installed"
fi

tmp=$(mktemp -d)
serve_args=(--token-rate-per-minute 10000000)
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh

curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/openapi.json" -o "$tmp/openapi.json"
"$venv/bin/openapi-spec-validator" "$tmp/openapi.json"

status=0
# PUT /api/settings/model is left out: a generated endpoint URL that got accepted would
# make every later briefing wait on a host that may never answer (up to its timeout each)
# and send briefings off this machine. Today the write token is refused there (owners'
# admin tokens only); leaving it out keeps the fuzz safe with any token. Its validation is
# tested in tests/handoff_model.rs; GET and DELETE are fuzzed like the rest.
"$venv/bin/schemathesis" run "$tmp/openapi.json" --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" \
  --exclude-operation-id put_settings_model \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$examples" --seed "${API_FUZZ_SEED:-1}" --generation-database none \
  --workers 2 --no-color --warnings off >"$tmp/fuzz.log" 2>&1 || status=$?
cases=$(sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' "$tmp/fuzz.log" | tail -1)
if [ "$status" -ne 0 ]; then
  cat "$tmp/fuzz.log"
  echo "API fuzzer: failures above (exit $status)" >&2
  exit 1
fi
sed -n '/SUMMARY/,$p' "$tmp/fuzz.log"
if grep -q "panicked" "$tmp/server.log"; then
  grep -n -A5 "panicked" "$tmp/server.log" >&2
  echo "API fuzzer: the server panicked" >&2
  exit 1
fi
if [ -z "$cases" ] || [ "$cases" -lt 1000 ]; then
  echo "API fuzzer: only ${cases:-no} cases generated (at least 1,000 expected)" >&2
  exit 1
fi
echo "API fuzzer: $cases cases, no 5xx, every answer as documented"
