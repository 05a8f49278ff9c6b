"""Hypothesis fuzzes the vector-file readers: io.read_vectors, io.read_header and check.read_results
take valid files mutated every way a file gets damaged (truncated, cut lines, extra or missing
fields, bad hex, wrong widths, bad headers, binary junk, huge numbers, CRLF, empty) and pure junk.
Each either parses to something consistent with the bytes it read, or raises VectorFileError
with a message; never any other exception. Derandomized, so CI sees the same examples every run."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refmodel.vectors import io as vio
from refmodel.vectors.check import read_results, result_fields
from refmodel.vectors.io import VectorFileError, VectorSet, read_header, read_vectors

FUZZ = settings(max_examples=200, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@st.composite
def vector_sets(draw) -> VectorSet:
    """A small valid set: 1-5 operand fields of 1-64 bits, then z and flags (so `check` can use it)."""
    n_ops = draw(st.integers(1, 5))
    bits = draw(st.lists(st.integers(1, 64), min_size=n_ops, max_size=n_ops)) + [draw(st.integers(1, 64)), 5]
    names = [f"a{i}" for i in range(n_ops)] + ["z", "flags"]
    count = draw(st.integers(0, 6))
    columns = {n: np.array([draw(st.integers(0, (1 << b) - 1)) for _ in range(count)], np.uint64)
               for n, b in zip(names, bits)}
    return VectorSet({"op": "mul", "fmt": "e4m3fn", "count": str(count)}, list(zip(names, bits)), columns)


def file_bytes(vs: VectorSet) -> bytes:
    return vio.header_lines(vs).encode() + (vio.format_text_lines(vs, 0, vs.count).tobytes() if vs.count else b"")


JUNK = st.sampled_from([b"", b" ", b"\n", b"\r\n", b"#", b"# fields:", b"# count: 99", b"zz", b"0x", b"-1", b"+1",
                        b"\x00", b"\xff\xfe", b"\t", b"9" * 40, b"f" * 17, b"# fields: q:8 q:8", b"a:0", b"z:999",
                        b"3C", b"\x0b", b"\x1c"])


BAD_TOKENS = st.sampled_from(["zz", "0x", "-1", "+1", "9" * 40, "f" * 17, "1_0", "0xx1", " ", "\u00b9", "1f" * 40])


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """data after 1-3 of: cut at a byte, drop a byte, insert junk, replace a byte, CRLF, duplicate a line."""
    for _ in range(draw(st.integers(1, 3))):
        at = len(data) - draw(st.integers(0, len(data)))  # Hypothesis favours small draws: damage the end most
        kind = draw(st.sampled_from(["cut", "drop", "insert", "replace", "crlf", "dup"]))
        if kind == "cut":
            data = data[:at]
        elif kind == "drop":
            data = data[:at] + data[at + 1:]
        elif kind == "insert":
            data = data[:at] + draw(JUNK) + data[at:]
        elif kind == "replace" and at < len(data):
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif kind == "dup":
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[:i + 1] + lines[i:])
    return data


@st.composite
def vector_files(draw) -> bytes:
    """Mostly damaged valid files, sometimes junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    return draw(damaged(file_bytes(draw(vector_sets()))))


def _write(d: str, data: bytes) -> Path:
    path = Path(d) / "v.txt"
    path.write_bytes(data)
    return path


def _check_consistent(vs: VectorSet, data: bytes) -> None:
    """A parse is consistent when writing it back gives the vector lines that were read."""
    assert all(len(c) == vs.count and c.dtype == np.uint64 for c in vs.columns.values())
    assert [n for n, _ in vs.fields] == list(vs.columns)
    for name, bits in vs.fields:
        assert bits == 64 or not (vs.columns[name] >> np.uint64(bits)).any()
    rows = [line.lower() for line in data.decode().splitlines() if not line.startswith("#")]
    again = vio.format_text_lines(vs, 0, vs.count).tobytes().decode().splitlines() if vs.count else []
    assert again == rows
    if vs.meta.get("count", "").isdigit():
        assert int(vs.meta["count"]) == vs.count


def _parse(reader, path: Path, *args):
    """reader's result, or None after checking that it refused the file in one line naming it."""
    try:
        return reader(path, *args)
    except VectorFileError as e:
        assert str(e).startswith(str(path)) and "\n" not in str(e)
        return None


@FUZZ
@given(vector_files())
def test_read_vectors_and_header_parse_consistently_or_name_the_problem(data):
    with tempfile.TemporaryDirectory() as d:
        path = _write(d, data)
        vs = _parse(read_vectors, path)
        if vs is not None:
            _check_consistent(vs, data)
        header = _parse(read_header, path)
        if header is not None:
            meta, fields = header
            assert fields and all(1 <= b <= 64 for _, b in fields)
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())


@st.composite
def results_files(draw) -> tuple[VectorSet, bytes]:
    """A golden set and a results file for it: result fields per line (with 0x, upper case and
    comments here and there), or the full layout, then damaged."""
    golden = draw(vector_sets())
    results = result_fields(golden)
    if draw(st.booleans()):
        data = file_bytes(golden)
    else:
        lines = []
        width = draw(st.sampled_from([1, len(results)]))
        for i in range(golden.count):
            toks = [f"{int(golden.columns[n][i]):x}" for n, _ in results[:width]]
            toks = [draw(st.sampled_from([t, "0x" + t, t.upper(), t, t])) for t in toks]
            if draw(st.integers(0, 4)) == 0:  # one token damaged: what the hex-field parser must refuse
                toks[draw(st.integers(0, width - 1))] = draw(BAD_TOKENS)
            lines.append(" ".join(toks) + draw(st.sampled_from(["", "  # note"])))
        data = ("# from the simulator\n" + "\n".join(lines) + "\n").encode()
    return golden, draw(damaged(data)) if draw(st.booleans()) else data


@FUZZ
@given(results_files())
def test_read_results_parses_consistently_or_names_the_problem(case):
    golden, data = case
    with tempfile.TemporaryDirectory() as d:
        got = _parse(read_results, _write(d, data), golden)
    if got is not None:
        lines = got.pop("__lines__")
        assert len(lines) == golden.count and set(got) <= {n for n, _ in result_fields(golden)}
        for name, col in got.items():
            bits = dict(golden.fields)[name]
            assert len(col) == golden.count and (bits == 64 or not (col >> np.uint64(bits)).any())


@FUZZ
@given(vector_sets())
def test_undamaged_files_read_back_exactly(vs):
    """The fast reader and the line-by-line one agree with the writer on every valid file."""
    data = file_bytes(vs)
    with tempfile.TemporaryDirectory() as d:
        path = _write(d, data)
        for got in (read_vectors(path), vio._read_lines(path, data.decode())):
            assert got.fields == vs.fields and got.count == vs.count
            for name, _ in vs.fields:
                assert np.array_equal(got.columns[name], vs.columns[name])
        assert read_header(path) == (vs.meta, vs.fields)
