"""The swamping example (benchmarks/swamping.py) as a test: summing 4096 small values in e6m9
(IBM's 1-6-9), one after another the sum stagnates at 2^10 (each term is below half an ulp of it),
while chunks of 64 and stochastic rounding stay close to the exact (and fp32) sum."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "swamping.py"


@pytest.fixture(scope="module")
def swamping():
    spec = importlib.util.spec_from_file_location("swamping", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sequential_stagnates_chunked_and_stochastic_do_not(swamping):
    sums = swamping.running_sums(swamping.terms())
    err = swamping.relative_errors(sums)
    assert err["fp32 sequential"] == 0  # 4096 multiples of 2^-18 below 2^12 fit fp32's 24 bits
    assert sums["e6m9 sequential"][-1] == 1024 and err["e6m9 sequential"] < -0.45  # stuck at 2^10: half lost
    assert abs(err["e6m9 chunked L=64"]) < 1e-3
    assert abs(err["e6m9 stochastic N=16"]) < 0.05  # about one standard deviation (2.8%) off, see docs/units.md


def test_few_random_bits_bias_the_sum_low(swamping):
    """StochasticA with N bits rounds up with probability floor(nu 2^N) / 2^N <= nu: about
    2^-(N+1) ulp low per addition, a few percent of this sum for N = 4; N = 16 is unbiased."""
    x = swamping.terms()
    mean4, _ = swamping.sr_error_spread(x, 4, seeds=32)
    mean16, std16 = swamping.sr_error_spread(x, 16, seeds=32)
    assert mean4 < -0.02
    assert abs(mean16) < std16 / 2
