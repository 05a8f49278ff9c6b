"""Vector files: writer/reader round trip, the $readmemh layout, manifests, byte-identical
regeneration of the checked-in suite, and clear errors on malformed files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from refmodel.vectors import io as vio
from refmodel.vectors.io import VectorFileError, read_vectors
from refmodel.vectors.suite import main as suite_main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "golden_vectors"


def test_checked_in_manifests_match_their_files():
    manifests = sorted(m for m in GOLDEN.rglob("*.json") if m.name != "INDEX.json")
    assert len(manifests) >= 40
    for m in manifests:
        info = json.loads(m.read_text())
        for entry in info["files"].values():
            data = (m.parent / entry["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{m.name}: {entry['file']} changed"


def test_index_lists_every_set_with_its_hashes():
    index = json.loads((GOLDEN / "INDEX.json").read_text())["sets"]
    manifests = {m.relative_to(GOLDEN).with_suffix("").as_posix(): m
                 for m in GOLDEN.rglob("*.json") if m.name != "INDEX.json"}
    assert sorted(e["set"] for e in index) == sorted(manifests)
    table = (GOLDEN / "INDEX.md").read_text()
    for e in index:
        files = json.loads(manifests[e["set"]].read_text())["files"]
        assert e["files"] == {ext: f["sha256"] for ext, f in files.items()}
        assert f"| {e['set']} |" in table


def test_suite_regenerates_byte_identically(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert suite_main(["golden_vectors"]) == 0
    fresh = sorted(p.relative_to(tmp_path) for p in (tmp_path / "golden_vectors").rglob("*") if p.is_file())
    kept = sorted(p.relative_to(ROOT) for p in GOLDEN.rglob("*") if p.is_file())
    assert fresh == kept
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), f"{rel} differs"


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
