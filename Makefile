# xai_study: `make all` runs every experiment and builds the docs; `make test` runs every test.
# Both set up everything they need (virtual environment, pinned packages, Jupyter kernel, Chromium).
SHELL := /bin/bash
# the lock pins packages for Python 3.11: no other Python is tried (`make PYTHON=/path/to/python3.11` to choose one)
PYTHON ?= $(shell command -v python3.11)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all install sysdeps results docs test test-export bench

all: results docs

install: $(VENV)/.installed
$(VENV)/.installed: requirements.lock setup.py settings.ini
	@[ -n "$(PYTHON)" ] || { echo "make: Python 3.11 not found (no python3.11 on PATH). requirements.lock pins packages for 3.11:" \
	  "install it (e.g. apt-get install python3.11 python3.11-venv, or pyenv install 3.11) or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	@"$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { echo "make: PYTHON=$(PYTHON) is not" \
	  "Python 3.11 (requirements.lock pins packages for 3.11); install 3.11 or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "uv==0.13.9"  # uv downloads and unpacks in parallel: the lock in ~35 s on 2 cores, where pip took ~3 min
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -r requirements.lock "setuptools>=70" wheel
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name python3 >/dev/null
	touch $@

sysdeps:  ## headless Chromium for the docs' browser test
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null)

results: install  ## every experiment's default run -> results/
	$(BIN)/xai-study run all

docs: install  ## the documentation site -> _docs/
	$(BIN)/xai-study docs

test-export: install  ## the library must be what the notebooks export
	$(BIN)/nbdev_export
	@git diff --exit-code --stat -- xai_study && test -z "$$(git status --porcelain -- xai_study)" \
	  || (echo "xai_study/ is out of sync with nbs/: run nbdev_export and commit" && exit 1)

# nbdev_test (two notebooks at a time) runs beside pytest (two xdist workers), so neither leaves a core idle while its
# last long item finishes; one math thread each: OpenMP threads of several processes on two cores would spin against each other
test: install sysdeps test-export
	@echo "make test: nbdev_test runs in the background (its output follows pytest's); pytest on two workers"
	@OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --timing > $(VENV)/nbdev_test.log 2>&1 & nb=$$!; \
	  OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n 2 --dist loadgroup --durations=15 tests; py=$$?; \
	  wait $$nb; nbs=$$?; echo "--- nbdev_test (exit $$nbs):"; cat $(VENV)/nbdev_test.log; \
	  echo "make test: pytest exit $$py, nbdev_test exit $$nbs"; [ $$py = 0 ] && [ $$nbs = 0 ]

bench: install  ## side-by-side benchmarks -> results/benchmarks/*.csv
	$(BIN)/xai-study bench
