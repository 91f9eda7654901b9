#!/usr/bin/env bash
# A server with realistic demo data, for screenshots and trying things out:
#   scripts/demo.sh [path to the paas binary] [port]
# Starts the binary on a throwaway database, signs up owner@example.com ("correct horse
# battery staple"), seeds it through the REST API (scripts/demo-data.py) and keeps serving
# until interrupted. Prints the address and the session ids worth looking at.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/debug/paas}")
port=${2:-3200}
tmp=$(mktemp -d)
db="sqlite:$tmp/demo.db"
echo "correct horse battery staple" | "$bin" user add --database-url "$db" --email owner@example.com \
  --name Owner --role owner --password-stdin >/dev/null
token=$("$bin" token create --database-url "$db" --email owner@example.com --name demo --scope write)
"$bin" serve --database-url "$db" --addr "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
python3 scripts/demo-data.py "http://127.0.0.1:$port" "$token"
echo "serving http://127.0.0.1:$port (owner@example.com / correct horse battery staple); Ctrl-C to stop"
wait $server
