# hubcensus — the front door. Every target creates .venv itself on a fresh clone.
# Needs Python >= 3.11: the first of python3.13, python3.12, python3.11, python3 that is new
# enough, or PYTHON=/path/to/python3.x.
PYTHON      ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
                 command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
                 && { echo $$p; break; }; done)
VENV        := .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
DB          ?= data/hub.duckdb
DEMO_DB     ?= data/demo.duckdb
# The real-Hub sample merged into the demo universe; `make demo SAMPLE=` runs synthetic-only.
SAMPLE      ?= ../shared/data/real-hub-sample/models.jsonl
DEMO_PORT   ?= 8765
DEMO_MODELS ?= 20000

.PHONY: help venv crawl demo test bench chromium clean

help:
	@echo "make crawl   crawl the real Hub into $(DB) (honours HF_TOKEN, HF_ENDPOINT)"
	@echo "make demo    offline: start hubsim, crawl it into $(DEMO_DB), print figures, write report.html"
	@echo "             (make demo SAMPLE= for a synthetic-only universe; DEMO_PORT=... if 8765 is busy)"
	@echo "make test    the test suite (CI runs exactly this)"
	@echo "make bench   benchmarks against the floor and the anchor (numbers -> bench/README.md)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { test -n "$(PYTHON)" || { \
	  echo "make: hubcensus needs Python >= 3.11 and found none (python3.13, python3.12, python3.11, python3);" \
	  "install one, or run make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }; \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(STAMP)

venv: $(STAMP)

# make stops with its own exit status 2 whenever a command fails; the crawl's exit code (the
# README's table: 3 locked, 4 unreachable, 5 token, 6 partial, 7 disk full) is in the last line.
crawl: $(STAMP)
	@$(BIN)/hubcensus crawl --db $(DB) || { code=$$?; \
	  echo "make crawl: hubcensus crawl exited $$code (README.md, exit codes); cron wrappers should run $(BIN)/hubcensus crawl directly" >&2; \
	  exit $$code; }

demo: $(STAMP)
	@$(BIN)/python -m hubcensus.demo --db $(DEMO_DB) --port $(DEMO_PORT) --models $(DEMO_MODELS) $(if $(SAMPLE),--real $(SAMPLE) )--report report.html

# The report test opens report.html in Debian's headless Chromium; install it when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the report test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) chromium
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) data/demo.duckdb* report.html report.md report.pdf
