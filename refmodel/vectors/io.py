"""The one vector-file reader and writer (DESIGN.md 'Text vectors').

STEM.txt   header lines starting with '#', then one vector per line: the fields of the
           '# fields:' line, in order, lower-case hex zero-padded to ceil(bits/4) digits.
STEM.hex   the same vectors for $readmemh: the fields concatenated MSB first, one word per line.
STEM.npz   one array per field (narrowest unsigned dtype), stored uncompressed with fixed zip
           timestamps so that regeneration is byte-identical.
STEM.json  the manifest: version, command, parameters, field layout (name, bits, lsb), count, and
           the sha256 of the three other files.

Every file is written under a temporary name and renamed into place, so a failed or interrupted
run never leaves a partial file behind.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from ..kernels import hexfmt

CHUNK = 1 << 20  # vectors formatted per numpy batch
_META = re.compile(r"(\w+): (\S+)")
_FIELD = re.compile(r"([a-z][a-z0-9_]*):([0-9]{1,3})")  # more digits could only be a bad width
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")
_NIBBLE = np.full(256, 255, np.uint8)  # ASCII byte -> hex digit value, 255 for a non-hex byte
_NIBBLE[np.frombuffer(b"0123456789abcdef", np.uint8)] = np.arange(16)
_NIBBLE[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16)


class VectorFileError(ValueError):
    """A malformed, truncated or inconsistent vector file."""


@dataclass
class VectorSet:
    """Vectors as columns: meta (header key/values), fields [(name, bits)], columns name -> uint64."""

    meta: dict[str, str]
    fields: list[tuple[str, int]]
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    first_line: int = 0  # line number of the first vector in the text file (for messages)

    @property
    def count(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def layout(self) -> list[dict]:
        """Each field's name, width and lsb position in the concatenated hex word."""
        out, lsb = [], sum(b for _, b in self.fields)
        for name, bits in self.fields:
            lsb -= bits
            out.append({"name": name, "bits": bits, "lsb": lsb})
        return out


def _dtype(bits: int) -> np.dtype:
    return np.dtype(np.uint8 if bits <= 8 else np.uint16 if bits <= 16 else np.uint32 if bits <= 32 else np.uint64)


MAX_TUPLE_FIELDS = 8


def _chunk_columns(vs: VectorSet, lo: int, hi: int) -> tuple[np.ndarray, ...] | np.ndarray:
    """Vectors lo..hi-1 as the line kernels read them (cols[j][i]): a tuple of uint64 column slices
    (views: copying them into one matrix cost a third of the formatting), or, above
    MAX_TUPLE_FIELDS fields, one (fields, vectors) matrix: Numba compiles the kernels once per
    tuple length, seconds each and over a minute for the 514 fields of a dot of length 256."""
    cols = [np.ascontiguousarray(vs.columns[name][lo:hi], np.uint64) for name, _ in vs.fields]
    return tuple(cols) if len(cols) <= MAX_TUPLE_FIELDS else np.stack(cols)


def format_text_lines(vs: VectorSet, lo: int, hi: int) -> np.ndarray:
    """Vectors lo..hi-1 as lines of the text file (ASCII bytes)."""
    digits = np.array([(bits + 3) // 4 for _, bits in vs.fields], np.int64)
    out = np.empty((hi - lo) * int(digits.sum() + len(digits)), np.uint8)
    hexfmt.text_lines(_chunk_columns(vs, lo, hi), digits, out)
    return out


def format_hex_lines(vs: VectorSet, lo: int, hi: int) -> np.ndarray:
    """Vectors lo..hi-1 as lines of the $readmemh file (ASCII bytes)."""
    bits = np.array([b for _, b in vs.fields], np.int64)
    out = np.empty((hi - lo) * ((int(bits.sum()) + 3) // 4 + 1), np.uint8)
    hexfmt.hex_lines(_chunk_columns(vs, lo, hi), bits, out)
    return out


def header_lines(vs: VectorSet) -> str:
    meta = "  ".join(f"{k}: {v}" for k, v in vs.meta.items())
    fields = " ".join(f"{n}:{b}" for n, b in vs.fields)
    return f"# refmodel {__version__} golden vectors\n# {meta}\n# fields: {fields}\n"


def _npz_bytes(vs: VectorSet) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, bits in vs.fields:
            arr = io.BytesIO()
            np.lib.format.write_array(arr, np.ascontiguousarray(vs.columns[name].astype(_dtype(bits))),
                                      allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, arr.getvalue())
    return buf.getvalue()


class _AtomicFiles:
    """Write several files under temporary names; rename all on success, delete all on failure."""

    def __init__(self):
        self.pending: list[tuple[Path, Path]] = []

    @staticmethod
    def tmp_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.tmp{os.getpid()}")

    def open(self, path: Path):
        tmp = self.tmp_path(path)
        self.pending.append((tmp, path))  # before the file exists: a Ctrl-C in between leaves nothing
        try:
            return open(tmp, "wb")
        except OSError as e:  # name the file the user asked for, not the temporary one
            raise OSError(e.errno, f"cannot write: {e.strerror}", str(path)) from None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                for tmp, path in self.pending:
                    os.replace(tmp, path)
        finally:  # whatever was not renamed (an error, Ctrl-C, a failed rename) is deleted
            for tmp, _ in self.pending:
                tmp.unlink(missing_ok=True)
        return False


class _Stopped(Exception):
    """Another stream of the same write failed or was interrupted."""


def _write_stream(fh, head: bytes, fmt, vs: VectorSet, stop: threading.Event, progress=None) -> str:
    """Write head, then the vectors chunk by chunk in fmt's layout; return the sha256 of the file.
    Hashing what is written saves reading the file back."""
    h = hashlib.sha256(head)
    fh.write(head)
    for lo in range(0, vs.count, CHUNK):
        if stop.is_set():
            raise _Stopped
        hi = min(vs.count, lo + CHUNK)
        data = fmt(vs, lo, hi)
        fh.write(data)
        h.update(data)
        if progress:
            progress(hi)
    return h.hexdigest()


def _write_blob(fh, data: bytes) -> str:
    fh.write(data)
    return hashlib.sha256(data).hexdigest()


def _write_files(files: _AtomicFiles, paths: dict[str, Path], vs: VectorSet, jobs: int, progress) -> dict[str, str]:
    """Write the text, hex and npz files; with jobs > 1, the three streams run in parallel threads
    (the formatting kernels, hashlib and file writes release the GIL). Output is the same for any jobs."""
    stop = threading.Event()
    tasks = {"txt": lambda fh: _write_stream(fh, header_lines(vs).encode(), format_text_lines, vs, stop, progress),
             "hex": lambda fh: _write_stream(fh, b"", format_hex_lines, vs, stop),
             "npz": lambda fh: _write_blob(fh, _npz_bytes(vs))}
    handles = {ext: files.open(paths[ext]) for ext in tasks}
    try:
        if jobs <= 1:
            return {ext: task(handles[ext]) for ext, task in tasks.items()}
        with ThreadPoolExecutor(min(jobs, len(tasks))) as pool:
            futures = {ext: pool.submit(task, handles[ext]) for ext, task in tasks.items()}
            try:
                return {ext: f.result() for ext, f in futures.items()}
            except BaseException:  # Ctrl-C or a failed stream: the others stop at their next chunk
                stop.set()
                raise
    finally:
        for fh in handles.values():
            fh.close()


def write_vectors(stem, vs: VectorSet, command: str, parameters: dict, progress=None, jobs: int = 1,
                  coverage: dict | None = None) -> list[Path]:
    """Write STEM.txt, .hex, .npz and .json; return their paths. progress(n_done) is called per chunk
    of the text file; jobs > 1 writes the files in parallel threads (same bytes)."""
    stem = Path(stem)
    if not stem.name:
        raise ValueError(f"output stem {str(stem)!r} names no file (expected e.g. out/mul_e4m3fn)")
    if not stem.parent.is_dir():
        raise OSError(f"output directory {str(stem.parent)!r} does not exist")
    for name, bits in vs.fields:
        col = vs.columns[name]
        if len(col) != vs.count:
            raise ValueError(f"field {name}: {len(col)} values for {vs.count} vectors")
        if bits < 64 and col.size and int(col.max()) >> bits:
            raise ValueError(f"field {name}: value {int(col.max()):#x} does not fit in {bits} bits")
    paths = {ext: stem.with_name(stem.name + "." + ext) for ext in ("txt", "hex", "npz", "json")}
    for path in paths.values():
        if path.is_dir():
            raise OSError(f"cannot write {str(path)!r}: it is a directory")
    n = vs.count
    with _AtomicFiles() as files:
        hashes = {ext: {"file": paths[ext].name, "sha256": sha}
                  for ext, sha in _write_files(files, paths, vs, jobs, progress).items()}
        manifest = {
            "refmodel_version": __version__,
            "command": command,
            "parameters": parameters,
            "fields": vs.layout(),
            "hex_word_bits": sum(b for _, b in vs.fields),
            "count": n,
            "files": hashes,
        }
        if coverage is not None:  # the rounding situations the set hits (vectors/coverage.py)
            manifest["coverage"] = coverage
        with files.open(paths["json"]) as js:
            js.write((json.dumps(manifest, indent=2) + "\n").encode())
    return list(paths.values())


def _parse_fields(spec: str, where: str) -> list[tuple[str, int]]:
    fields = []
    for tok in spec.split():
        m = _FIELD.fullmatch(tok)
        if not m or not 1 <= int(m[2]) <= 64:
            raise VectorFileError(f"{where}: bad field {tok!r} in '# fields:' (expected name:bits, 1..64 bits)")
        fields.append((m[1], int(m[2])))
    if not fields:
        raise VectorFileError(f"{where}: '# fields:' names no field")
    if len({n for n, _ in fields}) != len(fields):
        raise VectorFileError(f"{where}: a field name repeats in '# fields:'")
    return fields


def _header_line(line: str, meta: dict[str, str], where: str):
    """Parse one '#' line into meta; return the field list if it is the '# fields:' line."""
    body = line[1:].strip()
    if body.startswith("fields:"):
        return _parse_fields(body[len("fields:"):], where)
    meta.update(_META.findall(body))
    return None


def read_header(path) -> tuple[dict[str, str], list[tuple[str, int]]]:
    """Only the header of STEM.txt: (meta, fields), without reading the vectors."""
    meta: dict[str, str] = {}
    fields = None
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.startswith("#"):
                    break
                fields = _header_line(line, meta, f"{path}:{lineno}") or fields
    except OSError as e:
        raise VectorFileError(f"{path}: cannot read: {e.strerror}") from None
    if fields is None:
        raise VectorFileError(f"{path}: no '# fields:' header line")
    return meta, fields


def parse_hex_field(tok: str, name: str, bits: int, where: str, digits: int | None = None) -> int:
    """One hex field of a vector or results line: exactly `digits` hex digits, or, when digits is
    None (results files), any number of them after an optional 0x. VectorFileError names `where`
    (file:line) and the field when the token is not hex or does not fit in `bits` bits."""
    if digits is not None and len(tok) != digits:
        raise VectorFileError(f"{where}: field {name} is {tok!r}, expected {digits} hex digits")
    body = tok[2:] if digits is None and tok[:2] in ("0x", "0X") else tok
    if not body or not _HEX_CHARS.issuperset(body):
        raise VectorFileError(f"{where}: field {name} is {tok!r}, not hexadecimal")
    v = int(body, 16)
    if v >> bits:
        raise VectorFileError(f"{where}: field {name} = {tok} does not fit in {bits} bits")
    return v


def comment_head(text: str) -> tuple[list[str], int]:
    """The '#' lines at the top of a file and the offset of what follows. It stops before a line
    that Python would split again (a lone \\r, \\v, ...), so that line numbers agree with splitlines()."""
    lines, at = [], 0
    while text.startswith("#", at):
        end = text.find("\n", at) + 1 or len(text)
        line = text[at:end].splitlines()
        if len(line) != 1:
            break
        lines.append(line[0])
        at = end
    return lines, at


def fixed_width_columns(body: bytes, fields: list[tuple[str, int]]) -> dict[str, np.ndarray] | None:
    """The columns of a block of vector lines when every line is exactly in the written layout
    (the common case, parsed with numpy in one pass); None otherwise, for the line-by-line reader
    to name the first bad line."""
    digits = [(b + 3) // 4 for _, b in fields]
    line = sum(digits) + len(digits)
    if len(body) % line:
        return None
    rows = np.frombuffer(body, np.uint8).reshape(-1, line)
    ends = np.cumsum(np.array(digits) + 1) - 1  # the separator after each field
    expected = np.full(len(ends), ord(" "), np.uint8)
    expected[-1] = ord("\n")
    if not (rows[:, ends] == expected).all():
        return None
    columns = {}
    for (name, bits), w, end in zip(fields, digits, ends):
        nibbles = _NIBBLE[rows[:, end - w:end]]
        if (nibbles > 15).any():
            return None
        v = np.zeros(len(rows), np.uint64)
        for c in range(w):
            v = (v << np.uint64(4)) | nibbles[:, c]
        if bits < 64 and (v >> np.uint64(bits)).any():
            return None
        columns[name] = v
    return columns


def read_vectors(path) -> VectorSet:
    """Read STEM.txt (the text layout), checking every line; VectorFileError names file and line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise VectorFileError(f"{path}: cannot read: {e.strerror}") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        raise VectorFileError(f"{path}: not an ASCII text vector file (byte {e.start})") from None
    meta: dict[str, str] = {}
    fields = None
    head, at = comment_head(text)  # the header; then the fast reader on the rest
    for lineno, line in enumerate(head, 1):
        fields = _header_line(line, meta, f"{path}:{lineno}") or fields
    columns = fixed_width_columns(data[at:], fields) if fields else None
    vs = VectorSet(meta, fields, columns, len(head) + 1) if columns is not None else _read_lines(path, text)
    count = vs.meta.get("count", "")
    if count.isdigit() and int(count) != vs.count:
        raise VectorFileError(f"{path}: header says count {count} but the file holds {vs.count} vectors (truncated?)")
    return vs


def _read_lines(path: Path, text: str) -> VectorSet:
    """The line-by-line reader: header lines anywhere, the first bad line named in the error."""
    meta: dict[str, str] = {}
    fields = None
    rows: list[tuple[int, str]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            fields = _header_line(line, meta, f"{path}:{lineno}") or fields
        elif fields is None:
            raise VectorFileError(f"{path}:{lineno}: vector line before the '# fields:' header")
        else:
            rows.append((lineno, line))
    if fields is None:
        raise VectorFileError(f"{path}: no '# fields:' header line")
    digits = [(b + 3) // 4 for _, b in fields]
    columns = {n: np.empty(len(rows), np.uint64) for n, _ in fields}
    names = [n for n, _ in fields]
    for i, (lineno, line) in enumerate(rows):
        toks = line.split(" ")
        where = f"{path}:{lineno}"
        if len(toks) != len(fields):
            raise VectorFileError(f"{where}: {len(toks)} fields, expected {len(fields)} ({' '.join(names)})")
        for (name, bits), w, tok in zip(fields, digits, toks):
            columns[name][i] = parse_hex_field(tok, name, bits, where, w)
    return VectorSet(meta, fields, columns, rows[0][0] if rows else 0)
