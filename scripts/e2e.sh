#!/usr/bin/env bash
# Runs the Playwright suite (hydrated and JavaScript-off) against a server on a throwaway
# database. Usage: scripts/e2e.sh [path to the paas binary] [extra playwright args]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bin=$(realpath "${1:-target/debug/paas}")
shift || true
port=${E2E_PORT:-3100}
tmp=$(mktemp -d)
# an empty database: the server prints a one-time setup code, global setup uses it; the
# server follows a Claude Code directory the capture test writes into
mkdir -p "$tmp/claude/projects"
# the binary runs alone, away from the source tree: the browser bundle is built into it
mkdir -p "$tmp/run"
cp "$bin" "$tmp/run/paas"
(cd "$tmp/run" && exec ./paas serve --database-url "sqlite:$tmp/e2e.db" --addr "127.0.0.1:$port" \
  --capture-dir "claude=$tmp/claude") >"$tmp/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
code=""
for _ in $(seq 1 600); do
  code=$(sed 's/\x1b\[[0-9;]*m//g' "$tmp/server.log" | grep -o 'setup code [A-Za-z0-9]*' | head -n1 | cut -d' ' -f3 || true)
  [ -n "$code" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$code" ]; then
  echo "the server printed no setup code"; tail -n 30 "$tmp/server.log"; exit 1
fi
status=0
(cd end2end && BASE_URL="http://127.0.0.1:$port" SETUP_CODE="$code" PAAS_BIN="$bin" \
  PAAS_DATABASE_URL="sqlite:$tmp/e2e.db" PAAS_AUTH_DIR="$tmp/auth" CAPTURE_CLAUDE_DIR="$tmp/claude" npx playwright test "$@") || status=$?
if [ "$status" -ne 0 ]; then
  echo "---- server log ----"
  tail -n 50 "$tmp/server.log"
fi
exit "$status"
