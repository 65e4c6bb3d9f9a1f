# 扬帆 Yangfan. `make run` serves the demo at http://127.0.0.1:8000; `make test` runs every check.
# Both do their own set-up on a fresh machine through `make install`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export YANGFAN_DATA_DIR ?= $(CURDIR)/var
YANGFAN_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_ENV := YANGFAN_DATA_DIR=$(CURDIR)/.test-data YANGFAN_SECRET_KEY=test-only-secret-key-not-for-production
# each database's run has its own data directory, so that the two can run side by side
TEST_ENV_SQLITE := YANGFAN_DATA_DIR=$(CURDIR)/.test-data/sqlite YANGFAN_SECRET_KEY=test-only-secret-key-not-for-production
TEST_ENV_POSTGRES := YANGFAN_DATA_DIR=$(CURDIR)/.test-data/postgres YANGFAN_SECRET_KEY=test-only-secret-key-not-for-production

.PHONY: install run run-deps test test-deps lint test-sqlite test-postgres clean messages screenshots

# The project's own modules are compiled too: an editable install leaves them as source, and where
# PYTHONDONTWRITEBYTECODE is set (as on these machines) every `yangfan` command would compile them again
# (~0.1 s a command). A changed file is compiled again here; a stale one is never used (Python checks).
install: $(STAMP)
	@$(BIN)/python -m compileall -q src >/dev/null

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	@touch $(STAMP)

# What `make run` needs from Debian: the CJK font of the report charts (fonts-noto-cjk), installed when missing.
# Without it (and without root to install it) the site still runs; each report chart is a note instead.
run-deps:
	@if ! test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc && ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "Installing fonts-noto-cjk for the report charts (apt-get)…"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk) \
			|| echo "!! fonts-noto-cjk could not be installed (run as root: apt-get install fonts-noto-cjk); reports will have notes instead of charts"; \
	fi

run: install run-deps
	$(BIN)/yangfan init --demo
	$(BIN)/yangfan serve --host 127.0.0.1 --port 8000

# What the tests need from Debian: Chromium for the browser tests, a CJK font so Chinese renders (pages, report
# charts), LibreOffice to render a report page as the reader's office suite would, Java for the Spark engine.
test-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v soffice >/dev/null || ! command -v java >/dev/null; then \
		echo "Installing chromium, fonts-noto-cjk, libreoffice-writer-nogui and openjdk-17-jre-headless (apt-get)…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk libreoffice-writer-nogui openjdk-17-jre-headless; \
	fi

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/python manage.py check --fail-level WARNING
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	@# production settings (HTTPS behind a proxy, a real key) pass Django's deployment checklist
	YANGFAN_DATA_DIR=$(CURDIR)/.test-data YANGFAN_HTTPS=1 YANGFAN_SECRET_KEY=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))") \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

test-sqlite: install test-deps
	@echo "== tests on SQLite =="
	$(TEST_ENV_SQLITE) YANGFAN_DATABASE_URL= $(BIN)/pytest

# The PostgreSQL run is the tests that use a database (YANGFAN_TEST_DATABASE_ONLY: tests/conftest.py leaves out
# those that never touch one, the core's and the pipeline's), less the Spark tests (a JVM) and the browser tests
# (Chromium against a served demo site): what those check is the engines' agreement and the pages' behaviour in a
# browser, not the database. They run with SQLite; every page, API and service test runs on both databases.
test-postgres: install test-deps
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$(YANGFAN_TEST_POSTGRES_URL)" 2>/dev/null; then \
		echo "== tests on PostgreSQL ($(YANGFAN_TEST_POSTGRES_URL)) =="; \
		$(TEST_ENV_POSTGRES) YANGFAN_TEST_DATABASE_ONLY=1 YANGFAN_DATABASE_URL=$(YANGFAN_TEST_POSTGRES_URL) $(BIN)/pytest -m "not spark and not browser"; \
	else \
		echo ""; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!  PostgreSQL is NOT reachable at $(YANGFAN_TEST_POSTGRES_URL)"; \
		echo "!!  The PostgreSQL run was SKIPPED. Set YANGFAN_TEST_POSTGRES_URL or start the server."; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo ""; \
		if [ -n "$$YANGFAN_REQUIRE_POSTGRES" ]; then exit 1; fi; \
	fi

# The two databases' runs go side by side (two cores); each one's output is printed whole when it ends.
test: lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The README's screenshots, taken by the browser tests as they run (docs/screenshots/*.png).
screenshots: install test-deps
	$(TEST_ENV) YANGFAN_DATABASE_URL= YANGFAN_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/browser

clean:
	rm -rf $(VENV) .test-data .pytest_cache .ruff_cache .hypothesis

# After changing translatable strings: refresh the English catalogue, translate, then compile (needs gettext).
messages: install
	cd src/yangfan && $(TEST_ENV) DJANGO_SETTINGS_MODULE=yangfan.settings ../../$(BIN)/django-admin makemessages -l en --no-location
	msgfmt --check -o src/yangfan/locale/en/LC_MESSAGES/django.mo src/yangfan/locale/en/LC_MESSAGES/django.po
	msgfmt --check -o src/yangfan/locale/zh_Hans/LC_MESSAGES/django.mo src/yangfan/locale/zh_Hans/LC_MESSAGES/django.po
