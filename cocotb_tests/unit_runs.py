"""What the minifloat-unit runners and testbenches share (test_fp_add*.py, test_fp_mac*.py,
test_lfsr.py, scoreboard.py): one simulator run per bank judged per pytest item, and reading a signal
that may hold X or Z bits.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

# ----------------------------------------------------------------------------------------------
# One simulator run per bank, judged per pytest item
# ----------------------------------------------------------------------------------------------
# A bank (hdl/fp_add_bank.v, the generated fp_mac bank) holds every format or configuration, so that a
# simulator compiles once; the pytest items are still (simulator, format): the first item of a
# simulator runs the bank for every item of that simulator selected in the session, and each item then
# reads its own cocotb tests from the run's JUnit XML (a failure's message carries the decoded
# mismatch report). Do not run cocotb_tests with pytest-xdist (-n): the items of one bank share a
# build directory.

def selected_params(session, test_name: str, sim: str, key: str) -> list[str]:
    """The values of parameter `key` of the selected items of test `test_name` on simulator `sim`."""
    out = []
    for item in session.items:
        spec = getattr(item, "callspec", None)
        if getattr(item, "originalname", None) == test_name and spec and spec.params.get("sim") == sim:
            if spec.params[key] not in out:
                out.append(spec.params[key])
    return out


def run_once(cache: dict, sim: str, run) -> str | None:
    """run() once per simulator; returns the run's failure as text (None: it passed), which each item
    then judges by its own cocotb tests."""
    if sim not in cache:
        try:
            run()
            cache[sim] = None
        except (Exception, SystemExit) as e:  # cocotb test failures end in SystemExit
            cache[sim] = f"{type(e).__name__}: {e}"
    return cache[sim]


def cocotb_cases(xml: Path | None, match) -> list[tuple[str, str | None]]:
    """(test name, failure message or None) of the cocotb tests in the JUnit XML for which match(classname,
    name) holds."""
    if xml is None or not Path(xml).exists():
        return []
    out = []
    for tc in ET.parse(xml).iter("testcase"):
        if match(tc.get("classname", ""), tc.get("name", "")):
            bad = tc.find("failure")
            if bad is None:
                bad = tc.find("error")
            out.append((tc.get("name", ""), None if bad is None else (bad.get("message") or "failed")))
    return out


def judge(xml: Path | None, error: str | None, match, what: str) -> None:
    """Fail unless the run holds cocotb tests for `what` and every one of them passed."""
    cases = cocotb_cases(xml, match)
    if not cases:
        raise AssertionError(f"no cocotb results for {what}" + (f" (the run failed: {error})" if error else ""))
    failed = [(name, msg) for name, msg in cases if msg is not None]
    if failed:
        report = "\n\n".join(f"{name}:\n{msg}" for name, msg in failed[:5])
        raise AssertionError(f"{len(failed)} of {len(cases)} cocotb tests of {what} failed (JUnit XML {xml}):\n\n"
                             f"{report}")


# ----------------------------------------------------------------------------------------------
# Reading outputs that may hold X or Z (a datapath bug must be reported, not crash the testbench)
# ----------------------------------------------------------------------------------------------
_TO_01 = str.maketrans({"1": "1", "0": "0", "x": "0", "X": "0", "z": "0", "Z": "0", "u": "0", "U": "0", "w": "0",
                        "W": "0", "l": "0", "L": "0", "h": "1", "H": "1", "-": "0"})


def read_word(sig) -> tuple[int, int]:
    """(value, mask of the bits that are not 0 or 1) of a signal; X and Z read as 0 in the value."""
    v = sig.value
    try:
        return v.to_unsigned(), 0  # the fast path (no scan of the bits in Python)
    except ValueError:
        text = str(v)
    return int(text.translate(_TO_01), 2), int("".join("0" if c in "01" else "1" for c in text), 2)
