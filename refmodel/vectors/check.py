"""Compare results that came back from a simulation or a chip against golden vectors.

The actual results may be a vector file in the same text layout (every field present), or a plain
results file: one vector per line, the result fields only (`z`, or `z flags`, ... in the golden
file's order, hex), `#` comments and blank lines ignored. The result fields of a golden set are its
trailing fields from `z` (or `acc`, for MAC traces) on; the fields before are the operands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..encodings import flags_str
from ..formats import Flex, Minifloat, Posit, parse_format
from .coverage import CLASSIFIED_OPS, coverage, exact_situations
from .io import VectorFileError, VectorSet, comment_head, fixed_width_columns, parse_hex_field, read_vectors

RESULT_STARTS = ("z", "acc")


def result_fields(vs: VectorSet) -> list[tuple[str, int]]:
    names = [n for n, _ in vs.fields]
    for start in RESULT_STARTS:
        if start in names:
            return vs.fields[names.index(start):]
    raise VectorFileError(f"golden set has no result field ({' or '.join(RESULT_STARTS)}): {' '.join(names)}")


def read_results(path, golden: VectorSet) -> dict[str, np.ndarray]:
    """The result columns of `path`: a full vector file, or one line of result fields per vector."""
    path = Path(path)
    results = result_fields(golden)
    try:
        text = path.read_text("ascii")
    except OSError as e:
        raise VectorFileError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise VectorFileError(f"{path}: not an ASCII text file (byte {e.start})") from None
    head, at = comment_head(text)
    if any(line.startswith("# fields:") for line in head):
        actual = read_vectors(path)
        missing = [n for n, _ in results if n not in actual.columns]
        if missing:
            raise VectorFileError(f"{path}: has no field {', '.join(missing)} of the golden results")
        cols = {n: actual.columns[n] for n, _ in results}
        lines = actual.first_line + np.arange(actual.count)
    else:
        cols, lines = _results_fixed_width(text[at:].encode(), results, len(head)) or \
            _results_by_line(path, text, results)
    n = len(next(iter(cols.values()))) if cols else 0
    if n != golden.count:
        raise VectorFileError(f"{path}: {n} results for {golden.count} golden vectors")
    return {"__lines__": np.asarray(lines, np.int64), **cols}


def _results_fixed_width(body: bytes, results, first: int):
    """(columns, line numbers) when every line holds all result fields, or z alone, exactly
    zero-padded as the vector files write them (what a $fdisplay of %h gives); else None."""
    for width in (len(results), 1):
        cols = fixed_width_columns(body, results[:width])
        if cols is not None:
            return cols, first + 1 + np.arange(len(next(iter(cols.values()))))
    return None


def _results_by_line(path: Path, text: str, results):
    """Any results file: '#' comments, blank lines, 0x prefixes and unpadded hex allowed."""
    rows, lines = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0].strip()
        if body:
            rows.append((lineno, body.split()))
            lines.append(lineno)
    for lineno, toks in rows:
        if len(toks) not in (1, len(results)):
            raise VectorFileError(f"{path}:{lineno}: {len(toks)} fields, expected "
                                  f"{' '.join(n for n, _ in results)} (or {results[0][0]} alone)")
    if rows and any(len(t) != len(rows[0][1]) for _, t in rows):
        raise VectorFileError(f"{path}: some lines have {len(rows[0][1])} fields and some do not")
    width = len(rows[0][1]) if rows else len(results)
    cols = {n: np.empty(len(rows), np.uint64) for n, _ in results[:width]}
    for i, (lineno, toks) in enumerate(rows):
        for (name, bits), tok in zip(results, toks):
            cols[name][i] = parse_hex_field(tok, name, bits, f"{path}:{lineno}")
    return cols, lines


@dataclass
class Report:
    checked: int
    fields: list[str]
    mismatches: list[int] = field(default_factory=list)  # vector indices
    by_situation: dict[str, tuple[int, int]] = field(default_factory=dict)  # situation -> (vectors, mismatches)
    # The exact rounding situations of docs/vectors.md (a vector may be in several): operations that round only.
    by_rounding_situation: dict[str, tuple[int, int]] = field(default_factory=dict)


SITUATION_CLASSES = ("invalid (NaN)", "overflow", "underflow (tiny, inexact)", "inexact", "exact", "NaR",
                     "overflow (saturated)", "result")


def situation_classes(golden: VectorSet, idx: np.ndarray) -> np.ndarray:
    """Each vector idx's coarse class of what the expected result exercises, as an index into
    SITUATION_CLASSES: the highest flag raised, else posit NaR or saturation, else plain result."""
    cols = golden.columns
    if "flags" in cols:
        fl = cols["flags"][idx].astype(np.int64)
        return np.select([fl & 0x10 != 0, fl & 0x04 != 0, fl & 0x02 != 0, fl & 0x01 != 0], [0, 1, 2, 3], 4)
    no = np.zeros(len(idx), bool)
    nar = cols["nar"][idx] != 0 if "nar" in cols else no
    saturated = cols["overflow"][idx] != 0 if "overflow" in cols else no
    return np.select([nar, saturated], [5, 6], 7)


def situation(golden: VectorSet, i: int) -> str:
    """A coarse class of what the expected result of vector i exercises, for the summary table."""
    return SITUATION_CLASSES[situation_classes(golden, np.array([i]))[0]]


def _classified(golden: VectorSet):
    """(op, fmt, out_fmt, operand columns) when the set's operation has rounding situations, else None."""
    meta = golden.meta
    if meta.get("op") not in CLASSIFIED_OPS:
        return None
    try:
        fmt = parse_format(meta["fmt"])
        out = meta.get("acc_fmt") or meta.get("to")
        out_fmt = parse_format(out) if out else None
    except (KeyError, ValueError):
        return None
    if not isinstance(fmt, (Minifloat, Posit)):
        return None
    return meta["op"], fmt, out_fmt, {k: golden.columns[k] for k in ("a", "b", "c") if k in golden.columns}


def rounding_situations(golden: VectorSet, idx: np.ndarray) -> dict[str, np.ndarray] | None:
    """The exact rounding situations of vectors idx (masks by name), from their operands alone."""
    cls = _classified(golden)
    if cls is None:
        return None
    op, fmt, out_fmt, cols = cls
    return exact_situations(op, fmt, out_fmt, {k: v[idx] for k, v in cols.items()})


def compare(golden: VectorSet, actual: dict[str, np.ndarray], by_rounding_situation: bool = False) -> Report:
    """Mismatches and the summary by flags class; with by_rounding_situation also the summary by
    exact rounding situation (classifies the whole set: `refmodel check` asks for it, the cocotb
    scoreboards comparing chunk by chunk do not)."""
    names = [n for n, _ in result_fields(golden) if n in actual]
    bad = np.zeros(golden.count, bool)
    for n in names:
        bad |= golden.columns[n] != actual[n]
    report = Report(golden.count, names, np.flatnonzero(bad).tolist())
    cls = situation_classes(golden, np.arange(golden.count))
    total = np.bincount(cls, minlength=len(SITUATION_CLASSES))
    wrong = np.bincount(cls[bad], minlength=len(SITUATION_CLASSES))
    first = {int(np.argmax(cls == k)): k for k in np.flatnonzero(total)}  # (a sort of cls costs seconds)
    for _, k in sorted(first.items()):  # classes in the order they first occur, as a loop over the vectors gives
        report.by_situation[SITUATION_CLASSES[k]] = (int(total[k]), int(wrong[k]))
    cls = _classified(golden) if by_rounding_situation else None
    if cls is not None:
        counts = coverage(*cls)["situations"]  # every vector, through the classifier's fast paths
        wrong_sits = rounding_situations(golden, np.flatnonzero(bad))
        report.by_rounding_situation = {s: (n, int(wrong_sits[s].sum())) for s, n in counts.items()}
    return report


def _decoder(golden: VectorSet):
    """A function code -> one-line explanation for the set's format, or hex when unknown."""
    from ..cli import explain_code, explain_posit

    try:
        f = parse_format(golden.meta.get("to") or golden.meta.get("acc_fmt") or golden.meta["fmt"])
    except (KeyError, ValueError):
        return lambda code: f"{code:#x}"
    if isinstance(f, Posit):
        return lambda code: explain_posit(f, code)
    if isinstance(f, Minifloat):
        return lambda code: explain_code(f, code)
    if isinstance(f, Flex):
        return lambda code: f"{code:#x} (mantissa {f.mant_from_code(code)})"
    return lambda code: f"{code:#x}"


def describe(golden: VectorSet, actual: dict[str, np.ndarray], i: int, golden_path) -> str:
    """A mismatch, decoded: the operands, then expected and actual for every result field."""
    decode = _decoder(golden)
    results = {n for n, _ in result_fields(golden)}
    ops_ = " ".join(f"{n}={int(golden.columns[n][i]):#x}" for n, _ in golden.fields if n not in results)
    lines = [f"{Path(golden_path).name}:{golden.first_line + i}: vector {i} ({situation(golden, i)}): {ops_}"]
    sits = rounding_situations(golden, np.array([i]))
    if sits is not None:
        lines.append(f"     situations: {', '.join(s for s, m in sits.items() if m[0]) or '-'}")
    for n, _ in golden.fields:
        if n not in results or n not in actual:
            continue
        exp, got = int(golden.columns[n][i]), int(actual[n][i])
        mark = "  " if exp == got else "!="
        if n == "flags":
            lines.append(f"  {mark} flags    expected {exp:#04x} {flags_str(exp):14} "
                         f"actual {got:#04x} {flags_str(got)}")
        elif n in ("z", "acc"):
            lines.append(f"  {mark} {n:8} expected {decode(exp)}")
            lines.append(f"     {'':8} actual   {decode(got)}")
        else:
            lines.append(f"  {mark} {n:8} expected {exp:#x}  actual {got:#x}")
    return "\n".join(lines)
