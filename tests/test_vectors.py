"""Vector files: writer/reader round trip, the $readmemh layout, manifests, byte-identical
regeneration of the checked-in suite, and clear errors on malformed files."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
from pathlib import Path

import numpy as np
import pytest

from refmodel.vectors import io as vio
from refmodel.vectors.io import VectorFileError, read_vectors
from refmodel.vectors.suite import DATA, ON_DEMAND_BYTES
from refmodel.vectors.suite import main as suite_main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "golden_vectors"


def _index() -> list[dict]:
    return json.loads((GOLDEN / "INDEX.json").read_text())["sets"]


def test_checked_in_manifests_match_their_files():
    """Every file of a checked-in set matches its manifest; so does every regenerated file of a
    large set when `make vectors` has written it (a fresh clone has only the manifest)."""
    index = _index()
    assert len(index) >= 40 and sum(e["checked_in"] for e in index) >= 40
    for e in index:
        m = GOLDEN / f"{e['set']}.json"
        for entry in json.loads(m.read_text())["files"].values():
            path = m.parent / entry["file"]
            if not e["checked_in"] and not path.exists():
                continue
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], f"{path} changed"


def test_size_policy_large_sets_are_ignored_and_the_rest_is_small():
    """The sets over ON_DEMAND_BYTES are exactly those listed in golden_vectors/.gitignore, and
    what remains checked in stays well under the 50 MB budget."""
    index = _index()
    ignored = [line for line in (GOLDEN / ".gitignore").read_text().splitlines() if not line.startswith("#")]
    assert ignored == [f"/{e['set']}.{ext}" for e in index if not e["checked_in"] for ext in DATA]
    assert any(e["set"] == "mul/e4m3fn_rne_exhaustive" and not e["checked_in"] for e in index)
    kept = sum(p.stat().st_size for p in GOLDEN.rglob("*") if p.is_file() and f"/{p.relative_to(GOLDEN).as_posix()}"
               not in ignored)
    assert kept < 40e6
    for e in index:
        if e["checked_in"]:
            assert sum((GOLDEN / f"{e['set']}.{ext}").stat().st_size for ext in DATA) <= ON_DEMAND_BYTES


def test_a_large_set_regenerates_to_its_manifest_hashes(tmp_path):
    """What `make vectors` does for the sets that are not checked in, on the smallest of them."""
    from refmodel.cli import main
    large = [e for e in _index() if not e["checked_in"]]
    e = min(large, key=lambda e: int(e["parameters"]["count"]))
    args = shlex.split(e["command"])[1:]  # without "refmodel"
    args[args.index("--out") + 1] = str(tmp_path / "set")
    assert main([*args, "--quiet"]) == 0
    for ext, sha in e["files"].items():
        assert hashlib.sha256((tmp_path / f"set.{ext}").read_bytes()).hexdigest() == sha, f"{e['set']}.{ext}"


def test_missing_large_sets_are_regenerated_and_checked(tmp_path, monkeypatch):
    """`suite --missing` (what a fresh clone needs before the tests) fills in the absent sets and
    fails when one does not come out with the sha256 of its checked-in manifest."""
    shutil.copytree(GOLDEN, tmp_path / "golden_vectors")
    monkeypatch.chdir(tmp_path)
    e = min((e for e in _index() if not e["checked_in"]), key=lambda e: int(e["parameters"]["count"]))
    stem = Path("golden_vectors", e["set"])
    for ext in DATA:
        stem.with_suffix(f".{ext}").unlink(missing_ok=True)
    assert suite_main(["golden_vectors", "--missing"]) == 0
    for ext, sha in e["files"].items():
        assert hashlib.sha256(stem.with_suffix(f".{ext}").read_bytes()).hexdigest() == sha
    manifest = json.loads(stem.with_suffix(".json").read_text())
    manifest["files"]["txt"]["sha256"] = "0" * 64  # a stale manifest
    stem.with_suffix(".json").write_text(json.dumps(manifest))
    stem.with_suffix(".txt").unlink()
    assert suite_main(["golden_vectors", "--missing"]) == 1


def test_index_lists_every_set_with_its_hashes():
    index = _index()
    manifests = {m.relative_to(GOLDEN).with_suffix("").as_posix(): m
                 for m in GOLDEN.rglob("*.json") if m.name != "INDEX.json"}
    assert sorted(e["set"] for e in index) == sorted(manifests)
    table = (GOLDEN / "INDEX.md").read_text()
    for e in index:
        files = json.loads(manifests[e["set"]].read_text())["files"]
        assert e["files"] == {ext: f["sha256"] for ext, f in files.items()}
        assert f"| {e['set']} |" in table


def test_suite_regenerates_byte_identically(tmp_path, monkeypatch):
    """Every checked-in file comes out the same; the large sets' data files match their manifests."""
    monkeypatch.chdir(tmp_path)
    assert suite_main(["golden_vectors"]) == 0
    fresh = {p.relative_to(tmp_path) for p in (tmp_path / "golden_vectors").rglob("*") if p.is_file()}
    large = {Path("golden_vectors", f"{e['set']}.{ext}"): e["files"][ext]
             for e in _index() if not e["checked_in"] for ext in DATA}
    kept = {p.relative_to(ROOT) for p in GOLDEN.rglob("*") if p.is_file()} - set(large)
    assert fresh == kept | set(large)
    for rel in kept:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), f"{rel} differs"
    for rel, sha in large.items():
        assert hashlib.sha256((tmp_path / rel).read_bytes()).hexdigest() == sha, f"{rel} differs from its manifest"


def test_text_hex_npz_agree(tmp_path):
    from refmodel.cli import main
    stem = tmp_path / "v"
    assert main(["gen", "mul", "--fmt", "e5m2", "--rounding", "sr", "--sr-bits", "5", "--count", "500",
                 "--seed", "7", "--out", str(stem), "-q"]) == 0
    vs = read_vectors(stem.with_suffix(".txt"))
    assert [n for n, _ in vs.fields] == ["a", "b", "r", "z", "flags"]
    assert vs.fields == [("a", 8), ("b", 8), ("r", 5), ("z", 8), ("flags", 5)]
    assert vs.meta["sr_bits"] == "5" and vs.count == 500
    words = [int(w, 16) for w in stem.with_suffix(".hex").read_text().split()]
    manifest = json.loads(stem.with_suffix(".json").read_text())
    for i in (0, 1, 499):
        word = 0
        for f in manifest["fields"]:
            word |= int(vs.columns[f["name"]][i]) << f["lsb"]
        assert word == words[i]
    assert len(stem.with_suffix(".hex").read_text().split("\n")[0]) == 9  # 34 bits -> 9 hex digits
    with np.load(stem.with_suffix(".npz")) as npz:
        for name, _ in vs.fields:
            assert np.array_equal(npz[name], vs.columns[name])
    assert manifest["command"].startswith("refmodel gen mul --fmt e5m2 --rounding sr --sr-bits 5")


def test_same_seed_same_vectors_other_seed_differs(tmp_path):
    from refmodel.cli import main
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        assert main(["gen", "from_f64", "--fmt", "e4m3fn", "--count", "300", "--seed", str(seed),
                     "--out", str(tmp_path / name), "-q"]) == 0
    a, b, c = ((tmp_path / f"{n}.txt").read_bytes() for n in "abc")
    assert a == b and a != c


GOOD = "# refmodel golden vectors\n# op: mul  count: 2\n# fields: a:8 b:8 z:8 flags:5\n3c 40 44 00\n00 00 00 00\n"


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("# fields: a:8 b:8 z:8 flags:5\n", ""), "fields"),
    (GOOD.replace("3c 40 44 00", "3c 40 44"), ":4: 3 fields, expected 4"),
    (GOOD.replace("3c 40 44 00", "3c 40 044 00"), ":4: field z is '044', expected 2 hex digits"),
    (GOOD.replace("3c 40 44 00", "3c 4g 44 00"), ":4: field b is '4g', not hexadecimal"),
    (GOOD.replace("3c 40 44 00", "3c 40 44 20"), ":4: field flags = 20 does not fit in 5 bits"),
    (GOOD.replace("count: 2", "count: 3"), "truncated"),
    (GOOD.replace("a:8", "a:0"), "bad field"),
    (GOOD + "\n", ":6: 1 fields"),
])
def test_malformed_files_name_the_problem_and_the_line(tmp_path, text, message):
    p = tmp_path / "bad.txt"
    p.write_text(text)
    with pytest.raises(VectorFileError, match=message.replace("(", r"\(")):
        read_vectors(p)


def test_binary_garbage_is_a_clear_error(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(VectorFileError, match="not an ASCII"):
        read_vectors(p)


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    from refmodel.cli import main

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device", "v.hex")

    monkeypatch.setattr(vio, "format_hex_lines", boom)
    assert main(["gen", "mul", "--fmt", "e4m3fn", "--count", "10", "--out", str(tmp_path / "v"), "-q"]) == 2
    assert os.listdir(tmp_path) == []


def test_line_kernels_match_python_formatting():
    """Text and $readmemh lines against f-strings, for field widths 1..64 and words of several limbs."""
    rng = np.random.default_rng(5)
    for bits in ([1], [64], [8, 8, 8, 5], [64, 8, 5], [3] * 23, [64, 64, 64, 7], list(rng.integers(1, 65, 9))):
        fields = [(f"f{i}", int(b)) for i, b in enumerate(bits)]
        cols = {n: rng.integers(0, 1 << 63, 50, dtype=np.uint64) * np.uint64(2) + np.uint64(1) for n, _ in fields}
        for n, b in fields:
            cols[n] &= np.uint64((1 << b) - 1) if b < 64 else np.uint64(2**64 - 1)
        vs = vio.VectorSet({}, fields, cols)
        text = vio.format_text_lines(vs, 3, 50).tobytes().decode().splitlines()
        hexl = vio.format_hex_lines(vs, 3, 50).tobytes().decode().splitlines()
        digits = (sum(bits) + 3) // 4
        for i in range(3, 50):
            assert text[i - 3] == " ".join(f"{int(cols[n][i]):0{(b + 3) // 4}x}" for n, b in fields)
            word = 0
            for n, b in fields:
                word = (word << b) | int(cols[n][i])
            assert hexl[i - 3] == f"{word:0{digits}x}"


@pytest.mark.parametrize("args", [
    ["from_f64", "--fmt", "e5m2", "--rounding", "sr", "--count", "1000"],  # a multi-limb hex word
    ["mul", "--fmt", "e4m3fn", "--count", "5000"],
    ["fma", "--fmt", "e4m3fn", "--acc-fmt", "bf16", "--rounding", "sr", "--sr-bits", "5", "--count", "3000"],
    ["add", "--fmt", "e5m2", "--mode", "exhaustive"],
    ["convert", "--fmt", "fp16", "--to", "e4m3fn", "--rounding", "sr", "--mode", "exhaustive"],
    ["sub", "--fmt", "e4m3fn", "--mode", "edge"],
])
def test_jobs_and_chunks_do_not_change_the_bytes(tmp_path, monkeypatch, args):
    """The files are the same for any --jobs and any chunking of the generation and of the
    written stream: one chunk on one thread against odd-sized chunks on three."""
    from refmodel.cli import main
    from refmodel.vectors import generate as gen_mod
    gen = ["gen", *args, "-q"]
    assert main([*gen, "--jobs", "1", "--out", str(tmp_path / "one")]) == 0
    monkeypatch.setattr(vio, "CHUNK", 37)
    monkeypatch.setattr(gen_mod, "CHUNK", 997)
    assert main([*gen, "--jobs", "3", "--out", str(tmp_path / "three")]) == 0
    for ext in ("txt", "hex", "npz"):
        assert (tmp_path / f"one.{ext}").read_bytes() == (tmp_path / f"three.{ext}").read_bytes()
    one, three = (json.loads((tmp_path / f"{s}.json").read_text()) for s in ("one", "three"))
    assert one["count"] > 997
    assert {e: f["sha256"] for e, f in one["files"].items()} == {e: f["sha256"] for e, f in three["files"].items()}
    assert one["coverage"] == three["coverage"]
