# The two commands: `make run` and `make test`. Both start with `make install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app app
export GONGZHI_ENV ?= development

.PHONY: install run test bench translations lint clean

install: $(STAMP) translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d app/translations

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Issue 14's figures (BENCHMARKS.md): PostgreSQL on 127.0.0.1 and Debian's wrk; about 8 minutes.
bench: install
	PYTHONPATH=. $(BIN)/python bench/pages.py
	PYTHONPATH=. $(BIN)/python bench/cast.py

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance/*.db
