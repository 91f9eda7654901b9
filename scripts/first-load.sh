#!/usr/bin/env bash
# First-load benchmark: builds the release binary, runs it alone from a temporary
# directory on a throwaway database, and prints what a browser with an empty cache
# transfers on its first visit of each page, then the WASM sizes (main module raw and
# compressed as served, the lazily loaded chunks). Usage: scripts/first-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh browser >/dev/null
scripts/build-site.sh release >/dev/null
tmp=$(mktemp -d)
port=${FIRST_LOAD_PORT:-3190}
cp target/release/paas "$tmp/paas"
pass="correct horse battery staple"
(cd "$tmp" && echo "$pass" | ./paas user add --database-url "sqlite:$tmp/p.db" \
  --email owner@example.com --name Owner --role owner --password-stdin >/dev/null)
(cd "$tmp" && exec ./paas serve --database-url "sqlite:$tmp/p.db" --addr "127.0.0.1:$port") \
  >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/login" 2>/dev/null && break
  sleep 0.1
done
# one project, so its page has something to show
token=$(cd "$tmp" && ./paas token create --database-url "sqlite:$tmp/p.db" --email owner@example.com \
  --name first-load --scope write)
curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"Website relaunch","description":"A project to look at"}' "http://127.0.0.1:$port/api/projects"
PAAS_EMAIL=owner@example.com PAAS_PASSWORD="$pass" node scripts/first-load.mjs \
  "http://127.0.0.1:$port" /,/projects/1,/accounts,/sessions,/handoff,/analytics,/knowledge,/import,/sources,/settings,/admin,/login
chunks=$(find target/site/pkg -name '*.wasm' ! -name paas.wasm | wc -l)
chunk_bytes=$(find target/site/pkg -name '*.wasm' ! -name paas.wasm -printf '%s\n' | awk '{s+=$1} END {print s+0}')
echo "lazily loaded WASM: $chunks chunks, $((chunk_bytes / 1024)) KB raw in all"
