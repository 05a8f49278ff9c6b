"""The configurations of the sequential-unit regression (fp_mac and lfsr), and the bank that builds
them all at once.

A MAC configuration names the model (refmodel.units.fp_mac.FpMac or ChunkedMac with its options) and
the matching fp_mac parameters; an LFSR configuration the model (refmodel.units.lfsr.Lfsr) and the
lfsr parameters. `bank_verilog` writes fp_mac_bank.v: one hdl/fp_mac_lanes.v instance per MAC
configuration (ports c<k>_*) and one rtl/common/lfsr.v per LFSR configuration (ports l<k>_*), sharing
the reset, the rounding mode and the overflow policy, so that each simulator builds every configuration
once (a Verilator C++ build costs tens of seconds). Each configuration has its own clock (c<k>_clk_i,
l<k>_clk_i): the testbench clocks only the one under test, so the simulators never evaluate the idle
ones (Verilator recomputes everything a clock edge triggers). Used by test_fp_mac_runner.py
(pytest side) and test_fp_mac.py, test_lfsr.py (cocotb side).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from refmodel.formats import parse_format
from refmodel.units.lfsr import Lfsr

_NAN_STYLE = {"ieee": 0, "fn": 1, "fnuz": 2, "p3109": 4}


@dataclass(frozen=True)
class MacSetup:
    """One fp_mac configuration: the model's options and what the RTL is built with."""

    name: str
    in_fmt: str
    acc_fmt: str
    product_fmt: str | None = None  # cascaded
    chunked: bool = False  # ChunkedMac (else FpMac)
    chunk: int = 0
    second_fmt: str | None = None  # default acc_fmt
    align_width: int | None = None  # None: exact
    sticky: bool = False
    sr_bits: int = 8
    use_lfsr: bool = False  # the random integers from the internal LFSR (else from the ports)
    lfsr_width: int = 32
    lfsr_taps: tuple[int, ...] | None = None  # None: the maximal taps of the width
    lfsr_seed: int = 1

    @property
    def second(self) -> str:
        return self.second_fmt or self.acc_fmt

    @property
    def lfsr_mask(self) -> int:
        return Lfsr(self.lfsr_width, self.lfsr_taps).mask

    def prng(self, seed: int | None = None) -> Lfsr:
        return Lfsr(self.lfsr_width, self.lfsr_taps, self.lfsr_seed if seed is None else seed)

    def options(self, rounding: str, overflow: str) -> dict:
        """MacConfig options of the model."""
        return {"rounding": rounding, "overflow": overflow, "sr_bits": self.sr_bits, "product_fmt": self.product_fmt,
                "align_width": self.align_width, "sticky": self.sticky}

    def widths(self) -> dict[str, int]:
        return {"in": parse_format(self.in_fmt).bits, "acc": parse_format(self.acc_fmt).bits,
                "sec": parse_format(self.second).bits, "sr": self.sr_bits, "lfsr": self.lfsr_width}

    def rtl_params(self) -> dict[str, int]:
        p: dict[str, int] = {}
        for prefix, fmt in (("IN", self.in_fmt), ("ACC", self.acc_fmt), ("PROD", self.product_fmt or self.acc_fmt),
                            ("SEC", self.second)):
            p.update({f"{prefix}_{k}": v for k, v in format_params(fmt).items()})
        p.update(CASCADE=int(self.product_fmt is not None), CHUNKED=int(self.chunked), CHUNK=self.chunk,
                 ALIGN_W=self.align_width or 0, STICKY=int(self.sticky), SR_BITS=self.sr_bits,
                 USE_LFSR=int(self.use_lfsr), LFSR_WIDTH=self.lfsr_width,
                 LFSR_TAPS=self.lfsr_mask if self.lfsr_taps is not None else 0, LFSR_SEED=self.lfsr_seed)
        return p

    def to_dict(self) -> dict:
        return asdict(self)


def format_params(fmt: str) -> dict[str, int]:
    """EXP_W, MAN_W, BIAS, NAN_STYLE, HAS_INF of a format (the signed families fp_mac supports)."""
    f = parse_format(fmt)
    if f.family not in _NAN_STYLE or not f.signed:
        raise ValueError(f"fp_mac has no parameter set for {fmt} ({f.family})")
    return {"EXP_W": f.exp_bits, "MAN_W": f.man_bits, "BIAS": f.bias,
            "NAN_STYLE": _NAN_STYLE[f.family] if f.has_nan else 3, "HAS_INF": int(f.has_inf)}


# The regression's configurations (docs/units.md): every branch of fp_mac at least once.
SETUPS = (
    # FpMac-style traces (last never set) and IBM chunked dots on one two-level unit whose random bits
    # come from the default 32-bit LFSR: the golden mac and stochastic dot sets replay on it.
    MacSetup("e4m3fn_fp16_lfsr", "e4m3fn", "fp16", chunked=True, chunk=0, use_lfsr=True),
    # single level, limited alignment with a sticky bit (golden mac edge set)
    MacSetup("e5m2_fp32_w24s", "e5m2", "fp32", align_width=24, sticky=True),
    # single level, FNUZ operands into a P3109 accumulator, a truncating 12-bit window
    MacSetup("e5m2fnuz_b16p11se_w12t", "e5m2fnuz", "binary16p11se", align_width=12, sticky=False),
    # IBM's chunk-based accumulation: chunks of 64 in e6m9 (golden chunked dot set)
    MacSetup("e5m2_e6m9_chunk64", "e5m2", "e6m9", chunked=True, chunk=64),
    # cascaded (products rounded into bf16) into fp16, chunks of 16 into fp32, three LFSR draws a cycle
    MacSetup("e4m3fn_bf16c_fp16_chunk16_fp32_lfsr24", "e4m3fn", "fp16", product_fmt="bf16", chunked=True, chunk=16,
             second_fmt="fp32", sr_bits=12, use_lfsr=True, lfsr_width=24, lfsr_seed=0xACE1),
)
BY_NAME = {s.name: s for s in SETUPS}

_IN_PORTS = ("in_valid_i", "clear_i", "last_i", "lfsr_load_i", "a_i", "b_i", "rand_prod_i", "rand_i", "rand_sum_i",
             "lfsr_seed_i")
_OUT_PORTS = ("acc_o", "total_o", "flags_o", "out_valid_o", "lfsr_o")


def _port_widths(s: MacSetup, lanes: int) -> dict[str, int]:
    w = s.widths()
    return {"in_valid_i": lanes, "clear_i": lanes, "last_i": lanes, "lfsr_load_i": lanes, "a_i": lanes * w["in"],
            "b_i": lanes * w["in"], "rand_prod_i": lanes * w["sr"], "rand_i": lanes * w["sr"],
            "rand_sum_i": lanes * w["sr"], "lfsr_seed_i": lanes * w["lfsr"], "acc_o": lanes * w["acc"],
            "total_o": lanes * w["sec"], "flags_o": lanes * 8, "out_valid_o": lanes, "lfsr_o": lanes * w["lfsr"]}


@dataclass(frozen=True)
class LfsrSetup:
    """One lfsr configuration (rtl/common/lfsr.v) and its model."""

    name: str
    width: int = 32
    taps: tuple[int, ...] | None = None  # None: the maximal taps of the width (TAPS = 0)
    seed: int = 1
    steps: int = 1  # STEPS: the most steps per clock
    rand_w: int = 8  # RAND_W

    def prng(self, seed: int | None = None) -> Lfsr:
        return Lfsr(self.width, self.taps, self.seed if seed is None else seed)

    def rtl_params(self) -> dict[str, int]:
        return {"WIDTH": self.width, "TAPS": 0 if self.taps is None else self.prng().mask, "SEED": self.seed,
                "STEPS": self.steps, "RAND_W": self.rand_w}

    def ports(self) -> dict[str, tuple[str, int]]:
        """port -> (direction, width)"""
        return {"load_i": ("input", 1), "load_state_i": ("input", self.width),
                "step_i": ("input", max(1, (self.steps).bit_length())), "state_o": ("output", self.width),
                "ahead_o": ("output", self.steps * self.width), "rand_o": ("output", self.steps * self.rand_w)}

    def to_dict(self) -> dict:
        return asdict(self)


LFSR_SETUPS = (
    LfsrSetup("w32_default"),  # the model's default: 32 bits, taps 32,22,2,1, seed 1, one step, 8 bits
    LfsrSetup("w16_steps3", width=16, seed=0xACE1, steps=3, rand_w=12),
    LfsrSetup("w12", width=12, seed=0x5A5, rand_w=4),
    LfsrSetup("w7_taps7_1_steps2", width=7, taps=(7, 1), seed=0x55, steps=2, rand_w=3),
    LfsrSetup("w24_taps24_23_21_20", width=24, taps=(24, 23, 21, 20), seed=0xABCDEF, rand_w=24),
    LfsrSetup("w2", width=2, seed=3, rand_w=1),
)
LFSR_BY_NAME = {s.name: s for s in LFSR_SETUPS}


def bank_verilog(setups, lanes: int, lfsr_setups=()) -> str:
    """fp_mac_bank.v: every MAC configuration's fp_mac_lanes behind ports c<k>_<port>, every LFSR
    configuration's lfsr behind ports l<k>_<port>."""
    ports = ["    input  wire rst_ni", "    input  wire [2:0] rm_i", "    input  wire [1:0] ovf_i"]
    body = []
    for k, s in enumerate(setups):
        widths = _port_widths(s, lanes)
        ports.append(f"    input  wire c{k}_clk_i")
        for name in (*_IN_PORTS, *_OUT_PORTS):
            direction = "input " if name in _IN_PORTS else "output"
            ports.append(f"    {direction} wire [{widths[name] - 1}:0] c{k}_{name}")
        params = ", ".join(f".{key}({value})" for key, value in {"LANES": lanes, **s.rtl_params()}.items())
        conns = ",\n".join(f"        .{name}(c{k}_{name})" for name in (*_IN_PORTS, *_OUT_PORTS))
        body.append(f"    // c{k}: {s.name}\n    fp_mac_lanes #({params}) u_c{k} (\n"
                    f"        .clk_i(c{k}_clk_i), .rst_ni(rst_ni), .rm_i(rm_i), .ovf_i(ovf_i),\n{conns}\n    );\n")
    for k, s in enumerate(lfsr_setups):
        ports.append(f"    input  wire l{k}_clk_i")
        for name, (direction, width) in s.ports().items():
            ports.append(f"    {direction:6s} wire [{width - 1}:0] l{k}_{name}")
        params = ", ".join(f".{key}({value})" for key, value in s.rtl_params().items())
        conns = ",\n".join(f"        .{name}(l{k}_{name})" for name in s.ports())
        body.append(f"    // l{k}: {s.name}\n    lfsr #({params}) u_l{k} (\n"
                    f"        .clk_i(l{k}_clk_i), .rst_ni(rst_ni),\n{conns}\n    );\n")
    names = ", ".join(s.name for s in setups)
    lnames = ", ".join(s.name for s in lfsr_setups) or "none"
    return ("// fp_mac_bank: generated by cocotb_tests/mac_bank.py (testbench only): one fp_mac_lanes per\n"
            f"// MAC configuration ({names}), {lanes} lanes each, ports c<k>_<fp_mac_lanes port>; one lfsr per\n"
            f"// LFSR configuration ({lnames}), ports l<k>_<lfsr port>; one clock per configuration.\n"
            "// Latency: 1, as fp_mac.\n\n`default_nettype none\n\nmodule fp_mac_bank (\n" + ",\n".join(ports) +
            "\n);\n\n" + "\n".join(body) + "\nendmodule\n\n`default_nettype wire\n")
