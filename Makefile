# Two commands set everything up: `make run` (the app on the sample article) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test tmux bench clean

$(BIN)/annotator: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/annotator
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

run: $(BIN)/annotator
	$(BIN)/annotator

# tmux drives the real app in the end-to-end tests; install it when the machine lacks it.
tmux:
	@command -v tmux >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q tmux; \
	  else sudo apt-get update -q && sudo apt-get install -y -q tmux; fi; }

test: $(VENV)/.test-deps tmux
	$(BIN)/ruff check annotator tests bench
	$(BIN)/ruff format --check annotator tests bench
	$(BIN)/mypy annotator
	$(BIN)/python -m pytest

bench: $(VENV)/.test-deps
	$(BIN)/python bench/importing.py
	$(BIN)/python bench/tokenizer.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/tui.py
	$(BIN)/python bench/suggest.py
	$(BIN)/python bench/agreement.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
