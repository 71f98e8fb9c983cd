# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test lint bench cluster translations compile-translations migrate content clean

PIP := $(BIN)/pip install --quiet --disable-pip-version-check
# Run a step silently; its output is shown only when it fails.
QUIETLY = out=$$($(1) 2>&1) || { echo "$$out"; exit 1; }

$(BIN)/python:
	@echo "Creating $(VENV) and installing the dependencies (a minute the first time)..."
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(PIP) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@$(PIP) -e '.[dev]'
	@touch $(VENV)/.installed $@

compile-translations: $(VENV)/.installed
	@$(call QUIETLY,$(BIN)/pybabel compile --use-fuzzy -d forum/translations -f)

migrate: $(VENV)/.installed
	@$(call QUIETLY,$(BIN)/flask db upgrade)

content: migrate
	@$(BIN)/flask content load

run: compile-translations content
	@echo
	@echo "  The forum:      http://$(HOST):$(PORT)/   (stop it with Ctrl+C)"
	@echo "  Staff sign-in:  http://$(HOST):$(PORT)/staff/login"
	@echo "  Add a moderator (in another terminal):"
	@echo "    $(BIN)/flask --app wsgi staff create you@example.org --role moderator"
	@echo "  Reply e-mails:  sent by \`flask notices worker\`, started beside the server when"
	@echo "                  FORUM_SMTP_URL is set, and stopped with it"
	@echo
	@# The e-mail worker runs beside the server and stops with it (Ctrl+C, or the server's end).
	@$(BIN)/flask notices worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
		$(BIN)/flask run --host $(HOST) --port $(PORT)

# Each test file runs whole on one of the workers (fixtures shared by its tests stay local).
TEST_WORKERS ?= 2
test: lint compile-translations
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Extract every marked string and merge it into the catalogs (run after changing UI text).
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k counted:1,2 --no-location --sort-output \
		--ignore-dirs ".*" \
		-o forum/translations/messages.pot .
	$(BIN)/pybabel update -i forum/translations/messages.pot -d forum/translations \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/python tools/fill_source_catalog.py

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

# Two app hosts behind nginx on network namespaces (root, iproute2, nginx): built, loaded
# for a few seconds while one host restarts, checked, torn down (bench/cluster).
cluster: $(VENV)/.installed-dev compile-translations
	$(BIN)/python -m bench.cluster $(CLUSTER_ARGS)

clean:
	rm -rf $(VENV) test-output
