# chitieu — everything starts from a fresh clone:
#
#   make run     set up .venv, extract corpus/ into outputs/, print the summary
#   make test    set up .venv, run the whole test suite
#   make eval    extract ../shared/corpus{,-extra} and score against ../shared/gold{,-extra}
#   make bench   throughput and memory on replicated corpora (bench/results.txt), speed targets (bench/results.json "speed"); BENCH_FULL=1 for the long run
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

.PHONY: run test eval bench digest setup sysdeps clean help
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

test: setup
	@$(PY) -m pytest -q $(PYTEST_ARGS)

# Extract whatever of the shared corpora exist, then score against whatever
# gold folders exist.  Scores first, then every miss and extra.
eval: setup
	@corpora=(); golds=(); \
	for d in $(SHARED)/corpus $(SHARED)/corpus-extra; do [ -d "$$d" ] && corpora+=("$$d"); done; \
	for d in $(SHARED)/gold $(SHARED)/gold-extra; do [ -d "$$d" ] && golds+=("$$d"); done; \
	if [ $${#corpora[@]} -eq 0 ] || [ $${#golds[@]} -eq 0 ]; then \
	  echo "make eval: need $(SHARED)/corpus* and $(SHARED)/gold* (found corpora: $${corpora[*]:-none}; gold: $${golds[*]:-none})" >&2; \
	  exit 2; fi; \
	echo "make eval: extracting $${corpora[*]} into $(EVAL_OUT)"; \
	$(CHITIEU) extract "$${corpora[@]}" --out $(EVAL_OUT) --quiet; status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi; \
	echo; echo "make eval: scoring against $${golds[*]}"; \
	$(CHITIEU) eval $(EVAL_OUT)/documents.jsonl "$${golds[@]}"

bench: setup
	@$(PY) bench/bench.py
	@$(PY) bench/formats_bench.py
	@$(PY) bench/speed_bench.py

clean:
	rm -rf $(OUT) bench/out .pytest_cache

# The recorded output digest (tests/digest.json): `make digest` compares,
# `make digest REFRESH=1` rewrites it -- only in a commit that changes outputs on purpose.
digest: setup
	@$(PY) tests/digest.py $(if $(REFRESH),--refresh,)
