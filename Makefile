# The two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test system-deps install install-test lint migrate check-migrations test-sqlite test-postgres serve benchmark clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "通办演示已启动： http://127.0.0.1:$(PORT)/   管理后台： http://127.0.0.1:$(PORT)/admin/   接口文档： http://127.0.0.1:$(PORT)/api/docs/"
	$(PY) manage.py runserver 0.0.0.0:$(PORT)

lint: install-test
	$(VENV)/bin/ruff check src tests benchmarks

check-migrations: install-test
	@mkdir -p var
	$(PY) manage.py makemigrations --check --dry-run

# Debian packages the tests use: poppler's pdftotext, pdftoppm and pdffonts to read rendered PDFs;
# Chromium for the page tests (Playwright drives it).
SYSTEM_PACKAGES := poppler-utils chromium
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "请先安装：sudo apt-get install $$missing"; exit 1; fi; \
	fi

# SQLite always; PostgreSQL as well when DATABASE_URL points at one.
test: system-deps lint check-migrations
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-sqlite: install-test
	env -u DATABASE_URL $(VENV)/bin/pytest -q

test-postgres: install-test
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "DATABASE_URL 未指向 PostgreSQL"; exit 1;; esac
	$(VENV)/bin/pytest -q

benchmark: install-test
	$(PY) benchmarks/item_search.py

clean:
	rm -rf $(VENV) var
