"""Autoflex against step-by-step worked examples, computed by hand from SPEC.md section 6 (neon
flexsim): flex16+5, history 16, 3 std, offset 100, rare-update margin 2^12, initial exp -8.
The new exponent is floor(log2 predicted max) - 14, clamped to [-31, 0]."""

from __future__ import annotations

from fractions import Fraction

import pytest

from refmodel.flex import Autoflex, AutoflexParams
from refmodel.flex.autoflex import floor_log2, floor_log2_with_std


def trial_returning(maxabs, seen):
    def trial(exp):
        seen.append(exp)
        return maxabs
    return trial


def test_worked_example_full_rule_and_overflow():
    af = Autoflex("flex16+5")
    x = af.tensor("x")
    seen = []
    # Init: the trial at exp -8 sees 100; 101 < 2^14, so exp += bitlen(101) - 15 = 7 - 15 = -8 -> -16;
    # 101 >= 2^5, so initialised after one trial.
    assert x.prepare(trial_returning(100, seen)) == -16 and seen == [-8] and x.initialized
    # Step 1 at -16: max 25600 -> history [25600 / 2^16 = 0.390625]; std 0;
    # 0.390625 + 100 / 2^16 = 0.3921508... in [2^-2, 2^-1): exp = -2 - 14 = -16.
    af.autoflex({"x": 25600})
    assert x.prepare() == -16
    # Step 2 at -16: max 30000 -> history [0.390625, 0.457763671875]; std = (0.457763671875 - 0.390625) / 2
    # = 0.0335693359375; 0.457763671875 + 3 * 0.0335693359375 + 0.00152587890625 = 0.55999755859375 in
    # [2^-1, 1): exp = -1 - 14 = -15.
    af.autoflex({"x": 30000})
    assert x.history() == [Fraction(25600, 2**16), Fraction(30000, 2**16)]
    assert x.prepare() == -15
    # Step 3 at -15: max 32767 >= 2^15 - 1 is an overflow: the history is cleared and the max doubled:
    # [65534 / 2^15 = 1.99993896484375]; + 100 / 2^15 = 2.00299072265625 in [2, 4): exp = 1 - 14 = -13.
    af.autoflex({"x": 32767})
    assert x.prepare() == -13 and x.overflows == 1 and x.history() == [Fraction(65534, 2**15)]
    # Step 4 at -13: max 3 -> [1.99993896484375, 3 / 2^13 = 0.0003662109375]; std = half the gap =
    # 0.999786376953125; 1.99993896484375 + 2.999359130859375 + 100 / 2^13 = 5.011505126953125: exp 2 - 14 = -12.
    af.autoflex({"x": 3})
    assert x.prepare() == -12
    # Not written since: no adjustment, the exponent stays.
    assert x.prepare() == -12 and x.adjust_count == 4


def test_worked_example_rarely_written_tensor():
    af = Autoflex("flex16+5")
    g = af.tensor("g")
    seen = []
    # Init: the trial at -8 sees 20000; 20001 is in [2^14, 2^15 - 1): initialised, exp stays -8.
    assert g.prepare(trial_returning(20000, seen)) == -8 and seen == [-8]
    for _ in range(19):
        af.autoflex({})  # autoflex calls that write other tensors
    # Call 20 writes g at -8 with max 30000: history [30000 / 2^8 = 117.1875], age 20.
    af.autoflex({"g": 30000})
    # First adjustment: 1 > 20 >> 4 = 1 is false, so the rare-update rule: max of the last two + 2^12 / 2^8
    # = 117.1875 + 16 = 133.1875 in [2^7, 2^8): exp = 7 - 14 = -7 (the full rule would give 117.58 -> -8).
    assert g.prepare() == -7
    for _ in range(19):
        af.autoflex({})
    # Call 40 at -7, max 1000: [117.1875, 7.8125]; 2 > 40 >> 4 = 2 false: rare rule again,
    # 117.1875 + 2^12 / 2^7 = 149.1875 in [2^7, 2^8): exp -7.
    af.autoflex({"g": 1000})
    assert g.prepare() == -7
    # Call 41 at -7, max 500: [117.1875, 7.8125, 3.90625]; 3 > 41 >> 4 = 2: the full rule.
    # mean = 128.90625 / 3 = 42.96875; squared deviations 74.21875^2 + 35.15625^2 + 39.0625^2 = 8270.263671875,
    # var = 2756.75455..., std = 52.5048...; 117.1875 + 157.514... + 100 / 2^7 = 275.48... in [2^8, 2^9): exp -6.
    af.autoflex({"g": 500})
    assert g.prepare() == -6
    assert g.adjust_count == 3 and g.age == 41


def test_initialisation_cases():
    af = Autoflex("flex16+5")
    s = af.tensor("saturating")
    # 32766 + 1 >= 2^15 - 1 (neon's +1 counts 32766 as saturated): exp += 15 >> 1 = 7 -> -1, not initialised.
    assert s.prepare(lambda e: 32766) == -1 and not s.initialized
    # At -1 the trial sees 16383: 16384 is in the zone: initialised at -1.
    assert s.prepare(lambda e: 16383) == -1 and s.initialized and s.init_count == 2
    z = af.tensor("zeros")
    # All zeros: each trial sees 0 -> 1: exp += 1 - 15 = -14, clamped to -31; 1 < 2^5 keeps it uninitialised ...
    exps = [z.prepare(lambda e: 0) for _ in range(10)]
    assert exps == [-22] + [-31] * 9 and not z.initialized
    # ... until the 11th trial gives up: exp = 0 (scale 1), initialised.
    assert z.prepare(lambda e: 0) == 0 and z.initialized and z.init_count == 0
    small = af.tensor("small")
    # 20 + 1 < 2^5: exp += bitlen(21) - 15 = 5 - 15 = -10 -> -18, but a second trial is needed.
    assert small.prepare(lambda e: 20) == -18 and not small.initialized
    with pytest.raises(ValueError, match="trial"):
        small.prepare()


def test_exponent_bounds():
    af = Autoflex("flex16+5")
    big = af.tensor("big")
    big.prepare(lambda e: 20000)  # initialised at -8
    af.autoflex({"big": 32768})  # overflow: doubled, 65536 / 2^8 = 256 + 100 / 2^8 -> exp 8 - 14 = -6
    assert big.prepare() == -6
    for _ in range(3):
        af.autoflex({"big": 32768})
        big.prepare()
    # at -6 -> 2^10 -> -4 ... each overflow moves it up by two, and it stops at the format's 0
    assert big.exp == 0
    tiny = af.tensor("tiny")
    tiny.prepare(lambda e: 20000)
    af.autoflex({"tiny": 1})  # 1 / 2^8 + 100 / 2^8 = 101 / 2^8 -> exp 6 - 8 - 14 = -16
    assert tiny.prepare() == -16
    # [2^-8, 2^-16]: std (2^-8 - 2^-16) / 2 = 0.00194549560546875; 2^-8 + 3 std + 100 / 2^16
    # = 0.01126861572265625 in [2^-7, 2^-6): exp -7 - 14 = -21
    af.autoflex({"tiny": 1})
    assert tiny.prepare() == -21
    bounded = Autoflex("flex16+5", AutoflexParams(exp_min=-20, exp_max=-4)).tensor("b")
    assert bounded.prepare(lambda e: 0) == -20  # -8 - 14 clamped to the bound
    with pytest.raises(ValueError, match="exponent range"):
        Autoflex("flex16+5", AutoflexParams(exp_min=-40)).tensor("c")


def test_exact_power_of_two_boundary():
    # history [29668, 27668] units of 2^-14: std 1000, 29668 + 3000 + 100 = 32768 units = 2 exactly: exp -13;
    # one unit less is below 2: exp -14.
    for top, want in ((29668, -13), (29667, -14)):
        af = Autoflex("flex16+5", AutoflexParams(init_exp=-14))
        t = af.tensor("t")
        t.prepare(lambda e: 20000)
        af.autoflex({"t": top})  # top + 100 units is below 2^15 units: stays at -14
        assert t.prepare() == -14
        af.autoflex({"t": top - 2000})
        assert t.prepare() == want


def test_floor_log2_is_exact():
    assert floor_log2(Fraction(1)) == 0 and floor_log2(Fraction(3, 4)) == -1 and floor_log2(Fraction(2**70)) == 70
    # 1 + sqrt((1 - 2^-60)^2) = 2 - 2^-60: floor(log2) is 0, though binary64 rounds the sum to 2.
    assert floor_log2_with_std(Fraction(1), Fraction(1), (1 - Fraction(1, 2**60)) ** 2) == 0
    assert floor_log2_with_std(Fraction(1), Fraction(1), Fraction(1)) == 1
    assert floor_log2_with_std(Fraction(0), Fraction(3), Fraction(1, 9)) == 0
