"""cocotb testbench for rtl/common/lfsr.v against refmodel.units.lfsr.Lfsr, bit for bit.

The DUT is the generated bank of test_fp_mac_runner.py (mac_bank.bank_verilog): one lfsr per LFSR
configuration (mac_bank.LFSR_SETUPS: widths 32, 24, 16, 7 and 2, maximal and custom taps, 1 to 3 steps
a clock), ports l<k>_*. Per configuration:
  test_steps     random step counts (0..STEPS) every clock and run-time loads (1 cycle in 64); each cycle
                 checks ahead_o and rand_o (the states 1..STEPS steps ahead and their low RAND_W bits,
                 combinational) before the edge and state_o after it, against Lfsr.
  test_long_run  STEPS steps a clock for many clocks without Python in the loop, then the state against
                 Lfsr.states(); for maximal taps of widths up to LFSR_PERIOD_W exactly one period
                 (2^w - 1 steps), which must bring back the seed.
  test_sr_add    (32-bit default configuration) the LFSR column of the checked-in SR-adder trace
                 golden_vectors/sr_add/e5m2_sr_random: one step per addition, R = the low 8 bits.
A failure names the cycle, the inputs, the expected and the actual state, and stops after
MAX_MISMATCHES mismatches.

Configuration from the environment (set by test_fp_mac_runner.py): LFSR_SETUPS (JSON list),
LFSR_CYCLES (random-step cycles per configuration), LFSR_LONG (clocks of the long run), LFSR_PERIOD_W
(the widest maximal LFSR run through a full period, default 16), LFSR_GOLDEN (the sr_add vector file,
or empty), LFSR_MAX_MISMATCHES (default 10).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly
from mac_bank import LfsrSetup
from vecfiles import load_set

from refmodel.kernels.lfsr import lfsr_step
from refmodel.vectors.common import stream

SETUPS = [LfsrSetup(**{**d, "taps": None if d["taps"] is None else tuple(d["taps"])})
          for d in json.loads(os.environ.get("LFSR_SETUPS", "[]"))]
CYCLES = int(os.environ.get("LFSR_CYCLES", "2000"))
LONG = int(os.environ.get("LFSR_LONG", "100000"))
PERIOD_W = int(os.environ.get("LFSR_PERIOD_W", "16"))
GOLDEN = os.environ.get("LFSR_GOLDEN", "")
MAX_MISMATCHES = int(os.environ.get("LFSR_MAX_MISMATCHES", "10"))


def uint(sig) -> int:
    """A signal's value as an unsigned integer (a 1-bit signal reads as a Logic, wider ones as LogicArray)."""
    v = sig.value
    return v.to_unsigned() if hasattr(v, "to_unsigned") else int(v)


class TB:
    def __init__(self, dut, k: int, s: LfsrSetup):
        self.dut, self.s = dut, s
        self.load = getattr(dut, f"l{k}_load_i")
        self.load_state = getattr(dut, f"l{k}_load_state_i")
        self.step = getattr(dut, f"l{k}_step_i")
        self.state = getattr(dut, f"l{k}_state_o")
        self.ahead = getattr(dut, f"l{k}_ahead_o")
        self.rand = getattr(dut, f"l{k}_rand_o")
        self.clk = getattr(dut, f"l{k}_clk_i")
        self.clock = Clock(self.clk, 10, unit="ns")

    async def start(self) -> None:
        """Clock on, reset (the state becomes SEED), inputs idle."""
        self.clock.start()
        self.load.value = 0
        self.load_state.value = 0
        self.step.value = 0
        self.dut.rst_ni.value = 0
        await FallingEdge(self.clk)
        await FallingEdge(self.clk)
        self.dut.rst_ni.value = 1

    def stop(self) -> None:
        self.clock.stop()


def _model_ahead(state: int, mask: int, steps: int) -> list[int]:
    out = []
    for _ in range(steps):
        state = int(lfsr_step(state, mask))
        out.append(state)
    return out


def _split(word: int, width: int, n: int) -> list[int]:
    return [(word >> (k * width)) & ((1 << width) - 1) for k in range(n)]


def _params():
    return [cocotb.Param(k, name=s.name) for k, s in enumerate(SETUPS)]


if SETUPS:

    @cocotb.test
    @cocotb.parametrize(k=_params())
    async def test_steps(dut, k: int) -> None:
        """Random step counts and run-time loads against Lfsr; ahead_o and rand_o every cycle."""
        s = SETUPS[k]
        tb = TB(dut, k, s)
        await tb.start()
        mask = s.prng().mask
        full = (1 << s.width) - 1
        raw = stream(7 + k, 0x51, CYCLES)
        steps = (raw % np.uint64(s.steps + 1)).astype(int).tolist()
        loads = (((raw >> np.uint64(8)) & np.uint64(63)) == 0).tolist()
        seeds = [int(x) % full + 1 for x in (raw >> np.uint64(16)).tolist()]  # nonzero states
        state = s.seed
        bad = []
        for t in range(CYCLES):
            await FallingEdge(tb.clk)
            got_state = uint(tb.state)
            if got_state != state:
                bad.append(f"cycle {t}: state_o {got_state:#x}, expected {state:#x}")
            start = seeds[t] if loads[t] else state
            tb.load.value = int(loads[t])
            tb.load_state.value = seeds[t] if loads[t] else 0
            tb.step.value = steps[t]
            await ReadOnly()
            ahead = _model_ahead(start, mask, s.steps)
            got_ahead = _split(uint(tb.ahead), s.width, s.steps)
            got_rand = _split(uint(tb.rand), s.rand_w, s.steps)
            want_rand = [x & ((1 << s.rand_w) - 1) for x in ahead]
            if got_ahead != ahead or got_rand != want_rand:
                bad.append(f"cycle {t}: start {start:#x} (load={int(loads[t])}) ahead_o {[hex(x) for x in got_ahead]} "
                           f"rand_o {[hex(x) for x in got_rand]}, expected {[hex(x) for x in ahead]} "
                           f"{[hex(x) for x in want_rand]}")
            state = ahead[steps[t] - 1] if steps[t] else start
            if len(bad) >= MAX_MISMATCHES:
                break
        await FallingEdge(tb.clk)
        if not bad and uint(tb.state) != state:
            bad.append(f"after cycle {CYCLES - 1}: state_o {uint(tb.state):#x}, expected {state:#x}")
        tb.stop()
        for line in bad:
            dut._log.error("%s: %s", s.name, line)
        assert not bad, f"{s.name}: {len(bad)} mismatches in {CYCLES} cycles; the first:\n" + "\n".join(bad[:3])
        dut._log.info("%s: %d cycles of random steps and loads match Lfsr", s.name, CYCLES)

    @cocotb.test
    @cocotb.parametrize(k=_params())
    async def test_long_run(dut, k: int) -> None:
        """STEPS steps a clock for a long run; a maximal width <= 16 runs exactly one period."""
        s = SETUPS[k]
        tb = TB(dut, k, s)
        await tb.start()
        model = s.prng()
        period = (1 << s.width) - 1
        one_period = s.width <= PERIOD_W and s.taps is None
        if one_period:  # step once a clock: exactly 2^w - 1 steps
            per, clocks = 1, period
        else:
            per, clocks = s.steps, LONG
        await FallingEdge(tb.clk)
        tb.step.value = per
        await ClockCycles(tb.clk, clocks, rising=False)
        tb.step.value = 0
        await ReadOnly()
        got = uint(tb.state)
        want = int(model.states(per * clocks)[-1])
        tb.stop()
        assert got == want, f"{s.name}: after {per * clocks} steps state_o {got:#x}, Lfsr {want:#x}"
        if one_period:
            assert got == s.seed, f"{s.name}: 2^{s.width} - 1 steps do not return to the seed ({got:#x})"
        dut._log.info("%s: %d steps in %d clocks match Lfsr (state %#x)%s", s.name, per * clocks, clocks, got,
                      ", one full period" if one_period else "")

    if GOLDEN:

        @cocotb.test
        async def test_sr_add(dut) -> None:
            """The LFSR column of the checked-in SR-adder trace (32-bit default LFSR, one step per addition)."""
            vs, txt = load_set(GOLDEN)
            meta = vs.meta
            k = next(i for i, s in enumerate(SETUPS)
                     if s.width == int(meta["lfsr_width"]) and s.steps == 1 and s.seed == int(meta["lfsr_seed"])
                     and s.prng().taps == tuple(int(x) for x in meta["lfsr_taps"].split(","))
                     and s.rand_w >= int(meta["sr_bits"]))
            s = SETUPS[k]
            n_bits = int(meta["sr_bits"])
            tb = TB(dut, k, s)
            await tb.start()
            lfsr, r = vs.columns["lfsr"].tolist(), vs.columns["r"].tolist()
            bad = []
            for i in range(vs.count):
                await FallingEdge(tb.clk)
                if i and uint(tb.state) != lfsr[i - 1]:
                    bad.append(f"{Path(txt).name}:{vs.first_line + i - 1}: state_o {uint(tb.state):#x}, "
                               f"expected lfsr {lfsr[i - 1]:#x}")
                tb.step.value = 1
                await ReadOnly()
                got_r = uint(tb.rand) & ((1 << n_bits) - 1)
                if got_r != r[i]:
                    bad.append(f"{Path(txt).name}:{vs.first_line + i}: rand_o low {n_bits} bits {got_r:#x}, "
                               f"expected r {r[i]:#x}")
                if len(bad) >= MAX_MISMATCHES:
                    break
            tb.stop()
            for line in bad:
                dut._log.error("%s", line)
            assert not bad, f"{len(bad)} mismatches against {Path(txt).name}; the first:\n" + "\n".join(bad[:3])
            dut._log.info("%s: %d LFSR steps and R values match", Path(txt).name, vs.count)

else:

    @cocotb.test
    async def test_steps(dut) -> None:
        """No LFSR configuration was given: fail rather than pass vacuously."""
        raise AssertionError("LFSR_SETUPS is empty")
