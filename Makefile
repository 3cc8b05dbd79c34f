# Two commands: `make run [PORT=8080]` (set up and run on SQLite) and `make test` (set up and pass
# the tests).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev
PORT   ?= 8000

.PHONY: setup run test lint typecheck check clean

$(BIN)/.installed-$(EXTRAS): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

setup: $(BIN)/.installed-$(EXTRAS)

run: setup
	$(BIN)/flrts init --port $(PORT)
	$(BIN)/flrts start --bind 127.0.0.1:$(PORT)

test: setup
	$(BIN)/pytest -q -n 2

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

check: lint typecheck
	$(BIN)/flrts --site $${FLRTS_SITE:-test.localhost} makemigrations --check --dry-run >/dev/null

clean:
	rm -rf $(VENV) build *.egg-info
