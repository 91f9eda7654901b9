#!/usr/bin/env bash
# Builds the browser bundle (WASM + JS + CSS into target/site) and the server binary,
# without cargo-leptos: what `cargo leptos build` does.
#   scripts/build-site.sh          debug build (fast to compile; used by `make test`)
#   scripts/build-site.sh release  optimised build (wasm-opt -Oz)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile=${1:-debug}

if [ "$profile" = release ]; then
  cargo build --lib --target wasm32-unknown-unknown --profile wasm-release \
    --no-default-features --features hydrate --target-dir target/front
  wasm=target/front/wasm32-unknown-unknown/wasm-release/paas.wasm
else
  cargo build --lib --target wasm32-unknown-unknown \
    --no-default-features --features hydrate --target-dir target/front
  wasm=target/front/wasm32-unknown-unknown/debug/paas.wasm
fi

rm -rf target/site
mkdir -p target/site/pkg
cp -r public/. target/site/
cp style/main.css target/site/pkg/paas.css
wasm-bindgen --target web --out-name paas --out-dir target/site/pkg "$wasm"
mv target/site/pkg/paas_bg.wasm target/site/pkg/paas.wasm
if [ "$profile" = release ]; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    target/site/pkg/paas.wasm -o target/site/pkg/paas.wasm
  cargo build --release --bin paas --no-default-features --features ssr
else
  cargo build --bin paas --no-default-features --features ssr
fi
