# hrfund — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
WHEELHOUSE ?= wheelhouse

.PHONY: run serve test test-fast lint fmt bench translations extract clean lock wheelhouse mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Every dependency from the lock file, hash-checked; then hrfund itself, editable (which also
# compiles the catalogs, see setup.py).
$(VENV)/.installed-run: pyproject.toml setup.py requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml setup.py requirements-test.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

## lock: re-resolve requirements.lock (runtime) and requirements-test.lock (runtime + test) from
##       pyproject.toml, with the hashes of every file of every release; run after changing a pin
lock: | $(BIN)/python
	test -x $(VENV)/lock-tools/bin/pip-compile || \
	  { $(PYTHON) -m venv $(VENV)/lock-tools && $(VENV)/lock-tools/bin/pip install --quiet pip-tools==7.6.2; }
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/lock-tools/bin/pip-compile --quiet --generate-hashes \
	  --strip-extras --no-emit-index-url --output-file requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/lock-tools/bin/pip-compile --quiet --generate-hashes \
	  --strip-extras --no-emit-index-url --extra test --output-file requirements-test.lock pyproject.toml

## wheelhouse: hrfund's wheel and every locked dependency in $(WHEELHOUSE)/, for a server without
##             internet: pip install --no-index --find-links wheelhouse hrfund
wheelhouse: | $(BIN)/python
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir $(WHEELHOUSE) .
	$(BIN)/pip download --quiet --no-deps --require-hashes -r requirements.lock --dest $(WHEELHOUSE)
	cp requirements.lock $(WHEELHOUSE)/

# hrfund/translations holds the shared catalog; a module may keep its own in hrfund/<module>/translations.
translations: $(VENV)/.installed-run
	@for dir in hrfund/translations hrfund/*/translations; do \
	  if ls $$dir/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(BIN)/pybabel compile -f -d $$dir || exit 1; fi; \
	done

## extract: re-extract every catalog (shared and per module), keeping the translations made
extract: $(VENV)/.installed-test
	$(BIN)/python -m hrfund.core.catalogs

## run: install, migrate, load demo data into an empty database, serve on $(HOST):$(PORT)
##      with the scheduler (reminders) beside it, stopped with the server
run: $(VENV)/.installed-run translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "hrfund on http://$(HOST):$(PORT) (demo logins above; password Tokyo-Diplomacy-2026)"
	$(BIN)/flask scheduler run & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# axe-core for the accessibility tests, from npm at the version package-lock.json pins
AXE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
	touch $@

## test: the whole suite (SQLite; PostgreSQL too when HRFUND_TEST_DATABASE_URL is set; browser)
test: $(VENV)/.installed-test translations $(AXE)
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## lint: ruff; mypy (strict on core/ and the services, see [tool.mypy]); bandit (medium and
##       above: 0 findings); pip-audit of the pinned dependencies (skipped, with the reason, when
##       its vulnerability database cannot be reached)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m tests.ops.static_checks

fmt: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: hrfund and bench/baseline.py under gunicorn on the generated `full` data (BENCH_SIZE=small
##        for 1 %), loaded over HTTP by wrk; writes bench/results/latest.md and latest.json
bench: $(VENV)/.installed-test translations
	@command -v wrk >/dev/null || (apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk) \
	  || echo "wrk not installed: the Python load generator is used instead"
	$(BIN)/python -m bench

## mutation: remove each security rule (scope filter, role check, lock, claim) one at a time and
##           run the tests that should catch it (tests/mutation.py; docs/assurance.md lists them);
##           slow, not part of `make test`. MUTATION_ARGS="-k visible_to" runs some of them
mutation: $(VENV)/.installed-test translations
	$(BIN)/python -m tests.mutation $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) instance/hrfund.sqlite* build $(WHEELHOUSE)
