# PAAS AI Orchestration. Two commands do all setup on a fresh machine:
#   make run    install what is missing, build release, serve http://127.0.0.1:3000
#   make test   install what is missing, then fmt, clippy, unit + storage + HTTP tests, Playwright
SHELL := /bin/bash
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export LEPTOS_OUTPUT_NAME := paas

.PHONY: run dev install build test check lint unit e2e site fmt bench bench-scale first-load clean-data reliability reliability-quick api-fuzz

run: ## build the release site and server (no cargo-leptos) and serve on 127.0.0.1:3000 (./data/paas.db)
	scripts/install-tools.sh
	scripts/build-site.sh release
	./target/release/paas serve

dev: ## live reload: cargo leptos watch (installs cargo-leptos the first time, about 20 minutes on 2 cores)
	scripts/install-tools.sh leptos
	source scripts/env.sh && cargo leptos watch --split

PREFIX ?= $(HOME)/.cargo
install: ## install the self-contained binary into $(PREFIX)/bin (default ~/.cargo/bin)
	scripts/install-tools.sh
	scripts/build-site.sh release
	install -D -m 755 target/release/paas $(PREFIX)/bin/paas
	@echo "installed $(PREFIX)/bin/paas"

build: ## release build without cargo-leptos
	scripts/install-tools.sh
	scripts/build-site.sh release

test: ## everything CI runs
	scripts/install-tools.sh browser
	$(MAKE) lint unit site e2e api-fuzz reliability-quick

lint:
	cargo fmt --all -- --check
	source scripts/env.sh && cargo clippy --features ssr --all-targets -- -D warnings
	source scripts/env.sh && cargo clippy --lib --no-default-features --features hydrate \
		--target wasm32-unknown-unknown --target-dir target/front -- -D warnings

# One test thread: the HTTP tests render pages, and Leptos' process-wide reactive state
# is not safe across the many tokio runtimes of concurrently running tests (one server
# runtime is: see the README). Every test takes milliseconds either way.
unit:
	source scripts/env.sh && cargo test --features ssr -- --test-threads=1

site:
	scripts/build-site.sh debug

e2e:
	scripts/e2e.sh target/debug/paas

# The REST API against its OpenAPI document: validated as OpenAPI 3.1, then schemathesis
# sends requests generated from it (about 6,000 cases, half a minute): no 5xx, every answer
# as documented. Installs its pinned Python tools in target/api-fuzz-venv the first time.
api-fuzz:
	scripts/api-fuzz.sh target/debug/paas

# The reliability harness (scripts/reliability): disconnect storm, write benchmark, soak with
# stale forms, slow connections, kill -9 crash trials, hostile-input fuzzer. `make test`
# runs the short version (about a minute) against the debug build.
reliability-quick:
	python3 scripts/reliability/run.py --quick --expect-timeouts --bin target/debug/paas

reliability: ## the full harness against the release build (figures in the README)
	scripts/install-tools.sh
	scripts/build-site.sh release
	python3 scripts/reliability/run.py --expect-timeouts --bin target/release/paas

bench: ## timings that print figures (release build)
	source scripts/env.sh && cargo bench --features ssr --bench pool && cargo bench --features ssr --bench bundle && cargo bench --features ssr --bench knowledge && cargo bench --features ssr --bench analytics && cargo bench --features ssr --bench handoff && cargo bench --features ssr --bench capture && cargo bench --features ssr --bench serve

bench-scale: ## every page's HTML size and server time at 1,000 accounts, 10,000 sessions, 100,000 turns
	source scripts/env.sh && cargo bench --features ssr --bench scale

first-load: ## what a first visit of each page transfers, and the WASM sizes (release build)
	scripts/first-load.sh

fmt:
	cargo fmt --all

clean-data: ## remove the local database
	rm -rf data
