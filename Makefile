# Two commands: `make run` (set up, migrate, demo data, web + dispatcher on SQLite) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 5000
WEB_WORKERS ?= 2
# The suite runs on both cores (pytest-xdist): each worker has its own databases and ports.
TEST_WORKERS ?= 2

.PHONY: setup migrate demo run test test-postgres browser fonts bench clean coverage mutants

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

migrate: setup
	$(BIN)/flask --app wsgi db upgrade

demo: migrate
	$(BIN)/flask --app wsgi demo

# Web server (gunicorn) and one dispatcher, together; Ctrl-C stops both.
run: demo fonts
	@echo "Serving on http://$(HOST):$(PORT) (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@trap 'kill 0' INT TERM EXIT; export ACCOMMNOTIFY_SESSION_COOKIE_SECURE=$${ACCOMMNOTIFY_SESSION_COOKIE_SECURE:-0}; export ACCOMMNOTIFY_WEBHOOK_ALLOW_INSECURE=$${ACCOMMNOTIFY_WEBHOOK_ALLOW_INSECURE:-1}; \
	$(BIN)/flask --app wsgi dispatcher run & \
	$(BIN)/gunicorn --workers $(WEB_WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-dejavu-core)
	@# Chinese and Korean glyphs for the self check-in pages' screenshots (docs/SELF_CHECKIN.md)
	@test -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc || (apt-get update -qq && apt-get install -y -qq fonts-wqy-zenhei)

# The Unicode font of the daily proof PDFs (docs/PROOF.md), Debian's like the browser.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core)

test: setup browser fonts
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# Line coverage of the unit and integration tests on SQLite (data in var/.coverage), then the
# floors: every module >= 85 %, total >= 95 % (tests/coverage_check.py).
coverage: setup
	mkdir -p var
	env -u ACCOMMNOTIFY_TEST_POSTGRES_URL $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal --cov --cov-config=.coveragerc --cov-report= tests/unit tests/integration
	$(BIN)/python tests/coverage_check.py

# Targeted mutants (tests/mutation/run.py): each must make its named tests fail. It rewrites source
# files for a few seconds per mutant and restores them: not while others run tests in this tree.
mutants: setup
	$(BIN)/python tests/mutation/run.py

# Benchmarks load the whole machine for minutes each: see bench/README.md and run the one you need.
bench: setup
	@cat bench/README.md

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
