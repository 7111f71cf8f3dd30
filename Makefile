# Two entry points: `make demo` (set up, build demo data, render every demo report)
# and `make test` (set up, run the whole suite). Both work on a fresh Debian machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-deps demo test lab bench bench-batch clean

# Debian packages: CJK fonts for charts and PDFs, Pango for WeasyPrint, poppler for PDF checks,
# openssl for the delivery tests' certificates, PostgreSQL for the warehouse-server tests
# (root: apt-get; else sudo).
system-deps:
	@if ! fc-list :lang=zh family 2>/dev/null | grep -qi . || ! command -v pdftotext >/dev/null 2>&1 \
	    || ! command -v openssl >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
	    || ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0'; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    fonts-noto-cjk poppler-utils openssl postgresql fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null && \
	  fc-cache -f >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

setup: system-deps $(STAMP)

demo: setup
	$(BIN)/opsreport demo

test: setup
	$(BIN)/python -m pytest -q

# JupyterLab refuses to run as root unless told to (root is the norm in containers).
lab: setup
	$(BIN)/jupyter lab notebooks/ $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench-batch: setup
	$(BIN)/python benchmarks/batch.py --shops 30

bench: setup
	$(BIN)/python benchmarks/weekly_review.py

clean:
	rm -rf $(VENV) outputs/*/ outputs/index.html data/
