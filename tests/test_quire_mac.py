"""The quire MAC unit against exact rationals (tests/posit_oracle.py), its trace vectors, and
PositNN's effect: quire dot products stay accurate where stepwise rounding drifts."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import posit_oracle as oracle

from refmodel.formats import parse_format
from refmodel.units.quire_mac import QuireMAC
from refmodel.vectors.generate import Request, generate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import quire_dot  # noqa: E402


def _reference_trace(n, es, clear, sub, a, b, carry_bits=None, mode="rne", r=None, sr_bits=0):
    """Cycle by cycle with exact rationals: the running sum since the last clear, rounded."""
    total, nar, out = Fraction(0), False, []
    limit = None if carry_bits is None else Fraction(2) ** (carry_bits + 2 * oracle.max_scale(n, es))
    for t in range(len(a)):
        if clear[t]:
            total, nar = Fraction(0), False
        elif not nar:
            x, y = oracle.decode(n, es, int(a[t])), oracle.decode(n, es, int(b[t]))
            if x is None or y is None:
                nar = True
            else:
                total += -x * y if sub[t] else x * y
                nar = limit is not None and not -limit < total < limit
        rt = 0 if r is None else int(r[t])
        out.append((oracle.nar(n) if nar else oracle.round_to_posit(n, es, total, mode, rt, sr_bits) if total else 0,
                    nar))
    return out


def test_quire_mac_trace_vs_rationals():
    for fmt, (n, es) in (("posit16", (16, 2)), ("posit8es0", (8, 0)), ("posit12es3", (12, 3))):
        f = parse_format(fmt)
        vs = generate(Request("quire_mac", f, mode="edge", count=600, seed=3))
        c = vs.columns
        want = _reference_trace(n, es, c["clear"], c["sub"], c["a"], c["b"])
        assert c["z"].tolist() == [w[0] for w in want], fmt
        assert c["nar"].tolist() == [int(w[1]) for w in want], fmt
        assert c["nar"].any() and not c["nar"].all()


def test_quire_mac_stochastic_readout_and_carry_overflow():
    rng = np.random.default_rng(9)
    cycles = 400
    a, b = rng.integers(0, 256, cycles), rng.integers(0, 256, cycles)
    a[a == 0x80] = 0x7F
    b[b == 0x80] = 0x7F
    clear = rng.random(cycles) < 0.05
    clear[0] = True
    sub = rng.random(cycles) < 0.3
    r = rng.integers(0, 16, cycles)
    a[10:16] = b[10:16] = 0x7F  # six maxpos^2 terms in a row: beyond what 2 carry bits hold
    clear[10:16] = sub[10:16] = False
    unit = QuireMAC("posit8", carry_bits=2, rounding="sr_c", sr_bits=4)
    z, nar = unit.run(clear, a, b, sub, r)
    want = _reference_trace(8, 2, clear, sub, a, b, carry_bits=2, mode="sr_c", r=r, sr_bits=4)
    assert z.tolist() == [w[0] for w in want]
    assert nar.tolist() == [w[1] for w in want] and nar.any()  # maxpos^2 terms overflow 2 carry bits


def test_step_matches_run():
    unit = QuireMAC("posit16es1")
    seq = [(True, 0, 0, False), (False, 0x4000, 0x5000, False), (False, 0x3000, 0x7000, True), (False, 1, 1, False)]
    stepped = [unit.step(clear=c, a=x, b=y, sub=s) for c, x, y, s in seq]
    z, nar = QuireMAC("posit16es1").run(*map(np.array, zip(*[(c, x, y) for c, x, y, _ in seq])),
                                        sub=np.array([s for *_, s in seq]))
    assert [s[0] for s in stepped] == z.tolist() and [s[1] for s in stepped] == nar.tolist()


def test_quire_beats_stepwise_rounding():
    res = quire_dot.dot_errors(rows=60, lengths=[1, 16, 256], seed=2)
    q, s = res["quire"], res["stepwise"]
    assert q[0] == s[0]  # one term: one rounding either way
    assert q.max() < 0.05  # one rounding of posit8 near the sum's magnitude
    assert s[-1] > 4 * q[-1] and s[-1] > s[1] > s[0]  # stepwise error grows with the length


def test_quire_mac_trace_vs_softposit_quires():
    """The same random trace (no NaR: SoftPosit's quires do not model it) through SoftPosit's quire."""
    import softposit_util as sp

    for fmt, (n, es) in (("posit16es1", (16, 1)), ("posit8es0", (8, 0)), ("posit16", (16, 2))):
        f = parse_format(fmt)
        c = generate(Request("quire_mac", f, mode="random", count=1500, seed=7)).columns
        q = sp.backend(n, es).quire()
        want = []
        for t in range(len(c["a"])):
            if c["clear"][t]:
                q.clear()
            else:
                (q.fdp_sub if c["sub"][t] else q.fdp_add)(int(c["a"][t]), int(c["b"][t]))
            want.append(q.to_p())
        assert c["z"].tolist() == want, fmt
