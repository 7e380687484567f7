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
	$(PY) demos/core_tour.py

test: $(READY) lint
	$(PY) -m pytest -q

lint: $(READY)
	$(VENV)/bin/ruff check autograd_lite tests demos benchmarks

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis *.egg-info
