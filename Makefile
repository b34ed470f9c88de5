# The two commands of the README: `make run` and `make test`. Both do all set-up on a fresh
# Debian machine (virtualenv, Docker engine, system packages, sandbox image) and say what they do.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HARNESS := $(VENV)/bin/harness
PYTEST_ARGS ?=

.PHONY: run test setup venv docker system-deps image lint typecheck bench bench-static bench-web bench-scale bench-serving bench-integrity similarity-eval calibrate clean

setup: venv docker system-deps image

venv:
	@./scripts/bootstrap.sh

docker:
	@./scripts/ensure-docker.sh

system-deps:
	@./scripts/ensure-system-deps.sh

image: venv docker
	@$(HARNESS) sandbox build

run: venv docker image
	$(HARNESS) serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: setup
	@./scripts/run-tests.sh $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check harness graders sandbox api tests scripts
	$(VENV)/bin/mypy

bench: setup
	$(PY) scripts/bench_grading.py

bench-static: venv
	$(PY) scripts/bench_static.py

bench-web: setup
	$(PY) scripts/bench_web.py $(BENCH_WEB_ARGS)

bench-scale: setup
	$(PY) scripts/bench_scale.py

bench-serving: setup
	$(PY) scripts/bench_serving.py

# Code similarity: one new submission against 10,000 stored ones (time, storage), then the corpus.
bench-integrity: venv
	$(PY) scripts/bench_integrity.py $(BENCH_ARGS)
	$(HARNESS) similarity evaluate --also tests/calibration/corpus

# Recall on the planted copies and false flags on independent solutions (tests/integrity/corpus).
similarity-eval: venv
	$(HARNESS) similarity evaluate --also tests/calibration/corpus

# Grade the calibration corpus and compare with the expert's judgments (CALIBRATE_ARGS="--only SLUG").
calibrate: setup
	$(HARNESS) calibrate --json test-artifacts/calibration.json $(CALIBRATE_ARGS)

clean:
	rm -rf var test-artifacts .pytest_cache .mypy_cache .ruff_cache
