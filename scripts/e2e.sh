#!/usr/bin/env bash
# Runs the Playwright suite (hydrated and JavaScript-off) against a server on a throwaway
# database. Usage: scripts/e2e.sh [path to the paas binary] [extra playwright args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bin=${1:-target/debug/paas}
shift || true
port=${E2E_PORT:-3100}
tmp=$(mktemp -d)
"$bin" serve --database-url "sqlite:$tmp/e2e.db" --addr "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
status=0
(cd end2end && BASE_URL="http://127.0.0.1:$port" npx playwright test "$@") || status=$?
if [ "$status" -ne 0 ]; then
  echo "---- server log ----"
  tail -n 50 "$tmp/server.log"
fi
exit "$status"
