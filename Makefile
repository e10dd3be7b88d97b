# Two commands do all the set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app:create_app
# `make run`, `make demo` and `make worker` run the demo: demo payments, keys generated once
# into instance/. A real site sets DEMO_MODE=0 and its own keys (README: Running it for real).
DEMO := DEMO_MODE=$${DEMO_MODE:-1}
# The demo fund's bank account (a valid test IBAN), so backers can choose a transfer and
# the demo's bank statement can be imported. A real installation sets its own.
DEMO_BANK := BANK_IBAN=$${BANK_IBAN:-BE68539007547034} BANK_BIC=$${BANK_BIC:-GKCCBEBB} BANK_BENEFICIARY="$${BANK_BENEFICIARY:-Streekfonds Meetjesland vzw}"
# The demo's own data-encryption key (instance/data-encryption.key, made once, never
# committed); a DATA_ENCRYPTION_KEY from the environment wins.
DEMO_KEY = DATA_ENCRYPTION_KEY="$${DATA_ENCRYPTION_KEY:-$$($(BIN)/python scripts/instance_key.py instance)}"

.PHONY: run test install lint translations demo worker clean browser axe

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

# axe-core for the accessibility suite (tests/e2e/test_accessibility.py), at a pinned
# version from the npm registry, into .axe/ (gitignored), once. Without npm the suite is
# skipped (and fails under REQUIRE_SERVICES=1).
AXE_VERSION := 4.10.3
AXE_JS := .axe/node_modules/axe-core/axe.min.js
axe:
	@if [ ! -f $(AXE_JS) ] || ! grep -q '"version": "$(AXE_VERSION)"' .axe/node_modules/axe-core/package.json 2>/dev/null; then \
		if command -v npm >/dev/null 2>&1; then npm install --no-save --no-audit --no-fund --silent --prefix .axe axe-core@$(AXE_VERSION) >/dev/null && echo "axe-core $(AXE_VERSION) in .axe/"; \
		else echo "npm missing: the accessibility suite will be skipped"; fi; fi

run: install
	@mkdir -p instance
	$(DEMO) $(DEMO_BANK) $(DEMO_KEY) $(BIN)/flask db upgrade
	$(DEMO) $(DEMO_BANK) $(DEMO_KEY) $(BIN)/flask demo load
	@echo "streekfonds runs on http://127.0.0.1:5000 (tasks in-process, demo payments, mail in the log)"
	$(DEMO) $(DEMO_BANK) $(DEMO_KEY) $(BIN)/flask run --host 127.0.0.1 --port 5000

demo: install
	$(DEMO) $(DEMO_BANK) $(DEMO_KEY) $(BIN)/flask db upgrade && $(DEMO) $(DEMO_BANK) $(DEMO_KEY) $(BIN)/flask demo load

worker: install
	$(DEMO) $(DEMO_BANK) $(BIN)/celery -A workers.celery_app worker --loglevel=info

lint: install
	$(BIN)/ruff check app workers tests bench
	$(BIN)/lint-imports

test: install browser axe lint
	@bash scripts/test.sh

clean:
	rm -rf $(VENV) instance .pytest_cache .axe build
