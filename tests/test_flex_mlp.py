"""The executable example benchmarks/flex_mlp.py, fast (200 steps): the flex16+5 + Autoflex run
tracks float32 step by step (every batch loss within 2%, the final loss within 1%), one fixed
exponent -8 learns clearly worse (at least 8% higher final loss: the gradients round away), -14
saturates (thousands of elements, every step); the flex runs are bit-for-bit repeatable."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "flex_mlp.py"


@pytest.fixture(scope="module")
def mlp():
    spec = importlib.util.spec_from_file_location("flex_mlp", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["flex_mlp"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runs(mlp):
    return {r.name: r for r in mlp.run_all(steps=200, seed=1)}


def test_autoflex_tracks_float32(runs):
    ref, flex = runs["float32"], runs["flex16+5 Autoflex"]
    per_step = np.abs(np.array(flex.losses) / np.array(ref.losses) - 1)
    assert per_step.max() < 0.02
    assert abs(flex.final_loss / ref.final_loss - 1) < 0.01
    assert flex.overflows <= 5  # Autoflex predicts the maxima: at most a rare overflow


def test_fixed_exponent_loses_precision_or_overflows(runs):
    ref = runs["float32"].final_loss
    coarse, fine = runs["flex16+5 fixed exp -8"], runs["flex16+5 fixed exp -14"]
    assert coarse.final_loss > 1.08 * ref and coarse.saturated == 0  # lost precision, no overflow
    assert fine.saturated > 10000 and fine.overflows >= 200 and fine.final_loss > 1.2 * ref


def test_flex_runs_repeat_bit_for_bit(mlp):
    task = mlp.make_task(30, seed=4)
    a, b = (mlp.FlexTrainer(mlp.Run("a"), mlp.AutoflexExponents()).train(task) for _ in range(2))
    assert a.losses == b.losses and a.exponents == b.exponents


def test_example_writes_its_figures(mlp, tmp_path, capsys):
    assert mlp.main(["--steps", "20", "--out", str(tmp_path)]) == 0
    for name in ("flex_mlp_loss.png", "flex_mlp_exponents.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "flex16+5 Autoflex" in out and "fixed exp -14" in out
