# Aftersale: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
APPS := $(notdir $(wildcard src/aftersale/*/locale/..))

.PHONY: demo test lint messages clean install serve

$(BIN)/aftersale: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

install: $(BIN)/aftersale

## make demo: set up everything, load the demo portfolio, serve at http://127.0.0.1:$(PORT)
demo: install
	DEBUG=1 $(BIN)/aftersale migrate --no-input -v0
	DEBUG=1 PORT=$(PORT) $(BIN)/aftersale demo

## make test: install what the tests need, run them on SQLite and on PostgreSQL
test: install
	scripts/system-deps.sh
	scripts/test.sh

lint: install
	scripts/system-deps.sh
	$(BIN)/ruff check src tests bench
	PYTHONPATH=src $(BIN)/lint-imports --no-cache
	DEBUG=1 $(BIN)/aftersale makemigrations --check --dry-run
	scripts/check-messages.sh

## make messages: refresh and compile every app's Vietnamese catalogue
messages: install
	@for dir in src/aftersale/*/locale; do \
	  app=$$(dirname $$dir); \
	  (cd $$app && DEBUG=1 PYTHONPATH=$(CURDIR)/src $(CURDIR)/$(BIN)/aftersale makemessages -l vi -v0 && \
	   DEBUG=1 PYTHONPATH=$(CURDIR)/src $(CURDIR)/$(BIN)/aftersale compilemessages -v0); \
	done

serve: install
	DEBUG=1 $(BIN)/aftersale serve

clean:
	rm -rf $(VENV) var build *.egg-info
