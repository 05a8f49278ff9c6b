"""Autoflex: the exponent manager of neon's flexsim (SPEC.md 6), one state machine per tensor.

The life of a tensor's exponent, as neon ran it:
1. Initialisation (before its first uses): a trial run of the operation at the current exponent
   reports max|m| (plus one, as neon); saturated -> exp += (N-1) >> 1; below 2^(N-2) -> exp moves
   by bitlen(max|m| + 1) - (N-1), and counts as done once max|m| + 1 >= 2^max(((N-1) >> 1) - 2, 0);
   in [2^(N-2), 2^(N-1) - 1) -> done. The 11th trial sets the largest exponent and ends it.
2. After every run of the operation that writes it (`Autoflex.autoflex`): its max|m|; max|m| >=
   2^(N-1) - 1 counts as an overflow, clears the history and doubles max|m|; then max|m| * 2^exp
   joins the history of the last 16.
3. Before the next use, if it was written: predicted max = max(history) + 3 std(history) +
   100 * 2^exp (population std), or, for a tensor written in at most 1/16 of the autoflex calls,
   max(last 2) + 2^(N-4) * 2^exp; the new exponent puts the prediction in [2^(N-2), 2^(N-1)):
   exp = floor(log2 predicted) - (N - 2), clamped to the exponent bounds.

Deterministic: the history holds exact dyadic rationals and floor(log2(max + k sqrt(var) + c)) is
decided with exact rational comparisons (neon rounded through float32 first; docs/flexpoint.md).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ..formats import Flex
from .tensor import as_flex


@dataclass(frozen=True)
class AutoflexParams:
    """Every constant of the algorithm, with neon flexsim's values (ngraph-python flexgpu.py,
    neonautoflex.py) as defaults. exp_min / exp_max None: the format's bounds."""

    history: int = 16  # stats_queue_len: maxima kept
    num_std: Fraction | int | float = 3  # standard deviations of headroom (neon's alternative: 6)
    offset: int = 100  # extra headroom in mantissa units (neon's alternative: 16384)
    margin_shift: int = 3  # rarely written tensors: headroom 2^(N-1-margin_shift) units
    stale_shift: int = 4  # the full rule iff adjustments > autoflex calls >> stale_shift
    init_exp: int = -8  # neon's DEFAULT_DEC = 8 (8.8 fixed point)
    init_tries: int = 10  # trials before the initialisation gives up (exp = exp_max)
    exp_min: int | None = None
    exp_max: int | None = None


def floor_log2(x: Fraction) -> int:
    """floor(log2 x) for a rational x > 0, exactly."""
    t = x.numerator.bit_length() - x.denominator.bit_length()
    return t if _pow2(t) <= x else t - 1


def _pow2(t: int) -> Fraction:
    return Fraction(1 << t) if t >= 0 else Fraction(1, 1 << -t)


def floor_log2_with_std(a: Fraction, k: Fraction, var: Fraction) -> int:
    """floor(log2(a + k sqrt(var))) for a, k, var >= 0 and a positive sum, without rounding."""

    def reaches(t: int) -> bool:  # 2^t <= a + k sqrt(var)
        d = _pow2(t) - a
        return d <= 0 or k * k * var >= d * d

    if k == 0 or var == 0:
        return floor_log2(a)
    t = math.floor(math.log2(float(a) + float(k) * math.sqrt(float(var))))  # a guess, corrected below
    while reaches(t + 1):
        t += 1
    while not reaches(t):
        t -= 1
    return t


class AutoflexTensor:
    """The exponent state of one tensor. Use: `prepare(trial)` before the operation that writes the
    tensor (returns the exponent to write it at), then report its max|m| through `Autoflex.autoflex`."""

    def __init__(self, fmt: Flex, params: AutoflexParams, name: str):
        self.fmt, self.params, self.name = fmt, params, name
        self.exp_min = fmt.exp_min if params.exp_min is None else fmt.check_exp(params.exp_min, "exp_min")
        self.exp_max = fmt.exp_max if params.exp_max is None else fmt.check_exp(params.exp_max, "exp_max")
        self.exp = self._clamp(params.init_exp)
        self.initialized = False
        self.init_count = 0
        self.stats: deque[tuple[int, int]] = deque(maxlen=params.history)  # (max|m|, exp)
        self.adjust_count = 0  # adjustments made (neon counts calls with a fresh max only)
        self.age = 0  # the autoflex call that last wrote this tensor
        self.dirty = False  # written since the last adjustment
        self.overflows = 0

    def _clamp(self, exp: int) -> int:
        return min(max(exp, self.exp_min), self.exp_max)

    def prepare(self, trial: Callable[[int], int] | None = None) -> int:
        """The exponent for the next write. Not yet initialised: trial(exp) must run the operation
        at exp and return its max|m| (neon's trial run), and one initialisation step follows."""
        if not self.initialized:
            if trial is None:
                raise ValueError(f"tensor {self.name!r} is not initialised: prepare needs a trial run")
            self.init_step(trial(self.exp))
        else:
            self.adjust()
        return self.exp

    def init_step(self, maxabs: int) -> None:
        """One step of neon's init_scale_algorithm on a trial run's max|m|."""
        high_bit = self.fmt.mant_bits - 1
        seen = maxabs + 1  # neon adds one "to be consistent with adjust_scale"
        if seen >= (1 << high_bit) - 1:  # saturated: the size is unknown, move by half the width
            self.exp += high_bit >> 1
        elif seen < 1 << (high_bit - 1):  # under-used: jump to full use, trusting it once 5+ bits are seen
            self.exp += seen.bit_length() - high_bit
            if seen >= 1 << max((high_bit >> 1) - 2, 0):
                self.initialized = True
        else:
            self.initialized = True
        self.init_count += 1
        if self.init_count > self.params.init_tries:  # probably all zeros: start from scale 1
            self.exp = self.exp_max
            self.init_count = 0
            self.initialized = True
        self.exp = self._clamp(self.exp)

    def record(self, maxabs: int, age: int) -> None:
        """The max|m| of a run that wrote the tensor at its current exponent (neon's refresh)."""
        if maxabs >= (1 << (self.fmt.mant_bits - 1)) - 1:
            self.overflows += 1
            self.stats.clear()
            maxabs <<= 1  # "a bit buffer of 1": lets the exponent grow past the saturation point
        self.stats.append((maxabs, self.exp))
        self.age = age
        self.dirty = True

    def history(self) -> list[Fraction]:
        """The remembered maxima as values, max|m| * 2^exp, oldest first."""
        return [m * _pow2(e) for m, e in self.stats]

    def adjust(self) -> None:
        """Predict the next maximum from the history and choose the exponent (neon's adjust_scale)."""
        if not self.dirty:
            return
        p, n = self.params, self.fmt.mant_bits
        self.adjust_count += 1
        # Exact integer arithmetic in units of 2^base, the finest exponent involved.
        base = min(self.exp, *(e for _, e in self.stats))
        xs = [m << (e - base) for m, e in self.stats]
        unit = 1 << (self.exp - base)
        if self.adjust_count > (self.age >> p.stale_shift):
            count, s1, s2 = len(xs), sum(xs), sum(x * x for x in xs)
            a = max(xs) + p.offset * unit
            k, var = Fraction(p.num_std), Fraction(count * s2 - s1 * s1, count * count)  # population variance
        else:  # rarely written: the latest values and a healthy margin
            a = max(xs[-2:]) + (1 << (n - 1 - p.margin_shift)) * unit
            k = var = Fraction(0)
        if a == 0 and (k == 0 or var == 0):
            self.exp = self.exp_max  # no magnitude hint (neon: scale 1)
        else:
            self.exp = self._clamp(floor_log2_with_std(Fraction(a), k, var) + base - (n - 2))
        self.dirty = False


class Autoflex:
    """The manager: the tensors by name and the count of autoflex calls (neon's age)."""

    def __init__(self, fmt="flex16+5", params: AutoflexParams | None = None):
        self.fmt = as_flex(fmt)
        self.params = params or AutoflexParams()
        self.tensors: dict[str, AutoflexTensor] = {}
        self.count = 0

    def tensor(self, name: str) -> AutoflexTensor:
        if name not in self.tensors:
            self.tensors[name] = AutoflexTensor(self.fmt, self.params, name)
        return self.tensors[name]

    def autoflex(self, maxabs: dict[str, int]) -> None:
        """One autoflex call: the max|m| of each tensor written since the last call."""
        self.count += 1
        for name, m in maxabs.items():
            self.tensors[name].record(int(m), self.count)
