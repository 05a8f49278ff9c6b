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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__

CHUNK = 1 << 20  # vectors formatted per numpy batch
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_META = re.compile(r"(\w+): (\S+)")
_FIELD = re.compile(r"([a-z][a-z0-9_]*):(\d+)")


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


def _hex_digits(values: np.ndarray, digits: int) -> np.ndarray:
    """(n, digits) array of ASCII hex characters, most significant first."""
    v = values.astype(np.uint64)
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return _HEX[((v[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.intp)]


def _concat_bits(vs: VectorSet, lo: int, hi: int) -> np.ndarray:
    """(n, total_bits) bit matrix of the fields concatenated MSB first."""
    parts = []
    for name, bits in vs.fields:
        col = vs.columns[name][lo:hi].astype(">u8")
        bitmat = np.unpackbits(col.view(np.uint8).reshape(-1, 8), axis=1)
        parts.append(bitmat[:, 64 - bits:])
    return np.hstack(parts)


def format_text_lines(vs: VectorSet, lo: int, hi: int) -> bytes:
    cols = []
    for i, (name, bits) in enumerate(vs.fields):
        cols.append(_hex_digits(vs.columns[name][lo:hi], (bits + 3) // 4))
        sep = b"\n" if i == len(vs.fields) - 1 else b" "
        cols.append(np.full((hi - lo, 1), sep[0], np.uint8))
    return np.hstack(cols).tobytes()


def format_hex_lines(vs: VectorSet, lo: int, hi: int) -> bytes:
    bitmat = _concat_bits(vs, lo, hi)
    total = bitmat.shape[1]
    pad = (-total) % 4
    if pad:
        bitmat = np.hstack([np.zeros((hi - lo, pad), np.uint8), bitmat])
    nib = bitmat.reshape(hi - lo, -1, 4) @ np.array([8, 4, 2, 1], np.uint8)
    chars = _HEX[nib.astype(np.intp)]
    return np.hstack([chars, np.full((hi - lo, 1), ord("\n"), np.uint8)]).tobytes()


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
        self.pending.append((tmp, path))
        return open(tmp, "wb")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            for tmp, path in self.pending:
                os.replace(tmp, path)
        else:
            for tmp, _ in self.pending:
                tmp.unlink(missing_ok=True)
        return False


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_vectors(stem, vs: VectorSet, command: str, parameters: dict, progress=None) -> list[Path]:
    """Write STEM.txt, .hex, .npz and .json; return their paths. progress(n_done) is called per chunk."""
    stem = Path(stem)
    if not stem.parent.is_dir():
        raise OSError(f"output directory {str(stem.parent)!r} does not exist")
    for name, bits in vs.fields:
        col = vs.columns[name]
        if len(col) != vs.count:
            raise ValueError(f"field {name}: {len(col)} values for {vs.count} vectors")
        if bits < 64 and col.size and int(col.max()) >> bits:
            raise ValueError(f"field {name}: value {int(col.max()):#x} does not fit in {bits} bits")
    paths = {ext: stem.with_name(stem.name + "." + ext) for ext in ("txt", "hex", "npz", "json")}
    n = vs.count
    with _AtomicFiles() as files:
        with files.open(paths["txt"]) as txt, files.open(paths["hex"]) as hexf:
            txt.write(header_lines(vs).encode())
            for lo in range(0, n, CHUNK):
                hi = min(n, lo + CHUNK)
                txt.write(format_text_lines(vs, lo, hi))
                hexf.write(format_hex_lines(vs, lo, hi))
                if progress:
                    progress(hi)
        with files.open(paths["npz"]) as npz:
            npz.write(_npz_bytes(vs))
        hashes = {ext: {"file": paths[ext].name, "sha256": _sha256(files.tmp_path(paths[ext]))}
                  for ext in ("txt", "hex", "npz")}
        manifest = {
            "refmodel_version": __version__,
            "command": command,
            "parameters": parameters,
            "fields": vs.layout(),
            "hex_word_bits": sum(b for _, b in vs.fields),
            "count": n,
            "files": hashes,
        }
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
    with open(path, encoding="ascii", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.startswith("#"):
                break
            fields = _header_line(line, meta, f"{path}:{lineno}") or fields
    if fields is None:
        raise VectorFileError(f"{path}: no '# fields:' header line")
    return meta, fields


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
    rows: list[str] = []
    first_row = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            fields = _header_line(line, meta, f"{path}:{lineno}") or fields
            continue
        if fields is None:
            raise VectorFileError(f"{path}:{lineno}: vector line before the '# fields:' header")
        if not rows:
            first_row = lineno
        rows.append(line)
    if fields is None:
        raise VectorFileError(f"{path}: no '# fields:' header line")
    widths = [(b + 3) // 4 for _, b in fields]
    columns = {n: np.empty(len(rows), np.uint64) for n, _ in fields}
    names = [n for n, _ in fields]
    for i, line in enumerate(rows):
        toks = line.split(" ")
        where = f"{path}:{first_row + i}"
        if len(toks) != len(fields):
            raise VectorFileError(f"{where}: {len(toks)} fields, expected {len(fields)} ({' '.join(names)})")
        for (name, bits), w, tok in zip(fields, widths, toks):
            if len(tok) != w:
                raise VectorFileError(f"{where}: field {name} is {tok!r}, expected {w} hex digits")
            try:
                v = int(tok, 16)
            except ValueError:
                raise VectorFileError(f"{where}: field {name} is {tok!r}, not hexadecimal") from None
            if not all(c in "0123456789abcdefABCDEF" for c in tok):
                raise VectorFileError(f"{where}: field {name} is {tok!r}, not hexadecimal")
            if v >> bits:
                raise VectorFileError(f"{where}: field {name} = {tok} does not fit in {bits} bits")
            columns[name][i] = v
    if "count" in meta and meta["count"].isdigit() and int(meta["count"]) != len(rows):
        raise VectorFileError(f"{path}: header says count {meta['count']} but the file holds {len(rows)} vectors"
                              " (truncated?)")
    return VectorSet(meta, fields, columns, first_row)
