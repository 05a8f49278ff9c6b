"""The posit quire MAC unit: a quire accumulator with a multiplier in front and a rounder behind.

Per cycle (the interface the RTL mirrors, ports in brackets):
  [clear_i]        the quire becomes 0 (and leaves NaR); a and b are ignored this cycle
  [a_i, b_i]       otherwise q <- q + a*b exactly, or q - a*b when [sub_i] (qMulAdd / qMulSub)
  [r_i]            the random integer of a stochastic readout rounding (sr, sr_b, sr_c)
  [z_o, nar_o]     after the update, the quire rounded once into the posit format (qToP), and
                   whether the quire is NaR (a NaR operand or carry overflow since the last clear)
The quire layout is the format's (docs/posits.md): 2022 for es = 2, SoftPosit's otherwise, with the
carry-guard width a parameter. Reset state: q = 0.
"""

from __future__ import annotations

import numpy as np

from .. import posits
from ..kernels.posit_arrays import quire_mac_trace
from ..kernels.quire import storage_limbs


class QuireMAC:
    """A cycle-level quire MAC: `step` runs one cycle, `run` a whole trace in one kernel call."""

    def __init__(self, fmt, carry_bits: int | None = None, rounding: str = "rne", sr_bits: int = 0):
        self.fmt = posits.as_posit(fmt)
        self.layout = self.fmt.quire(carry_bits)
        self.rounding, self.sr_bits = rounding, sr_bits
        self.quire = posits.Quire(self.fmt, 1, carry_bits)

    def reset(self) -> None:
        self.quire.clear()

    def step(self, clear: bool = False, a: int = 0, b: int = 0, sub: bool = False, r: int = 0) -> tuple[int, bool]:
        """One cycle; returns (z_o, nar_o)."""
        if clear:
            self.quire.clear()
        elif sub:
            self.quire.fdp_sub(a, b)
        else:
            self.quire.fdp_add(a, b)
        r_arg = r if self.rounding != "rne" else None
        z = int(self.quire.to_posit(self.rounding, r_arg, self.sr_bits)[0])
        return z, bool(self.quire.nar[0])

    def run(self, clear, a, b, sub=None, r=None) -> tuple[np.ndarray, np.ndarray]:
        """A trace from reset: arrays over cycles in, (z, nar) per cycle out. The unit's state after
        the trace is not kept (use step for that)."""
        f = self.fmt
        a = np.asarray(a, np.int64)
        clear = np.broadcast_to(np.asarray(clear, bool), a.shape)
        b = np.broadcast_to(np.asarray(b, np.int64), a.shape)
        sub = np.zeros(a.shape, bool) if sub is None else np.broadcast_to(np.asarray(sub, bool), a.shape)
        for name, v in (("a", a), ("b", b)):
            if v.size and (v.min() < 0 or v.max() >= 1 << f.n):
                raise ValueError(f"quire MAC {name}: codes must fit the {f.n}-bit format {f.name}")
        mode, r, sr_bits = posits._mode(f, self.rounding, r, self.sr_bits, a.shape)
        z, nar = quire_mac_trace(self.layout, f.params, storage_limbs(self.layout), np.ascontiguousarray(clear),
                                 np.ascontiguousarray(a), np.ascontiguousarray(b), np.ascontiguousarray(sub),
                                 mode, r, sr_bits)
        return posits._out(f, z, a.shape), nar
