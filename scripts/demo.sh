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
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh
echo "$demo_ids"
echo "serving http://127.0.0.1:$port (owner@example.com / correct horse battery staple); Ctrl-C to stop"
wait $server
