# The two commands in README.md: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install translations db lint bench-search bench-pages soak clean

run: db
	bash scripts/run-dev.sh

test: install
	bash scripts/test.sh

install: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d kennisnet/translations

db: install
	$(BIN)/kennisnet db upgrade
	$(BIN)/kennisnet seed
	$(BIN)/kennisnet forum tags

lint: install
	$(BIN)/ruff check .

bench-search: install
	$(BIN)/python bench/search.py

bench-pages: install
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/pages.py

# Nightly, not in `make test`: 30 minutes of the concurrency mix (SOAK_MINUTES=2 for a short run).
soak: install
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) instance .tools
