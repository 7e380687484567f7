# `make demo` and `make test` set themselves up: a .venv with the package and its extras.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick bench-peers clean

$(READY): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,data]'
	touch $(READY)

demo: $(READY)
	$(VENV)/bin/autograd-lite lesson --out out
	@echo
	$(VENV)/bin/autograd-lite train --out out
	@echo
	@echo "The pictures are in $(CURDIR)/out:"
	@ls -1 out | sed 's/^/  /'
	@echo "Open out/steps/index.html in a browser to step through back-propagation,"
	@echo "and out/training.html to replay the training run."

test: $(READY) lint
	$(PY) -m pytest -q

lint: $(READY)
	$(VENV)/bin/ruff check autograd_lite autograd_lite_command.py tests demos benchmarks

# Benchmarks (benchmarks/README.md). OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE slow a current numpy:
# unset both for the benchmark command only, never for tests or CI.
BENCH_ENV := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
BENCH_VENV ?= .venv-bench
BENCH_READY := $(BENCH_VENV)/.installed
BENCH_PEERS := threadpoolctl torch==2.13.0 autograd micrograd mygrad jax jaxlib

bench: $(READY)
	$(BENCH_ENV) $(PY) -m benchmarks --readme

bench-quick: $(READY)
	$(BENCH_ENV) $(PY) -m benchmarks --quick

$(BENCH_READY): pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[data]' $(BENCH_PEERS)
	touch $(BENCH_READY)

bench-peers: $(BENCH_READY)
	$(BENCH_ENV) $(BENCH_VENV)/bin/python -m benchmarks --readme

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis *.egg-info
