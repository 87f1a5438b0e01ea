# 客服部门户 — the two commands: `make run` and `make test`. Both work as root, without stdin, and twice in a row.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONUNBUFFERED := 1

.PHONY: bench run test setup migrate seed chromium test-unit test-sqlite test-postgres test-e2e lock clean-db

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(VENV)/bin/piccolo migrations forwards all

seed: migrate
	$(PY) -m seeds.demo

## Serve the portal on http://127.0.0.1:$(PORT) with demo data (SQLite in .local/).
run: seed
	$(PY) -m app.serve --host 127.0.0.1 --port $(PORT)

## Debian's Chromium and a CJK font for the browser tests (Playwright's own browser download does not work here).
chromium:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei </dev/null; fi

## Everything: unit + integration on SQLite, integration on PostgreSQL (started and stopped here), browser tests.
test: setup chromium
	bash scripts/test.sh

lock:
	rm -rf /tmp/lockenv && $(PYTHON) -m venv /tmp/lockenv && /tmp/lockenv/bin/pip install -q -e '.[test]' && \
	  (echo '# Pinned by `make lock`. Install with: pip install -r requirements.lock'; /tmp/lockenv/bin/pip freeze --exclude-editable) > requirements.lock

## Backup and restore (README «备份与恢复»): one archive with the database and every attachment.
.PHONY: backup restore
OUT ?= backups/
backup: setup
	$(PY) -m app.ops.backup $(OUT)

restore: setup
	@test -n "$(FILE)" || { echo "用法：make restore FILE=backups/portal-….tar.gz [FORCE=1]"; exit 2; }
	$(PY) -m app.ops.restore $(FILE) $(if $(FORCE),--force)
## The benchmark (bench/README.md): SQLite and PostgreSQL × demo and large scale, wrk on loopback; writes bench/results/.
## BENCH_QUICK=1 make bench: one round of 3 s, demo scale only.
bench: setup
	@command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq wrk </dev/null; }
	$(PY) -m bench.run
