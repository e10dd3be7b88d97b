# Two commands do all the set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app:create_app
# The demo fund's bank account (a valid test IBAN), so backers can choose a transfer and
# the demo's bank statement can be imported. A real installation sets its own.
DEMO_BANK := BANK_IBAN=$${BANK_IBAN:-BE68539007547034} BANK_BIC=$${BANK_BIC:-GKCCBEBB} BANK_BENEFICIARY="$${BANK_BENEFICIARY:-Streekfonds Meetjesland vzw}"

.PHONY: run test install lint translations demo worker clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@if ls app/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -q -d app/translations 2>/dev/null || $(BIN)/pybabel compile -d app/translations; fi

# Debian's chromium for the browser tests (installed once; needs root or sudo, as in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium missing and no root: the browser tests will be skipped"; fi; }

run: install
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(DEMO_BANK) $(BIN)/flask demo load
	@echo "streekfonds runs on http://127.0.0.1:5000 (tasks in-process, demo payments, mail in the log)"
	$(DEMO_BANK) $(BIN)/flask run --host 127.0.0.1 --port 5000

demo: install
	$(BIN)/flask db upgrade && $(DEMO_BANK) $(BIN)/flask demo load

worker: install
	$(BIN)/celery -A workers.celery_app worker --loglevel=info

lint: install
	$(BIN)/ruff check app workers tests bench
	$(BIN)/lint-imports

test: install browser lint
	@bash scripts/test.sh

clean:
	rm -rf $(VENV) instance .pytest_cache
