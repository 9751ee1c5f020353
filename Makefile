# chitieu — everything starts from a fresh clone:
#
#   make run     set up .venv, extract corpus/ into outputs/, print the summary
#   make test    set up .venv, lint (ruff), type-check (mypy --strict), run the whole test suite (doctests too)
#   make eval    score every ../shared gold set apart: TUNE (gold, gold-extra, fullplans) and CHECK (gold-extra2)
#   make bench   throughput and memory on replicated corpora (bench/results.txt); BENCH_FULL=1 for the long run;
#                then each real file's load and extract time (bench/realfiles_results.txt),
#                then the speed targets (bench/results.json "speed"), then the Dask engine (bench/dask_results.txt)
#
# Setup is incremental: the venv is created once, the project is reinstalled
# only when pyproject.toml is newer than .venv/.installed, and the Debian
# packages (scripts/install-system-deps.sh) are installed only when missing.

SHELL        := /bin/bash
PYTHON       ?= python3
VENV         ?= .venv
PY           := $(VENV)/bin/python
CHITIEU      := $(VENV)/bin/chitieu
STAMP        := $(VENV)/.installed
SYSDEPS      := scripts/install-system-deps.sh
CORPUS       ?= corpus
OUT          ?= outputs
SHARED       ?= ../shared
EVAL_OUT     ?= $(OUT)/eval
PYTEST_ARGS  ?=

.PHONY: run test lint typecheck eval bench digest setup sysdeps clean help
.DEFAULT_GOAL := help

help:
	@sed -n '2,7s/^# \{0,1\}//p' Makefile

$(PY):
	@echo "make: creating $(VENV) with $$($(PYTHON) --version 2>&1)"
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "make: '$(PYTHON) -m venv' failed; on Debian/Ubuntu: apt-get install python3-venv" >&2; \
	  rm -rf $(VENV); exit 1; }

$(STAMP): pyproject.toml | $(PY)
	@echo "make: installing chitieu and its dependencies into $(VENV) (pip, quiet)"
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# System packages (tesseract for OCR, antiword for .doc ...).  Without root the
# script only says what is missing; that is not fatal outside CI, where the
# tests that need a tool skip.  Under CI (CI=true, run as root) it must work.
sysdeps:
	@if [ -f $(SYSDEPS) ]; then \
	  bash $(SYSDEPS) || { \
	    if [ -n "$${CI:-}" ] && [ "$${CI}" != "false" ]; then echo "make: $(SYSDEPS) failed" >&2; exit 1; fi; \
	    echo "make: warning: $(SYSDEPS) could not install everything; continuing" >&2; }; \
	fi

setup: $(STAMP) sysdeps

run: setup
	@$(CHITIEU) extract $(CORPUS) --out $(OUT)

test: setup lint typecheck
	@$(PY) -m pytest -q $(PYTEST_ARGS)

# ruff with the rules of pyproject.toml ([tool.ruff.lint]); part of `make test`
lint: setup
	@$(PY) -m ruff check pipeline tests bench

# mypy --strict over pipeline/ ([tool.mypy] in pyproject.toml; the stubs are dev dependencies); part of `make test`
typecheck: setup
	@$(VENV)/bin/mypy

# Score every visible set apart.  TUNE = the sets rules are written from
# (gold, gold-extra, fullplans/gold); CHECK = gold-extra2, only measured.
# One extraction of every corpus that exists (fullplans' files are passed one
# by one: folder scans skip .md), then strict and loose F1 per set and per
# group, printed before and after the list of misses and extras.
EVAL_SETS := tune:corpus:gold tune:corpus-extra:gold-extra tune:fullplans/files:fullplans/gold check:corpus-extra2:gold-extra2

eval: setup
	@inputs=(); golds=(); \
	for spec in $(EVAL_SETS); do \
	  IFS=: read -r group corpus gold <<< "$$spec"; \
	  c="$(SHARED)/$$corpus"; g="$(SHARED)/$$gold"; \
	  if [ -d "$$c" ] && [ -d "$$g" ]; then \
	    if [ "$$corpus" = fullplans/files ]; then inputs+=("$$c"/*); else inputs+=("$$c"); fi; \
	    golds+=("$$group=$$g"); \
	  else echo "make eval: skipping $$gold ($$c or $$g not found)" >&2; fi; \
	done; \
	if [ $${#golds[@]} -eq 0 ]; then \
	  echo "make eval: need $(SHARED)/corpus* and $(SHARED)/gold* (none found)" >&2; exit 2; fi; \
	echo "make eval: extracting $${#inputs[@]} inputs into $(EVAL_OUT)"; \
	$(CHITIEU) extract "$${inputs[@]}" --out $(EVAL_OUT) --quiet; status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi; \
	echo; echo "make eval: scoring $${golds[*]}"; \
	$(CHITIEU) eval $(EVAL_OUT)/documents.jsonl "$${golds[@]}"

bench: setup
	@$(PY) bench/bench.py
	@$(PY) bench/formats_bench.py
	@CHITIEU_SHARED=$(SHARED) $(PY) bench/ocr_bench.py
	@CHITIEU_SHARED=$(SHARED) $(PY) bench/realfiles_bench.py
	@$(PY) bench/speed_bench.py
	@$(PY) bench/dask_bench.py

clean:
	rm -rf $(OUT) bench/out .pytest_cache .mypy_cache

# The recorded output digest (tests/digest.json): `make digest` compares,
# `make digest REFRESH=1` rewrites it -- only in a commit that changes outputs on purpose.
digest: setup
	@$(PY) tests/digest.py $(if $(REFRESH),--refresh,)
