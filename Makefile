# Two commands set up a fresh machine: `make run` and `make test` (see README).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck pytest pytest-pgbouncer ts tokens token reset-demo clean bench lock

# The venv gets the exact versions of requirements.lock (pyproject.toml holds the ranges a
# user's install may take); goalpost itself goes on top, editable, with nothing else.
$(STAMP): pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Refresh the lock files from pyproject.toml's ranges (uv's resolver, for Python 3.11).
lock: $(STAMP)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -q \
		--custom-compile-command "make lock" -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --python-version 3.11 -q \
		-c requirements.lock --custom-compile-command "make lock" -o requirements-bench.lock

run: $(STAMP)
	$(BIN)/goalpost migrate
	$(BIN)/goalpost seed-demo
	@$(MAKE) --no-print-directory tokens
	$(BIN)/goalpost serve

tokens: $(STAMP)
	@echo
	@echo "Dev tokens (valid 12 h). In GraphiQL at http://127.0.0.1:$${GOALPOST_PORT:-8000}/graphql open 'Headers' and paste:"
	@echo "  alice (acme employee):"
	@echo "    {\"Authorization\": \"Bearer $$($(BIN)/goalpost token alice@acme.example)\"}"
	@echo "  carol (acme supervisor, globex employee):"
	@echo "    {\"Authorization\": \"Bearer $$($(BIN)/goalpost token carol@acme.example)\"}"
	@echo

# One user's token, for scripts: make -s token EMAIL=bob@acme.example (demo users: docs/demo.md).
token: $(STAMP)
	@test -n "$(EMAIL)" || { echo "usage: make token EMAIL=alice@acme.example" >&2; exit 2; }
	@$(BIN)/goalpost token "$(EMAIL)"

# The demo orgs back as seeded (their goals deleted, demo rows restored), so the README's
# examples can be run again. Other orgs are left alone.
reset-demo: $(STAMP)
	$(BIN)/goalpost seed-demo --reset

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The graphql-http audit (tests/hardening) runs on Node.js with a pinned lock file.
AUDIT := tests/conformance
$(AUDIT)/node_modules/.package-lock.json: $(AUDIT)/package-lock.json
	npm ci --prefix $(AUDIT) --no-audit --no-fund --silent

pytest: $(STAMP) $(AUDIT)/node_modules/.package-lock.json
	$(BIN)/pytest

# The PostgreSQL tests that matter for connection pooling, once more through a real PgBouncer
# in transaction mode (docs/scaling.md), when PostgreSQL is configured and pgbouncer is
# installed (GOALPOST_TEST_REQUIRE_PGBOUNCER=1: fail instead of skipping). tests/scale's
# other tests already go through a PgBouncer in the run above; the lock-order rounds test
# PostgreSQL's row locks, which a pooler does not change.
PGBOUNCER_TESTS := tests/batch tests/review tests/test_goal_changes.py \
	tests/hardening/test_postgres_faults.py tests/hardening/test_two_workers.py \
	tests/hardening/test_tenant_isolation.py tests/scale/test_server_retry.py \
	--deselect tests/batch/test_lock_order.py
pytest-pgbouncer: $(STAMP)
	@if [ -z "$$GOALPOST_TEST_POSTGRES_URL" ]; then \
		echo "PgBouncer lane skipped: GOALPOST_TEST_POSTGRES_URL is not set"; \
	elif [ ! -x "$${GOALPOST_PGBOUNCER_BIN:-/usr/sbin/pgbouncer}" ] && [ "$$GOALPOST_TEST_REQUIRE_PGBOUNCER" != 1 ]; then \
		echo "PgBouncer lane skipped: pgbouncer is not installed (apt install pgbouncer)"; \
	else \
		GOALPOST_TEST_PGBOUNCER=1 $(BIN)/pytest -q $(PGBOUNCER_TESTS); \
	fi

# The TypeScript client @goalpost/client: lint, build, and its tests against a live server
# started from this virtualenv.
TS := clients/typescript
ts: $(STAMP)
	cd $(TS) && npm ci --no-audit --no-fund && npm run lint && npm run build && \
		GOALPOST_VENV=$(abspath $(VENV)) npm test

test: lint typecheck pytest pytest-pgbouncer ts

# Benchmarks (issue 6), not tests: figures to bench/results/ and bench/README.md. SQLite by default;
# PostgreSQL with GOALPOST_BENCH_DATABASE_URL (a fresh database is made next to it).
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--runs 50" (see python -m bench.run --help).
BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP) requirements-bench.lock
	$(BIN)/pip install --quiet -r requirements-bench.lock
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) goalpost.db goalpost.db-* .pytest_cache .mypy_cache .ruff_cache
