"""refmodel.vectors.coverage: the vectorized classifier agrees with refmodel.testing's exact one,
the posit situations agree with what the model's results show, and the reachable sets hold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from refmodel import posits, testing
from refmodel.cli import main
from refmodel.formats import parse_format
from refmodel.vectors import coverage as cv
from refmodel.vectors.edge import constructed_pairs, edge_codes
from refmodel.vectors.generate import Request, generate


def _finite_codes(f):
    return np.array([c for lo, hi in testing.code_ranges(f, "finite") for c in range(lo, hi + 1)][:4096])


@pytest.mark.parametrize("name", ["e4m3fn", "e5m2", "e5m2fnuz", "e8m0fnu", "e2m1fn", "binary8p1uf", "e3m4",
                                  "fp16", "bf16", "e6m9", "fp32"])
@pytest.mark.parametrize("op", ["mul", "add", "sub"])
def test_vectorized_classifier_agrees_with_testing_situations(name, op):
    """Edge pairs, pairs built for each situation, and random pairs of every code (NaN and Inf
    included): the same situations as testing.situations, pair by pair."""
    f = parse_format(name)
    rng = np.random.default_rng(7)
    e = edge_codes(f)
    ca, cb = constructed_pairs(f, op, 1, 3)
    a = np.concatenate([np.repeat(e, e.size), ca, rng.integers(0, 1 << f.bits, 2000)])
    b = np.concatenate([np.tile(e, e.size), cb, rng.integers(0, 1 << f.bits, 2000)])
    pick = rng.choice(a.size, min(a.size, 6000), replace=False)
    a, b = a[pick], b[pick]
    hit = cv.exact_situations(op, f, None, {"a": a, "b": b})
    for i in range(a.size):
        want = testing.situations(f, op, int(a[i]), int(b[i]))
        got = {s for s in testing.SITUATIONS if hit[s][i]}
        assert got == want, (name, op, hex(a[i]), hex(b[i]))


def test_wide_results_take_python_integers():
    """fp32 x fp32 + fp32 needs more than 62 bits: the object path gives testing's answer for the
    product part too (c = 0) and finds the tie that c at half an ulp makes."""
    f = parse_format("fp32")
    a, b = np.array([0x3F800001, 0x3FFFFFFF]), np.array([0x3F800001, 0x3FFFFFFF])
    hit = cv.exact_situations("fma", f, None, {"a": a, "b": b, "c": np.zeros(2, np.int64)})
    for i in range(2):
        assert {s for s in testing.SITUATIONS if hit[s][i]} == testing.situations(f, "mul", int(a[i]), int(b[i]))
    one, half_ulp = 0x3F800000, 0x33800000  # 1 x 1 + 2^-24: exactly halfway between 1 and 1 + 2^-23
    hit = cv.exact_situations("fma", f, None, {"a": np.array([one]), "b": np.array([one]), "c": np.array([half_ulp])})
    assert hit["exact_tie"][0] and not hit["exact"][0]


@pytest.mark.parametrize("name", ["posit8", "posit8es0", "posit6es1"])
@pytest.mark.parametrize("op", ["mul", "add"])
def test_posit_situations_match_the_models_results(name, op):
    """Every pair: exact iff the model returns the exact value; carry iff it rounds up to a power of
    two above the binade of x (values from posits.decode, exact in binary64 for these sizes)."""
    f = parse_format(name)
    a, b = (g.ravel() for g in np.meshgrid(np.arange(1 << f.n), np.arange(1 << f.n), indexing="ij"))
    hit = cv.exact_situations(op, f, None, {"a": a, "b": b})
    va, vb = posits.decode(f, a), posits.decode(f, b)
    x = va * vb if op == "mul" else va + vb
    z = np.abs(posits.decode(f, getattr(posits, op)(f, a, b)))
    ok = np.isfinite(x)
    assert np.array_equal(hit["nar"], ~ok)
    ax = np.abs(x)
    assert np.array_equal(hit["exact"][ok], (z == ax)[ok])
    lz = np.log2(np.where(z > 0, z, 1))
    up_to_pow2 = (z > ax) & (lz % 1 == 0) & (np.floor(np.log2(np.where(ax > 0, ax, 1))) < lz)
    inside = ok & ~hit["beyond_maxpos"] & ~hit["below_minpos"]
    assert np.array_equal(hit["carry"][inside], up_to_pow2[inside])
    assert hit["exact_tie"].any() and hit["regime_carry"].any()


@pytest.mark.parametrize("name", ["e5m2", "e4m3", "e3m4", "binary8p3se", "posit8"])
@pytest.mark.parametrize("op", ["mul", "add", "sub"])
def test_reachable_rules_agree_with_enumeration(name, op, monkeypatch):
    """The rules used for input spaces too large to enumerate give what enumeration finds, on 8-bit
    formats with subnormals and the regular features the rules assume."""
    f = parse_format(name)
    enumerated = cv.reachable(op, f)
    monkeypatch.setattr(cv, "ENUMERATE", 0)
    assert cv.reachable(op, f) == enumerated


EDGE_FORMATS = ["e4m3fn", "e5m2", "e5m2fnuz", "e4m3fnuz", "binary8p3se", "e3m4", "fp16", "bf16", "e8m0fnu",
                "posit8", "posit16es1"]
EDGE_CASES = [(op, f, None) for f in EDGE_FORMATS for op in ("mul", "add", "sub", "from_f64")] + [
    ("fma", "e4m3fn", "fp16"), ("fma", "e5m2", "fp32"), ("fma", "e5m2", "bf16"), ("fma", "e4m3fn", "e6m9"),
    ("fma", "e4m3fn", "e4m3fn"), ("fma", "posit8", None), ("fma", "posit16es1", None),
    ("convert", "fp16", "e4m3fn"), ("convert", "bf16", "e5m2"), ("convert", "fp32", "e5m2"),
    ("convert", "e5m2", "e4m3fn"), ("convert", "posit16", "e4m3fn"), ("convert", "e5m2", "posit8"),
    ("convert", "posit16es1", "posit8")]


@pytest.mark.parametrize("op,fmt,out", EDGE_CASES)
def test_edge_mode_hits_every_reachable_situation(op, fmt, out):
    f, g = parse_format(fmt), parse_format(out) if out else None
    vs = generate(Request(op, f, mode="edge", out_fmt=g))
    cov = cv.coverage(op, f, g, vs.columns)
    assert cov["missed"] == [], cov
    assert set(cov["reachable"]) >= {"exact", "inexact"}
    assert all(cov["situations"][s] == 0 for s in cov["situations"] if s not in cov["reachable"])


@pytest.mark.parametrize("op,fmt", [("mul", "fp16"), ("add", "e4m3fn"), ("sub", "posit16es1"), ("fma", "bf16")])
def test_level_2_is_larger_and_hits_every_reachable_situation(op, fmt):
    f = parse_format(fmt)
    one, two = (generate(Request(op, f, mode="edge", level=level)) for level in (1, 2))
    assert two.count > 2 * one.count
    assert cv.coverage(op, f, None, two.columns)["missed"] == []


def test_manifest_records_coverage_and_report_prints_it(tmp_path, capsys):
    stem = tmp_path / "add"
    assert main(["gen", "add", "--fmt", "e5m2", "--mode", "edge", "--out", str(stem), "--report"]) == 0
    out = capsys.readouterr().out
    cov = json.loads(stem.with_suffix(".json").read_text())["coverage"]
    assert cov["missed"] == [] and cov["vectors"] == json.loads(stem.with_suffix(".json").read_text())["count"]
    for s, n in cov["situations"].items():
        assert f"{s:20} {n:10d}" in out
    assert "reachable situations missed: none" in out
    assert main(["gen", "mul", "--fmt", "e5m2", "--mode", "random", "--count", "100", "--out", str(stem)]) == 0
    cov = json.loads(stem.with_suffix(".json").read_text())["coverage"]
    assert cov["vectors"] == 100 and sum(cov["situations"].values()) >= 100


def test_level_is_for_edge_mode_only(tmp_path, capsys):
    stem = str(tmp_path / "x")
    assert main(["gen", "mul", "--fmt", "e5m2", "--mode", "random", "--level", "2", "--out", stem]) != 0
    assert main(["gen", "mul", "--fmt", "e5m2", "--mode", "edge", "--level", "3", "--out", stem]) != 0
    assert "--level" in capsys.readouterr().err
    assert main(["gen", "mul", "--fmt", "e5m2", "--mode", "edge", "--level", "2", "--out", stem]) == 0
    manifest = json.loads((tmp_path / "x.json").read_text())
    assert manifest["parameters"]["level"] == 2 and "--level 2" in manifest["command"]


@pytest.mark.parametrize("op, fmt, out, mode", [
    ("mul", "e4m3fn", None, "random"), ("sub", "e5m2", None, "edge"), ("fma", "e2m1fn", "e2m1fn", "random"),
    ("add", "posit8", None, "random"), ("convert", "e5m2", "e2m1fn", "random")])
def test_table_lookup_counts_what_classifying_each_vector_counts(op, fmt, out, mode):
    """Enumerable ops count situations through the per-input table: the same counts as classifying
    every vector."""
    f, g = parse_format(fmt), out and parse_format(out)
    cols = generate(Request(op, f, mode=mode, count=20000, out_fmt=g)).columns
    cov = cv.coverage(op, f, g, cols)
    assert cov["situations"] == cv._classify_counts(op, f, g, cols, cv.situation_names(op, g or f))
    assert sum(cov["situations"].values()) >= cov["vectors"]
