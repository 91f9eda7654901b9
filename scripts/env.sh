# Shared build settings, sourced by the other scripts. The same LEPTOS_* values as
# cargo-leptos passes, so builds by either path reuse each other's compiled crates.
export LEPTOS_OUTPUT_NAME=paas
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR=127.0.0.1:3000
export LEPTOS_RELOAD_PORT=3001
export LEPTOS_LIB_DIR=.
export LEPTOS_BIN_DIR=.
export LEPTOS_HASH_FILES=false
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Components type-erased on both sides (the server must render what the browser build
# hydrates): far less generic code, a smaller WASM, faster compiles, the same HTML. The
# browser build also keeps its relocations for wasm-split-cli.
export CARGO_BUILD_RUSTFLAGS="--cfg erase_components"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs"
