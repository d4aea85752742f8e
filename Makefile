# gridwatch — the two set-up commands of the README, and their parts.
#   make demo   install into .venv, simulate a city, ingest it, run the pipeline, serve the UI
#   make test   install into .venv (with test tools and browser), run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOME_DIR ?= gridwatch-home
CUSTOMERS ?= 5000
DAYS ?= 365
PORT ?= 8000

.PHONY: demo test install system-deps lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,spark]'
	touch $@

install: $(BIN)/.installed

# Debian packages the tests need: Java for Spark, Chromium and a CJK font for the browser tests.
system-deps:
	@bash scripts/system-deps.sh

demo: install
	$(BIN)/gridwatch --home $(HOME_DIR) demo --customers $(CUSTOMERS) --days $(DAYS) --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check src tests benchmarks tools

bench: install
	$(BIN)/python benchmarks/bench_ingest.py --write-docs

clean:
	rm -rf $(VENV) $(HOME_DIR) test-artifacts
