# hubcensus — the front door. Every target creates .venv itself on a fresh clone.
PYTHON      ?= python3.11
VENV        := .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
DB          ?= data/hub.duckdb
SAMPLE      ?= ../shared/data/real-hub-sample/models.jsonl
DEMO_PORT   ?= 8765
DEMO_MODELS ?= 20000

.PHONY: help venv crawl demo test bench chromium clean

help:
	@echo "make crawl   crawl the real Hub into $(DB) (honours HF_TOKEN, HF_ENDPOINT)"
	@echo "make demo    offline: start hubsim, crawl it, print figures, write report.html"
	@echo "make test    the test suite (CI runs exactly this)"
	@echo "make bench   benchmarks against the floor and the anchor (numbers -> bench/README.md)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(STAMP)

venv: $(STAMP)

crawl: $(STAMP)
	$(BIN)/hubcensus crawl --db $(DB)

demo: $(STAMP)
	$(BIN)/python -m hubcensus.demo --db data/demo.duckdb --port $(DEMO_PORT) --models $(DEMO_MODELS) --real $(SAMPLE) --report report.html

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
	rm -rf $(VENV) data/demo.duckdb* report.html report.md
