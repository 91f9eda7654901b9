# Sourced by scripts/demo.sh and scripts/api-fuzz.sh: serves "$bin" on a throwaway database
# in "$tmp" at 127.0.0.1:$port with owner@example.com ("correct horse battery staple"),
# seeded with the demo data through the REST API (scripts/demo-data.py). Sets `token` (a
# write token), `server` (its pid) and a trap that stops it and removes "$tmp" on exit.
# Extra arguments to `paas serve` may be given in the array `serve_args`.
db="sqlite:$tmp/demo.db"
echo "correct horse battery staple" | "$bin" user add --database-url "$db" --email owner@example.com \
  --name Owner --role owner --password-stdin >/dev/null
token=$("$bin" token create --database-url "$db" --email owner@example.com --name demo --scope write)
"$bin" serve --database-url "$db" --addr "127.0.0.1:$port" ${serve_args[@]+"${serve_args[@]}"} >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
demo_ids=$(python3 scripts/demo-data.py "http://127.0.0.1:$port" "$token")
