"""The `refmodel` command: formats, explain, gen, check.

Errors (unknown format, impossible parameters, unwritable output, unusable vector files) print
one line naming the problem and exit with status 2; no partial output file is left behind, also on
Ctrl-C or SIGTERM (exit 130).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import sys
import threading
from pathlib import Path

import numpy as np

from . import __version__
from .encodings import MAX_SR_BITS, OVERFLOW, ROUNDING, STOCHASTIC
from .flex.explain import NAMED as NAMED_FLEX
from .flex.explain import explain_flex, formats_row
from .flex.generate import flex_dot_vectors, flex_quant_vectors
from .formats import Flex, FormatError, Minifloat, Posit, named_formats, named_posits, parse_format
from .kernels.posit import posit_unpack
from .kernels.unpack import FINITE, INF, QNAN, SNAN, ZERO, unpack
from .units.vectors import UnitRequest, generate_unit
from .vectors.check import compare, describe, read_results
from .vectors.coverage import coverage
from .vectors.coverage import report as coverage_report
from .vectors.edge import LEVELS
from .vectors.generate import ALL_OPS, DEFAULT_COUNT, EXACT_OPS, MODES, Request, generate
from .vectors.io import VectorFileError, read_vectors, write_vectors

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MAX_COUNT = 1 << 40  # vectors in one set; beyond int64 sizes numpy and the kernels fail obscurely


class CliError(Exception):
    """A problem with the command's input, reported as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line, like every other error of the command."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"refmodel: error: {message} (see {self.prog} --help)\n")


def _int(text: str) -> int:
    """An integer option: anything outside int64 is refused here, before it overflows a kernel."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
    if not -(1 << 63) <= v < 1 << 63:
        raise argparse.ArgumentTypeError(f"{text} is out of range")
    return v


def _fmt_value(v: float) -> str:
    return f"{v!r} ({v.hex()})" if np.isfinite(v) and v != 0 else repr(v)


def cmd_formats(_args) -> int:
    rows = [("name", "bits", "E/M", "bias", "max", "min normal", "min subnormal", "specials", "what")]
    for name, f, what in named_formats():
        specials = " ".join(f"{k}={v:#x}" for k, v in f.specials().items())
        rows.append((name, str(f.bits), f"{f.exp_bits}/{f.man_bits}", str(f.bias), f"{f.max_value:.6g}",
                     f"{f.min_normal:.6g}", f"{f.min_subnormal:.6g}", specials, what))
    rows += [(*formats_row(name), what) for name, what in NAMED_FLEX]
    _print_table(rows)
    print("\nAny e<E>m<M>[b<BIAS>][fn|fnuz|fnu] (ml_dtypes naming) and any P3109 binary<K>p<P><s|u><e|f> "
          "with K <= 16 is accepted;\naliases: fp16/binary16, bf16/bfloat16, fp32/binary32. Flexpoint "
          "flex<N>+<E>: N-bit mantissas, one E-bit exponent\nper tensor (E/M column: exponent/mantissa widths; "
          "max and min subnormal: at the largest exponent and the smallest step).\n")
    rows = [("name", "n", "es", "maxpos", "minpos", "max fraction bits", "quire bits (carry)", "what")]
    for name, f, what in named_posits():
        q = f.quire()
        rows.append((name, str(f.n), str(f.es), f"2^{f.max_scale}", f"2^-{f.max_scale}", str(f.max_frac_bits),
                     f"{q.bits} ({q.carry_bits})", what))
    _print_table(rows)
    print("\nAny posit<N> (the 2022 standard's posit<N,2>) and posit<N>es<ES> with 2 <= N <= 32, 0 <= ES <= 4 is "
          "accepted;\nspecial codes: 0 = 0, NaR = 1 followed by zeros. Quires: 2022 layout for es = 2, SoftPosit's "
          "otherwise.")
    return 0


def _print_table(rows) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])


def _parse_code(f, text: str) -> int:
    t = text.lower()
    try:
        code = int(t[2:], 2) if t.startswith("0b") else int(t[2:] if t.startswith("0x") else t, 16)
    except ValueError:
        raise CliError(f"code {text!r} is not a hex (or 0b binary) number") from None
    if not 0 <= code < (1 << f.bits):
        raise CliError(f"code {text!r} does not fit the {f.bits}-bit format {f.name}")
    return code


def explain_code(f: Minifloat, code: int) -> str:
    """One line decoding a code field by field."""
    cls, negative, exp, sig = unpack(f.params, code)
    t = f.man_bits
    bits = format(code, f"0{f.bits}b")
    s_bits = bits[0] if f.signed else ""
    e_bits = bits[int(f.signed):int(f.signed) + f.exp_bits]
    m_bits = bits[int(f.signed) + f.exp_bits:]
    parts = [f"{f.name} {code:#0{(f.bits + 3) // 4 + 2}x}"]
    parts.append("= " + "_".join(x for x in (s_bits, e_bits, m_bits) if x))
    if f.signed:
        parts.append(f"sign {'-' if s_bits == '1' else '+'}")
    parts.append(f"exponent {e_bits}")
    if t:
        parts.append(f"mantissa {m_bits}")
    if cls == FINITE:
        subnormal = f.has_subnormals and int(e_bits, 2) == 0
        v = (-1.0 if negative else 1.0) * float(sig) * 2.0**exp
        e_unb = (1 - f.bias) if subnormal else int(e_bits, 2) - f.bias
        parts.append(f"(2^{e_unb})")
        parts.append(f"{'subnormal' if subnormal else 'normal'} {_fmt_value(v)}")
    else:
        names = {ZERO: "-0" if negative else "+0", INF: "-inf" if negative else "+inf",
                 QNAN: "NaN (quiet)" if f.family == "ieee" else "NaN", SNAN: "NaN (signalling)"}
        parts.append(names[cls])
    return "  ".join(parts)


def explain_posit(f: Posit, code: int) -> str:
    """One line decoding a posit code: sign, regime run (k), exponent, fraction, value."""
    n, es = f.n, f.es
    bits = format(code, f"0{n}b")
    head = f"{f.name} {code:#0{(n + 3) // 4 + 2}x}"
    if code == 0:
        return f"{head}  = {bits}  zero"
    if code == f.nar_code:
        return f"{head}  = {bits}  NaR (not a real)"
    negative = code >> (n - 1)
    mag = (-code) & ((1 << n) - 1) if negative else code
    body = format(mag, f"0{n}b")[1:]
    run = len(body) - len(body.lstrip(body[0]))
    regime = body[:min(run + 1, len(body))]
    rest = body[len(regime):]
    e_bits, f_bits = rest[:es], rest[es:]
    _, _, exp, sig = posit_unpack(f.params, code)
    k = run - 1 if body[0] == "1" else -run
    e = int(e_bits.ljust(es, "0"), 2) if es else 0
    v = (-1.0 if negative else 1.0) * float(sig) * 2.0**exp
    fields = "_".join(x for x in (bits[0], regime, e_bits, f_bits) if x)
    parts = [head, f"= {fields}", f"sign {'-' if negative else '+'}"]
    if negative:
        parts.append(f"(two's complement of {mag:#x})")
    parts.append(f"regime {regime} (k={k})")
    if es:
        parts.append(f"exponent {e_bits or '-'}" + (f" (={e})" if len(e_bits) < es else ""))
    parts.append(f"fraction {f_bits or '-'}")
    parts.append(f"(2^{(k << es) + e})  {_fmt_value(v)}")
    return "  ".join(parts)


def cmd_explain(args) -> int:
    f = parse_format(args.fmt)
    if args.exp is not None and not isinstance(f, Flex):
        raise CliError("--exp is the shared exponent of a Flexpoint tensor: only flex formats take it")
    for text in args.codes:
        code = _parse_code(f, text)
        if isinstance(f, Flex):
            print(explain_flex(f, code, args.exp))
        else:
            print((explain_posit if isinstance(f, Posit) else explain_code)(f, code))
    return 0


def gen_command(args, posit: bool = False) -> str:
    """The canonical command line of a generation (written in the manifest)."""
    words = ["refmodel", "gen", args.op, "--fmt", args.fmt]
    if args.acc_fmt is not None:
        words += ["--acc-fmt", args.acc_fmt]
    if args.to is not None:
        words += ["--to", args.to]
    if args.op == "dot":
        words += ["--acc", args.acc, "--length", str(args.length)]
    if args.op in ("dot", "quire_mac"):
        if args.carry_bits is not None:
            words += ["--carry-bits", str(args.carry_bits)]
    if args.op not in EXACT_OPS:
        words += ["--rounding", args.rounding]
        if args.rounding in STOCHASTIC:
            words += ["--sr-bits", str(args.sr_bits)]
        if args.overflow != "ieee" or not posit:
            words += ["--overflow", args.overflow]
    words += ["--mode", args.mode]
    if args.mode == "random":
        words += ["--count", str(args.count)]
    if args.mode == "edge":
        words += ["--level", str(args.level)]
    words += ["--seed", str(args.seed), "--out", str(args.out)]
    return " ".join(shlex.quote(w) for w in words)


PROGRESS_MIN = 1 << 22  # vectors: smaller sets are written too fast for a progress bar to help
FLEX_OPS = ("flex_dot", "flex_quant")
UNIT_OPS = ("dot", "mac", "sr_add")  # on minifloats: the FP MAC, chunked dot products, the SR adder


def unit_command(args) -> str:
    words = ["refmodel", "gen", args.op, "--fmt", args.fmt]
    if args.op != "sr_add":
        words += ["--acc-fmt", args.acc_fmt]
    if args.op == "dot":
        words += ["--length", str(args.length), "--chunk", str(args.chunk)]
        if args.second_fmt:
            words += ["--second-fmt", args.second_fmt]
    if args.op != "sr_add":
        if args.product_fmt:
            words += ["--product-fmt", args.product_fmt]
        if args.align_width is not None:
            words += ["--align-width", str(args.align_width)] + (["--sticky"] if args.sticky else [])
    words += ["--rounding", args.rounding]
    if args.rounding in STOCHASTIC:
        words += ["--sr-bits", str(args.sr_bits), "--lfsr-width", str(args.lfsr_width)]
        if args.lfsr_taps:
            words += ["--lfsr-taps", args.lfsr_taps]
        words += ["--lfsr-seed", str(args.lfsr_seed)]
    words += ["--overflow", args.overflow, "--mode", args.mode]
    if args.mode == "random":
        words += ["--count", str(args.count)]
    words += ["--seed", str(args.seed), "--out", str(args.out)]
    return " ".join(shlex.quote(w) for w in words)


def gen_unit(args, f) -> int:
    """dot, mac and sr_add on minifloats: traces of the hardware unit models (docs/units.md)."""
    if args.to or args.acc or args.carry_bits is not None or args.acc_bits is not None:
        raise CliError(f"{args.op} takes no --to, --acc, --carry-bits or --acc-bits")
    length = 16 if args.length is None else args.length
    req = UnitRequest(args.op, f, args.acc_fmt, length, args.chunk, args.second_fmt, args.product_fmt,
                      args.align_width, args.sticky, args.rounding, args.sr_bits, args.overflow, args.lfsr_width,
                      args.lfsr_taps, args.lfsr_seed, args.mode, args.count, args.seed)
    args.length = req.length
    vs = generate_unit(req)
    return _write(args, vs, unit_command(args), req.parameters(vs.count))


def flex_command(args) -> str:
    words = ["refmodel", "gen", args.op, "--fmt", args.fmt]
    if args.op == "flex_dot":
        words += ["--length", str(args.length)]
    words += ["--rounding", args.rounding]
    if args.rounding == "sr":
        words += ["--sr-bits", str(args.sr_bits)]
    if args.op == "flex_dot":
        if args.acc_bits is not None:
            words += ["--acc-bits", str(args.acc_bits), "--acc-overflow", args.acc_overflow]
        words += ["--stat-group", str(args.stat_group)]
    words += ["--mode", args.mode]
    if args.mode == "random":
        words += ["--count", str(args.count)]
    words += ["--seed", str(args.seed), "--out", str(args.out)]
    return " ".join(shlex.quote(w) for w in words)


def gen_flex(args, f) -> int:
    """flex_dot and flex_quant: the Flexpoint MAC/requantizer and quantizer vectors."""
    if not isinstance(f, Flex):
        raise CliError(f"{args.op} needs a Flexpoint --fmt (flex<N>+<E>), not {f.name}")
    if args.to or args.acc_fmt or args.acc or args.carry_bits is not None or args.overflow != "ieee":
        raise CliError(f"{args.op} takes no --to, --acc-fmt, --acc, --carry-bits or --overflow (it saturates)")
    if args.op == "flex_quant" and (args.length is not None or args.acc_bits is not None):
        raise CliError("flex_quant takes no --length or --acc-bits")
    if args.rounding not in ("rne", "sr"):
        raise CliError(f"Flexpoint rounds with rne or sr, not {args.rounding}")
    length = 16 if args.length is None else args.length
    if args.op == "flex_dot":
        vs = flex_dot_vectors(f, length, args.rounding, args.sr_bits, args.acc_bits, args.acc_overflow,
                              args.mode, args.count, args.seed, args.stat_group)
    else:
        vs = flex_quant_vectors(f, args.rounding, args.sr_bits, args.mode, args.count, args.seed)
    args.length = length
    return _write(args, vs, flex_command(args), dict(vs.meta))


def cmd_gen(args) -> int:
    if not 1 <= args.count <= MAX_COUNT:
        raise CliError(f"--count must be a positive number of vectors up to 2^40, not {args.count}")
    if args.jobs < 1:
        raise CliError(f"--jobs must be at least 1, not {args.jobs}")
    if args.level not in LEVELS or (args.level != 1 and args.mode != "edge"):
        raise CliError(f"--level is 1 or 2, and only with --mode edge (not {args.level} with --mode {args.mode})")
    f = parse_format(args.fmt)
    args.rounding = args.rounding or ("sr" if args.op == "sr_add" else "rne")  # the SR adder's point is sr
    if args.op in FLEX_OPS:
        return gen_flex(args, f)
    if isinstance(f, Flex):
        raise CliError(f"{f.name} is a Flexpoint format: its operations are {', '.join(FLEX_OPS)}")
    unit_options = (args.chunk, args.second_fmt, args.product_fmt, args.align_width, args.sticky, args.lfsr_taps)
    if isinstance(f, Minifloat) and args.op in UNIT_OPS:
        return gen_unit(args, f)
    if any(unit_options):
        raise CliError("--chunk, --second-fmt, --product-fmt, --align-width, --sticky and --lfsr-* are for the "
                       "minifloat unit traces dot, mac and sr_add")
    if args.acc_bits is not None:
        raise CliError("--acc-bits is for flex_dot only")
    if args.to is not None and args.op != "convert":
        raise CliError(f"{args.op} does not take --to (only convert does)")
    if args.acc_fmt is not None and args.op != "fma":
        raise CliError(f"{args.op} does not take --acc-fmt (only fma does)")
    if args.op == "convert" and args.to is None:
        raise CliError("convert needs --to FORMAT (the destination format)")
    out_fmt = parse_format(args.to or args.acc_fmt) if (args.to or args.acc_fmt) else None
    posit = isinstance(f, Posit) or isinstance(out_fmt, Posit)
    if args.op == "dot":
        args.acc = args.acc or "quire"
        if args.acc != "quire":
            raise CliError("a posit dot accumulates in a quire: --acc quire")
        if args.length is None or not 1 <= args.length <= 65536:
            raise CliError(f"dot needs --length in 1..65536, not {args.length}")
    elif args.length is not None or args.acc is not None or (args.carry_bits is not None and args.op != "quire_mac"):
        raise CliError(f"{args.op} does not take --length, --acc or --carry-bits (only dot does)")
    if args.op in ("div", "sqrt", "quire_mac") and not posit:
        raise CliError(f"{args.op} is a posit operation here: use a posit --fmt")
    if args.rounding in STOCHASTIC and not 1 <= args.sr_bits <= MAX_SR_BITS:
        raise CliError(f"--sr-bits must be in 1..{MAX_SR_BITS}, not {args.sr_bits}")
    if args.seed < 0 or args.seed >= 2**56:
        raise CliError(f"--seed must be in 0..2^56-1, not {args.seed}")
    req = Request(args.op, f, args.rounding, args.overflow, args.mode, args.count, args.seed, args.sr_bits,
                  out_fmt, args.length if args.op == "dot" else 0, args.carry_bits, args.level)
    _phase(args, args.count, f"generating {args.op} {f.name} vectors")
    vs = generate(req, jobs=args.jobs)
    _phase(args, vs.count, f"classifying the rounding situations of {vs.count} vectors")
    cov = coverage(args.op, f, out_fmt, vs.columns, jobs=args.jobs)
    return _write(args, vs, gen_command(args, posit), req.parameters(vs.count), cov)


def _show_progress(args, count: int) -> bool:
    return args.progress or (sys.stderr.isatty() and count >= PROGRESS_MIN)


def _phase(args, count: int, text: str) -> None:
    """A phase of a long generation, on stderr before the phase starts (the writing has a bar)."""
    if _show_progress(args, count):
        print(f"{text} ...", file=sys.stderr, flush=True)


class Progress:
    """A progress bar on stderr, redrawn in place (stdout stays clean for the summary line)."""

    WIDTH = 30

    def __init__(self, total: int):
        self.total = total

    def __call__(self, done: int) -> None:
        filled = self.WIDTH * done // max(self.total, 1)
        end = "\n" if done >= self.total else ""
        print(f"\rwriting [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{self.total} vectors",
              end=end, file=sys.stderr, flush=True)


def _write(args, vs, command: str, parameters: dict, cov: dict | None = None) -> int:
    """Write the set's four files (the manifest with the coverage) and say where they went."""
    if args.level != 1 and parameters.get("level") != args.level:  # unit traces and Flexpoint: one edge level
        raise CliError(f"{args.op} on {args.fmt} has one edge level: no --level 2")
    show = _show_progress(args, vs.count)
    paths = write_vectors(Path(args.out), vs, command, parameters, progress=Progress(vs.count) if show else None,
                          jobs=args.jobs, coverage=cov)
    if not args.quiet:
        print(f"{vs.count} vectors -> {', '.join(str(p) for p in paths)}")
    if args.report:
        print(coverage_report(cov) if cov else f"{args.op}: no rounding-situation coverage (not classified)")
    return 0


def cmd_check(args) -> int:
    if args.max_report < 0:
        raise CliError(f"--max-report must be 0 or more, not {args.max_report}")
    golden = read_vectors(args.golden)
    actual = read_results(args.actual, golden)
    report = compare(golden, actual, by_rounding_situation=True)
    for i in report.mismatches[:args.max_report]:
        print(describe(golden, actual, i, args.golden))
    if len(report.mismatches) > args.max_report:
        print(f"... and {len(report.mismatches) - args.max_report} more mismatches")
    rows = [("situation", "vectors", "mismatches", "")]
    rows += [(s, str(t), str(w), "") for s, (t, w) in sorted(report.by_situation.items())]
    _print_table(rows)
    if report.by_rounding_situation:  # the exact situations of docs/vectors.md; a vector may be in several
        rows = [("rounding situation", "vectors", "mismatches", "")]
        rows += [(s, str(t), str(w), "") for s, (t, w) in report.by_rounding_situation.items() if t]
        _print_table(rows)
    verdict = "PASS" if not report.mismatches else "FAIL"
    print(f"{verdict}: {len(report.mismatches)} of {report.checked} vectors mismatch "
          f"(compared {', '.join(report.fields)})")
    return 1 if report.mismatches else 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="refmodel", description="Bit-accurate reference model and golden vectors "
                                "for low-precision deep-learning arithmetic.")
    p.add_argument("--version", action="version", version=f"refmodel {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("formats", help="list the named formats with range and special codes").set_defaults(
        func=cmd_formats)
    ex = sub.add_parser("explain", help="decode codes field by field")
    ex.add_argument("fmt", help="format name, e.g. e4m3fn")
    ex.add_argument("codes", nargs="+", help="codes in hex (0x optional) or 0b binary")
    ex.add_argument("--exp", type=_int, help="Flexpoint: the tensor's shared exponent (shows the value)")
    ex.set_defaults(func=cmd_explain)
    g = sub.add_parser("gen", help="write golden vectors: STEM.txt, .hex, .npz, .json")
    g.add_argument("op", choices=(*ALL_OPS, *FLEX_OPS, "mac", "sr_add"))
    g.add_argument("--fmt", required=True, help="operand format (e.g. e4m3fn)")
    g.add_argument("--acc-fmt", help="fma: format of c and of the result (default: --fmt); dot, mac: accumulator")
    g.add_argument("--to", help="convert: the destination format")
    g.add_argument("--acc", choices=["quire"], help="dot: the accumulator (posits: quire)")
    g.add_argument("--length", type=_int, help="dot: the vector length L (fields a0..a(L-1) b0..b(L-1))")
    g.add_argument("--carry-bits", type=_int, help="posit dot, quire_mac: the quire's carry-guard width")
    g.add_argument("--chunk", type=_int, default=0, help="minifloat dot: products per chunk (0: one chunk)")
    g.add_argument("--second-fmt", help="minifloat dot: the format chunk results accumulate in (default --acc-fmt)")
    g.add_argument("--product-fmt", help="dot, mac: cascaded MAC, the product rounded into this format first")
    g.add_argument("--align-width", type=_int, help="dot, mac: alignment width W (default: exact alignment)")
    g.add_argument("--sticky", action="store_true", help="dot, mac: bits below the window fold into a sticky bit")
    g.add_argument("--lfsr-width", type=_int, default=32, help="stochastic units: LFSR width")
    g.add_argument("--lfsr-taps", help="stochastic units: LFSR taps, e.g. 32,22,2,1 (default: maximal taps)")
    g.add_argument("--lfsr-seed", type=_int, default=1, help="stochastic units: LFSR seed (nonzero)")
    g.add_argument("--acc-bits", type=_int, help="flex_dot: accumulator width in bits (default: exact)")
    g.add_argument("--acc-overflow", default="wrap", choices=["wrap", "sat"], help="flex_dot: narrow accumulator")
    g.add_argument("--stat-group", type=_int, default=8, help="flex_dot: vectors per max|m| statistic window")
    g.add_argument("--rounding", choices=list(ROUNDING), help="rounding mode (default rne; sr_add: sr)")
    g.add_argument("--sr-bits", type=_int, default=8, help="random bits for stochastic rounding (1..32)")
    g.add_argument("--overflow", default="ieee", choices=list(OVERFLOW))
    g.add_argument("--mode", default="random", choices=MODES)
    g.add_argument("--level", type=_int, default=1, help="--mode edge: TestFloat-style level 1 or 2 (larger)")
    g.add_argument("--count", type=_int, default=DEFAULT_COUNT, help="vectors for --mode random (dot: also edge)")
    g.add_argument("--seed", type=_int, default=1)
    g.add_argument("--out", required=True, help="output stem: writes STEM.txt, .hex, .npz, .json")
    g.add_argument("--jobs", type=_int, default=os.cpu_count() or 1,
                   help="threads generating the vectors and writing the text, hex and npz files in parallel "
                        "(default: all cores; the files are the same for any value)")
    g.add_argument("--progress", action="store_true",
                   help="show a progress bar on stderr (default: when stderr is a terminal and the set is large)")
    g.add_argument("-q", "--quiet", action="store_true")
    g.add_argument("--report", action="store_true", help="print the rounding-situation coverage table to stdout")
    g.set_defaults(func=cmd_gen)
    c = sub.add_parser("check", help="compare results from a simulation or chip against golden vectors")
    c.add_argument("golden", help="the golden vector file (STEM.txt)")
    c.add_argument("actual", help="results: the same text layout, or one line per vector of result fields "
                                  "(z, or z flags, ...) in hex")
    c.add_argument("--max-report", type=_int, default=20, help="mismatches printed in full (default 20)")
    c.set_defaults(func=cmd_check)
    return p


def _terminate(_signum, _frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM cleans up like Ctrl-C (temporary files are deleted); the caller's handler comes back
    afterwards. Only the main thread may set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with _sigterm_as_interrupt():
            return args.func(args)
    except (CliError, FormatError, VectorFileError, ValueError, OSError) as e:
        msg = f"{e.filename}: {e.strerror}" if isinstance(e, OSError) and e.strerror and e.filename else str(e)
        print(f"refmodel: error: {msg}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("refmodel: error: out of memory (fewer vectors: a smaller --count or --length?)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("refmodel: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
