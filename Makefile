# Vigil: two commands on a fresh Debian machine — `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System packages the build needs (Debian names).
BUILD_DEPS := pkg-config libsqlite3-dev liblz4-dev
# What the interop tests add: the reference tools they compare Vigil with (tests skip with a
# notice where they are missing, but `make test` installs them so CI runs them).
TEST_DEPS := prometheus prometheus-node-exporter python3 python3-venv
# Python clients the interop tests drive Vigil with, in a venv the tests find (PythonClientTests).
PYENV := .build/pyenv
PY_TEST_PACKAGES := prometheus-api-client
# What the benchmarks add: the reference tools and the load generator.
BENCH_DEPS := wrk prometheus procps
LISTEN ?= :9090
# `make bench SUITES="http query"` runs some suites only (default: all).
SUITES ?=
ARGS ?=

.PHONY: all deps test-deps bench-deps build release run test bench clean

all: build

# Installs only the packages that are missing; `apt-get update` runs once, only when needed.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_DEPS))

# The venv is created only when missing or incomplete; an offline pip leaves a notice and the
# Python tests skip.
test-deps: deps
	$(call apt_install,$(TEST_DEPS))
	@if ! $(PYENV)/bin/python -c 'import prometheus_api_client' >/dev/null 2>&1; then \
	  echo "creating $(PYENV) with $(PY_TEST_PACKAGES)"; \
	  { python3 -m venv $(PYENV) && $(PYENV)/bin/pip install -q $(PY_TEST_PACKAGES); } \
	    || echo "notice: could not install $(PY_TEST_PACKAGES) into $(PYENV); the Python client tests will skip"; \
	fi

bench-deps: deps
	$(call apt_install,$(BENCH_DEPS))

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Starts Vigil on the embedded default config: scrapes itself, loads rules/ and dashboards/.
run: release
	./.build/release/vigil --web.listen-address=$(LISTEN) $(ARGS)

# Three passes. Swift Testing runs synchronous tests on the cooperative pool (one thread per
# core); the HTTP and daemon suites block those threads in socket reads, which would starve
# the scrape suites' async loops, so those run in a pass of their own. The crash loop (50
# kill -9s of a real daemon) saturates the machine and runs last, alone.
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip "CrashLoopTests|ScrapeTests"
	$(SWIFT) test --skip-build --filter ScrapeTests
	$(SWIFT) test --skip-build --filter CrashLoopTests

# Side-by-side benchmarks against the reference tools; results under bench/out/.
bench: bench-deps release
	./bench/run.sh $(SUITES)

clean:
	rm -rf .build
