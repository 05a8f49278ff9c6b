"""Build a DUT and run a cocotb test module on it, on either simulator: what every runner shares.

    run_cocotb("icarus", unit="fp_mul", variant="e5m2", toplevel="fp_mul_lanes",
               sources=[...], parameters={...}, test_module="test_fp_mul", extra_env={...})

builds under build/cocotb/<unit>/<sim>-<variant>/ ($REFMODEL_BUILD_DIR instead of build/cocotb),
takes the RTL from rtl/ ($REFMODEL_RTL_DIR: name sources through simulate.RTL), writes JUnit XML
to results.xml there, and honours WAVES=1 (Icarus writes <toplevel>.fst; Verilator dump.fst when
lz4.h is available, else dump.vcd).
A missing simulator is a failure, never a skip (make installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from cocotb_tools.runner import get_runner

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# Both can be redirected: `make mutate` builds planted-bug copies of rtl/ in their own build trees.
BUILD = Path(os.environ.get("REFMODEL_BUILD_DIR", REPO / "build" / "cocotb"))
RTL = Path(os.environ.get("REFMODEL_RTL_DIR", REPO / "rtl"))
SIMS = ("icarus", "verilator")
EXECUTABLE = {"icarus": "iverilog", "verilator": "verilator"}


def waves_requested() -> bool:
    return os.environ.get("WAVES", "0") not in ("", "0")


def _have_lz4() -> bool:
    """Can the C++ compiler find lz4.h (needed by Verilator's FST writer)?"""
    cxx = os.environ.get("CXX", "c++")
    try:
        probe = subprocess.run([cxx, "-E", "-x", "c++", "-"], input=b"#include <lz4.h>\n",
                               capture_output=True, check=False)
    except OSError:
        return False
    return probe.returncode == 0


def build_dir(unit: str, sim: str, variant: str) -> Path:
    return BUILD / unit / f"{sim}-{variant}"


def run_cocotb(sim: str, *, unit: str, variant: str, toplevel: str, sources: list[Path], parameters: dict,
               test_module: str, extra_env: dict[str, str], includes: list[Path] | None = None) -> Path:
    """Build and test; returns the build directory. cocotb failures raise through the runner."""
    assert shutil.which(EXECUTABLE[sim]), f"{EXECUTABLE[sim]} not found on PATH (run through make)"
    where = build_dir(unit, sim, variant)
    waves = waves_requested()
    build_args = ["--trace-fst"] if sim == "verilator" and waves and _have_lz4() else []
    runner = get_runner(sim)
    runner.build(
        sources=sources,
        includes=includes if includes is not None else [RTL / "common"],
        hdl_toplevel=toplevel,
        parameters=parameters,
        build_args=build_args,
        build_dir=where,
        always=True,
        timescale=("1ns", "1ps"),
        waves=waves,
    )
    runner.test(
        test_module=test_module,
        hdl_toplevel=toplevel,
        build_dir=where,
        test_dir=where,
        results_xml=str(where / "results.xml"),
        timescale=("1ns", "1ps"),
        waves=waves,
        extra_env=extra_env,
    )
    return where
