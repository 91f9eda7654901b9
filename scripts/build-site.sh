#!/usr/bin/env bash
# Builds the browser bundle (WASM + JS + CSS into target/site) and the server binary,
# without cargo-leptos: what `cargo leptos build` does. The server embeds target/site
# (build.rs); files that did not change are left untouched, so a second run with nothing
# changed rebuilds nothing.
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

# Split, bind and optimise only when the compiled WASM changed. wasm-split-cli cuts the
# lazily loaded pages (`#[lazy_route]`) into chunks of their own; wasm-bindgen then binds
# the main module (keeping the exports the chunks import); wasm-opt shrinks every part.
cache=target/site-cache/$profile
sum=$(sha256sum "$wasm" | cut -d' ' -f1)
if [ ! -f "$cache/wasm.sha256" ] || [ "$(cat "$cache/wasm.sha256")" != "$sum" ] \
  || [ ! -f "$cache/paas.wasm" ]; then
  rm -rf "$cache"
  mkdir -p "$cache/split"
  wasm-split-cli --target web --out-name paas "$wasm" "$cache/split"
  wasm-bindgen --target web --keep-lld-exports --no-demangle --out-name paas \
    --out-dir "$cache/split" "$cache/split/paas.wasm"
  mv "$cache/split/paas_bg.wasm" "$cache/split/paas.wasm"
  rm -f "$cache/split/"*.d.ts
  if [ "$profile" = release ]; then
    for f in "$cache/split/"*.wasm; do
      wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$f" -o "$f"
    done
  fi
  mv "$cache/split/"* "$cache/"
  rmdir "$cache/split"
  echo "$sum" > "$cache/wasm.sha256"
fi
stage=target/site.new
rm -rf "$stage"
mkdir -p "$stage/pkg"
cp -r public/. "$stage/"
cp style/main.css "$stage/pkg/paas.css"
cp "$cache/"*.js "$cache/"*.wasm "$stage/pkg/"
# into target/site: only what changed, and nothing that is gone
mkdir -p target/site
(cd "$stage" && find . -type f) | while read -r f; do
  if ! cmp -s "$stage/$f" "target/site/$f"; then
    mkdir -p "$(dirname "target/site/$f")"
    cp "$stage/$f" "target/site/$f"
  fi
done
(cd target/site && find . -type f) | while read -r f; do
  [ -e "$stage/$f" ] || rm -f "target/site/$f"
done
rm -rf "$stage"

if [ "$profile" = release ]; then
  cargo build --release --bin paas --no-default-features --features ssr
else
  cargo build --bin paas --no-default-features --features ssr
fi
