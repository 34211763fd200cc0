# Evolve — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CONFIG      ?= Release
DOTNET      ?= dotnet
EVOLVE_DLL  := src/Evolve.Cli/bin/$(CONFIG)/net10.0/evolve.dll
# Debian packages the build and tests use: bubblewrap (candidate sandbox), sqlite3 (inspecting
# stores), patchelf, g++ and binutils (TorchSharp fix on older libstdc++), procps (ps/pkill in crash tests).
APT_PACKAGES := bubblewrap sqlite3 patchelf g++ binutils procps fonts-dejavu-core
TEST_RESULTS := .evolve/test-results

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: help deps restore build run test bench clean

help:
	@echo "make run    - run the main job on the embedded sidecar"
	@echo "make test   - install what is needed, build, run every test"
	@echo "make bench  - run the benchmarks (figures on the last lines)"
	@echo "make build  - restore and build the solution ($(CONFIG))"

# Installs missing Debian packages (CI runs as root on a fresh machine). Nothing happens when all
# are present, so developers without root are not bothered.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

restore:
	$(DOTNET) restore Evolve.sln

build: deps restore
	$(DOTNET) build Evolve.sln -c $(CONFIG) --no-restore -nologo -clp:ErrorsOnly

# The main job: the built-in circle-packing campaign, offline, on the embedded sidecar. Run it again and it resumes
# (or, once finished, reports); `rm -rf .evolve/campaigns/circle-packing` starts afresh.
run: build
	$(DOTNET) $(EVOLVE_DLL) run circle-packing --rounds 40

# Runs every test project, then prints one closing line summed over all of them.
test: build
	@rm -rf $(TEST_RESULTS); mkdir -p $(TEST_RESULTS)
	@status=0; $(DOTNET) test Evolve.sln -c $(CONFIG) --no-build -nologo \
	  --logger "console;verbosity=normal" 2>&1 | tee $(TEST_RESULTS)/console.log || status=$$?; \
	awk '/^ +Passed: +[0-9]+$$/ { p += $$2 } /^ +Failed: +[0-9]+$$/ { f += $$2 } /^ +Skipped: +[0-9]+$$/ { s += $$2 } \
	     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' $(TEST_RESULTS)/console.log; \
	exit $$status

bench: build
	$(DOTNET) src/Evolve.Bench/bin/$(CONFIG)/net10.0/Evolve.Bench.dll

clean:
	$(DOTNET) clean Evolve.sln -c $(CONFIG) -nologo >/dev/null || true
	rm -rf .evolve
