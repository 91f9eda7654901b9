#!/usr/bin/env bash
# Installs what the build and the tests need, each step a no-op when already present.
#   scripts/install-tools.sh          build tools (wasm32 target, wasm-bindgen CLI, npm packages)
#   scripts/install-tools.sh leptos   also cargo-leptos (used by `make run`)
#   scripts/install-tools.sh browser  also Debian's Chromium (used by `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (about 3 minutes, once)"
  # no --locked: the registry here lacks one of its locked dependencies
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# wasm-split-cli cuts the lazily loaded pages out of the main WASM module; its format
# must match the wasm_split_helpers crate Leptos links (Cargo.lock).
ws_version=0.2.3
if ! command -v wasm-split-cli >/dev/null \
   || ! cargo install --list | grep -qx "wasm_split_cli_support v$ws_version:"; then
  say "installing wasm-split-cli $ws_version (about 2 minutes, once)"
  cargo install wasm_split_cli_support --version "$ws_version" --locked --features build-binary --force
fi

if [ ! -x end2end/node_modules/.bin/playwright ] || [ ! -x end2end/node_modules/.bin/wasm-opt ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/ (Playwright, binaryen's wasm-opt)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

for extra in "$@"; do
  case "$extra" in
    leptos)
      if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "0.3.10" ]; then
        say "installing cargo-leptos 0.3.10 (about 30 minutes on 2 cores, once)"
        CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
          cargo install cargo-leptos@0.3.10 --locked
      fi
      ;;
    browser)
      if [ ! -x /usr/bin/chromium ]; then
        say "installing Debian's chromium"
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
      fi
      ;;
    *) echo "unknown extra: $extra" >&2; exit 2 ;;
  esac
done
