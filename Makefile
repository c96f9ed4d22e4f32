# hrfund — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run serve test test-fast lint fmt bench translations extract clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# hrfund/translations holds the shared catalog; a module may keep its own in hrfund/<module>/translations.
translations: $(VENV)/.installed-run
	@for dir in hrfund/translations hrfund/*/translations; do \
	  if ls $$dir/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(BIN)/pybabel compile -f -d $$dir || exit 1; fi; \
	done

## extract: re-extract every catalog (shared and per module), keeping the translations made
extract: $(VENV)/.installed-test
	$(BIN)/python -m hrfund.core.catalogs

## run: install, migrate, load demo data into an empty database, serve on 127.0.0.1:5000
##      with the scheduler (reminders) beside it, stopped with the server
run: $(VENV)/.installed-run translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "hrfund on http://127.0.0.1:5000 (demo logins above; password Tokyo-Diplomacy-2026)"
	$(BIN)/flask scheduler run & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## test: the whole suite (SQLite; PostgreSQL too when HRFUND_TEST_DATABASE_URL is set; browser)
test: $(VENV)/.installed-test translations
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## lint: ruff; bandit (medium and above: 0 findings); pip-audit of the pinned dependencies
##       (skipped, with the reason, when its vulnerability database cannot be reached)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m tests.ops.static_checks

fmt: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-test translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance/hrfund.sqlite*
