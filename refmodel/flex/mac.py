"""The Flexpoint MAC unit, cycle by cycle: the model the RTL (rtl/flex/) mirrors port for port.

Parameters: MAN_W = N, EXP_W = E (the format flex<N>+<E>), ACC_W (None: the exact 64-bit
accumulator), ACC_SAT (narrow register: wrap or saturate), SR_BITS. Ports carry codes, as the RTL's:

    inputs (sampled at the clock edge)        outputs (registered: valid after the edge, LATENCY 1)
    clear_i       acc <- 0 before adding      z_o          N-bit two's-complement mantissa
    acc_en_i      acc <- acc + a_i * b_i      ovf_o        z_o saturated
    a_i, b_i      N-bit mantissa codes        out_valid_o  z_o, ovf_o were written at this edge
    requant_i     round acc into z_o          maxabs_o     max |z| since the last stat_clear_i (N bits)
    ea_i, eb_i    E-bit exponent codes of a, b (read with requant_i)
    ez_i          E-bit exponent code of z
    rnd_i         3-bit rounding mode: 0 rne, 6 sr
    rand_i        SR_BITS-bit random integer for sr
    stat_clear_i  maxabs <- 0 before this edge's requantization counts

At one edge, in this order: requant_i reads the accumulator as it was before the edge, writes z_o and
ovf_o (shift ez - ea - eb, round, saturate) and folds |z| into maxabs (cleared first if
stat_clear_i); then the accumulator takes (clear_i ? 0 : acc) + (acc_en_i ? a_i * b_i : 0), wrapped or
saturated to ACC_W bits. So requant_i together with clear_i and acc_en_i finishes one dot product
and starts the next in the same cycle: back-to-back dot products of length L take L cycles each.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..encodings import RNE, SR
from .accumulator import EXACT, acc_args, fit_acc
from .rounding import requantize_one
from .tensor import as_flex

INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class MacOutputs:
    z: int  # N-bit code
    overflow: bool
    out_valid: bool
    maxabs: int


class FlexMac:
    """The stateful MAC + requantizer. `cycle(...)` is one clock edge; `reset()` is rst_ni low."""

    def __init__(self, fmt="flex16+5", acc_bits: int | None = None, acc_overflow: str = "wrap", sr_bits: int = 8):
        self.fmt = as_flex(fmt)
        self.acc_mode, self.acc_bits = acc_args(acc_bits, acc_overflow)
        self.sr_bits = sr_bits
        self.reset()

    def reset(self) -> None:
        self.acc = 0
        self.maxabs = 0
        self.outputs = MacOutputs(0, False, False, 0)

    def cycle(self, *, clear: bool = False, acc_en: bool = False, a: int = 0, b: int = 0, requant: bool = False,
              ea: int = 0, eb: int = 0, ez: int = 0, rnd: int = RNE, rand: int = 0,
              stat_clear: bool = False) -> MacOutputs:
        f = self.fmt
        if stat_clear:
            self.maxabs = 0
        z, ovf = self.outputs.z, self.outputs.overflow
        if requant:
            shift = f.exp_from_code(ez) - f.exp_from_code(ea) - f.exp_from_code(eb)
            m, ovf = requantize_one(self.acc, shift, f.mant_min, f.mant_max, self._mode(rnd), self._rand(rnd, rand),
                                    self.sr_bits)
            self.maxabs = max(self.maxabs, abs(m))
            z = f.mant_code(m)
        acc = 0 if clear else self.acc
        if acc_en:
            acc += f.mant_from_code(a) * f.mant_from_code(b)
            if self.acc_mode == EXACT and abs(acc) > INT64_MAX:
                raise OverflowError(f"the exact 64-bit accumulator overflowed: more products than "
                                    f"{f.name} allows (refmodel.flex.accumulator.max_exact_terms)")
            acc = int(fit_acc(acc, self.acc_bits, self.acc_mode))
        self.acc = acc
        self.outputs = MacOutputs(z, bool(ovf), requant, self.maxabs)
        return self.outputs

    @staticmethod
    def _mode(rnd: int) -> int:
        if rnd not in (RNE, SR):
            raise ValueError(f"rnd_i must be {RNE} (rne) or {SR} (sr), not {rnd}")
        return rnd

    def _rand(self, rnd: int, rand: int) -> int:
        if rnd == SR and not 0 <= rand < (1 << self.sr_bits):
            raise ValueError(f"rand_i {rand} does not fit SR_BITS = {self.sr_bits}")
        return rand if rnd == SR else 0
