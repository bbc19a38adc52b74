# Dateline — every command a user or CI needs. Works on a fresh machine with python3 (3.10+).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DB ?= demo.db

.PHONY: help venv demo test test-fast lint chromium bench serve clean

help:
	@echo "make demo   set up .venv and ingest the bundled examples/ (prints a run summary and records)"
	@echo "make test   set up .venv with test deps, run ruff, mypy and the test suite"
	@echo "make bench  run the benchmarks against peer tools (needs ../shared/data)"
	@echo "make serve  start the web UI on the demo store (after make demo)"

# The venv is rebuilt when pyproject.toml changes. pip is upgraded first (old pips mis-resolve
# trafilatura's lxml_html_clean extra).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/dateline ingest examples/ --db $(DEMO_DB)
	@echo
	@echo "== dateline stats --db $(DEMO_DB)"
	@$(BIN)/dateline stats --db $(DEMO_DB)
	@echo
	@echo "== dateline stories --db $(DEMO_DB)   (fold duplicates, group coverage into stories)"
	@$(BIN)/dateline stories --db $(DEMO_DB)
	@echo
	@echo "== dateline search 'Syria' --db $(DEMO_DB) --limit 3"
	@$(BIN)/dateline search "Syria" --db $(DEMO_DB) --limit 3
	@echo
	@echo "== dateline entities --db $(DEMO_DB) --limit 8"
	@$(BIN)/dateline entities --db $(DEMO_DB) --limit 8
	@echo
	@echo "== dateline quotes --db $(DEMO_DB) --entity 'Riad Haddad'"
	@$(BIN)/dateline quotes --db $(DEMO_DB) --entity "Riad Haddad"
	@echo
	@echo "== dateline events --db $(DEMO_DB) --type ASSAULT --limit 6"
	@$(BIN)/dateline events --db $(DEMO_DB) --type ASSAULT --limit 6
	@echo
	@echo "== dateline extract examples/text/sputnik-seed.txt   (the seed page: flattened text, navigation kept)"
	@$(BIN)/dateline extract examples/text/sputnik-seed.txt
	@echo
	@echo "Explore it in a browser: make serve   (then open http://127.0.0.1:8000)"

serve: venv
	$(BIN)/dateline serve --db $(DEMO_DB)

lint: venv
	$(BIN)/ruff check dateline tests bench scripts
	$(BIN)/mypy

# Debian's Chromium for the web UI's end-to-end tests (Playwright drives it; never `playwright install`).
chromium:
	bash scripts/ensure_chromium.sh

test: lint chromium
	$(BIN)/pytest -q

test-fast: venv
	$(BIN)/pytest -q -m "not slow"

bench: venv
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/quotes.py
	$(BIN)/python bench/places.py
	$(BIN)/python bench/events.py
	$(BIN)/python bench/entities.py
	$(BIN)/python bench/stories.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
