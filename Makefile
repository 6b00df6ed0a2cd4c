# Bangfu — quick start: `make run` (demo on SQLite at http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
# `make test SYSTEM_CHECK=0` skips the check of the Debian packages the tests need.
SYSTEM_CHECK ?= 1
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: help install run serve worker test test-postgres lint format migrations-check messages clean check-system

help:
	@echo "make run    安装、迁移、载入演示数据并启动 http://$(HOST):$(PORT) / install, migrate, load demo data, serve"
	@echo "make test   安装并运行全部测试 / install and run the whole test suite"
	@echo "make lint   ruff、mypy、依赖约定、迁移检查 / ruff, mypy, import contracts, migrations check"
	@echo "局域网访问 / on the LAN: make run HOST=0.0.0.0 DJANGO_ALLOWED_HOSTS=本机IP"

# Before anything else: which Debian packages are missing, and the command that installs them.
check-system:
	@if [ "$(SYSTEM_CHECK)" != 0 ]; then $(PYTHON) tools/check_system.py test; fi

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "需要 Python 3.11 或更高版本 / Python 3.11+ is required")'
	@$(PYTHON) -m venv $(VENV) || { echo "创建虚拟环境失败:请先安装 python3-venv(sudo apt install python3-venv)/ install python3-venv first"; exit 1; }

$(STAMP): $(PY) pyproject.toml requirements/constraints.txt
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c requirements/constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	@$(PYTHON) tools/check_system.py run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "帮扶已启动 / Bangfu is at: http://$(HOST):$(PORT)/   (Ctrl+C 停止 / to stop)"
	@$(PY) manage.py db_worker --interval 1 >>var/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: check-system install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/mypy bangfu config
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	$(PY) manage.py makemessages -l en --no-location -i '.venv/*' -i 'var/*' -i 'static/*' -i 'build/*' -i '*/tests/*' -i 'tests/*' -i 'bench/*'
	$(PY) manage.py compilemessages -l en -i '.venv' -i 'var'

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
