"""Vector files for the cocotb testbenches: fast loading, and sets generated at test time.

Golden vector files come as STEM.txt / .hex / .npz / .json (refmodel.vectors.io). The testbenches load
the columns from STEM.npz and the parameters and field layout from STEM.json (a 65,536-vector text file
takes a second to parse in Python; the npz a millisecond), and fall back to parsing STEM.txt when the
pair is missing. Sets the checked-in suite does not hold are generated with the refmodel API at test
time, deterministic by seed, and written with the one writer (write_vectors) into the build directory,
so that `refmodel check` and the $readmemh flow can read the very same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from refmodel.vectors.io import VectorSet, read_header, read_vectors, write_vectors


def stem_of(path) -> Path:
    p = Path(path)
    return p.with_suffix("") if p.suffix in (".txt", ".hex", ".npz", ".json") else p


def manifest(path) -> dict:
    """STEM.json of a vector file given by any of its names or its stem."""
    stem = stem_of(path)
    js = stem.with_name(stem.name + ".json")
    if not js.exists():
        raise FileNotFoundError(f"{js}: the manifest of {stem.name} is missing")
    return json.loads(js.read_text())


def load_set(path) -> tuple[VectorSet, Path]:
    """(vectors, the STEM.txt path) of a vector file given by any of its names or its stem."""
    stem = stem_of(path)
    txt, npz, js = (stem.with_name(stem.name + ext) for ext in (".txt", ".npz", ".json"))
    if npz.exists() and js.exists():
        manifest = json.loads(js.read_text())
        fields = [(f["name"], int(f["bits"])) for f in manifest["fields"]]
        with np.load(npz) as z:
            columns = {name: z[name].astype(np.uint64) for name, _ in fields}
        meta = {k: str(v) for k, v in manifest["parameters"].items()}
        first = 1
        if txt.exists():
            header, _ = read_header(txt)
            with open(txt, encoding="ascii", errors="replace") as fh:
                first += sum(1 for _ in iter(lambda: fh.readline().startswith("#") or None, None))
            meta = {**meta, **header}
        return VectorSet(meta, fields, columns, first), txt
    return read_vectors(txt), txt


def save_set(stem: Path, vs: VectorSet, command: str) -> Path:
    """Write STEM.txt/.hex/.npz/.json (the manifest's parameters are the set's meta); returns STEM.txt."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    write_vectors(stem, vs, command, dict(vs.meta))
    return stem.with_name(stem.name + ".txt")


def subset(vs: VectorSet, keep: np.ndarray, **meta) -> VectorSet:
    """The vectors where `keep` holds (a boolean mask or indices), with extra header keys. first_line
    stays that of the whole set (right for a prefix)."""
    cols = {name: col[keep] for name, col in vs.columns.items()}
    n = len(next(iter(cols.values())))
    return VectorSet({**vs.meta, **{k: str(v) for k, v in meta.items()}, "count": str(n)}, list(vs.fields), cols,
                     vs.first_line)
