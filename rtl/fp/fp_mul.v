// fp_mul: combinational minifloat multiplier, z = round(a * b), one rounding, bit-exact to refmodel.
//
// What it computes (the contract is docs/numerics.md; refmodel's `mul` is the golden model):
//   The exact product of the two significands (fp_mul_exact: unpack, integer multiply of
//   2*(MAN_W+1) bits, normalise) is rounded ONCE in the selected mode and packed by the shared
//   rounding engine (fp_pack -> fp_round, as fp_add and fp_mac): exponent unbounded during rounding,
//   overflow judged on the rounded magnitude, below emin the subnormal quantum, tininess detected
//   AFTER rounding; the discarded fraction is kept exactly (its top SR_BITS bits feed stochastic
//   rounding).
//   Specials: a NaN operand gives the canonical NaN (NV if it is signalling); 0 * Inf gives the
//   canonical NaN with NV; Inf * nonzero gives Inf with the xor sign (clamped to +-max under the
//   `sat` policy, no flags); 0 * finite gives an exact zero with the xor sign (+0 only in FNUZ and
//   P3109). NaN results carry no payload: IEEE-like 0.1..1.10..0, FN 0.1..1.1..1, FNUZ and P3109
//   1.0..0.
//
// Parameters (override by name only):
//   EXP_W     exponent field width w, >= 2.
//   MAN_W     trailing significand width t, >= 1 (precision P = MAN_W + 1).
//   BIAS      exponent bias, >= 0 (e4m3fn 7, e5m2 15, e4m3fnuz 8, e4m3b11fnuz 11, binary8p3se 16).
//   NAN_STYLE format family, `FP_NAN_* of rtl/common/fp_defs.vh:
//             0 IEEE-like (Inf, NaNs, sNaN when the top trailing bit is 0), 1 FN (no Inf, NaN only at
//             S.1..1.1..1), 2 FNUZ (no Inf, no -0, NaN only at 1.0..0), 3 NONE (no Inf, no NaN),
//             4 P3109 signed (one zero, NaN at 1.0..0).
//   HAS_INF   1 if the format has infinities: IEEE-like (NAN_STYLE 0) and P3109 extended (`se`,
//             NAN_STYLE 4); 0 for FN, FNUZ, NONE and P3109 finite (`sf`).
//   SR_BITS   N, the number of random bits per stochastic rounding, >= 1. A DUT built with N bits and
//             driven with R << (N - K) rounds exactly as one built with K <= N bits and driven with R.
//
// Ports (W = 1 + EXP_W + MAN_W; the sign is the MSB):
//   a_i     [W-1:0]        operand a, a code of the format.
//   b_i     [W-1:0]        operand b.
//   rm_i    [2:0]          rounding mode, `FP_RM_*: 0 rne, 1 rtz, 2 rdn, 3 rup, 4 rna, 5 rod,
//                          6 sr (P3109 StochasticA: away iff floor(nu*2^N) + R >= 2^N); 7 acts as rne.
//   ovf_i   [1:0]          overflow policy, `FP_OVF_*: 0 ieee, 1 sat, 2 sat_propagate; 3 acts as ieee.
//   rand_i  [SR_BITS-1:0]  R, the random integer for sr (ignored by the other modes).
//   z_o     [W-1:0]        the result code.
//   flags_o [4:0]          exception flags {NV, DZ, OF, UF, NX} (NV = bit 4 ... NX = bit 0); DZ is 0.
//
// Latency: 0 (purely combinational; no clock, no reset). Register around it as needed.
//
// Submodules: fp_mul_exact (fp_unpack x2, multiply) -> fp_pack -> fp_round.

`ifndef FP_MUL_V
`define FP_MUL_V

`include "../fp/fp_mul_exact.v"
`include "../fp/fp_pack.v"
`default_nettype none
`include "fp_defs.vh"

module fp_mul #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = `FP_NAN_FN,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8
) (
    input  wire [EXP_W+MAN_W:0]   a_i,
    input  wire [EXP_W+MAN_W:0]   b_i,
    input  wire [`FP_RM_W-1:0]    rm_i,
    input  wire [`FP_OVF_W-1:0]   ovf_i,
    input  wire [SR_BITS-1:0]     rand_i,
    output wire [EXP_W+MAN_W:0]   z_o,
    output wire [`FP_FLAGS_W-1:0] flags_o
);

    localparam integer PP = 2 * (MAN_W + 1);
    localparam integer EW = `FP_EW(EXP_W);

    wire                 sign, nan, nv, inf, zero;
    wire signed [EW-1:0] exp;
    wire [PP-1:0]        sig;

    fp_mul_exact #(.EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF), .EW(EW))
        u_prod (.a_i(a_i), .b_i(b_i), .sign_o(sign), .nan_o(nan), .nv_o(nv), .inf_o(inf), .zero_o(zero),
                .exp_o(exp), .sig_o(sig));

    fp_pack #(
        .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF),
        .SR_BITS(SR_BITS), .SIG_W(PP), .EW(EW)
    ) u_pack (
        .nan_i(nan), .nv_i(nv), .inf_i(inf), .zero_i(zero), .sign_i(sign), .exp_i(exp), .sig_i(sig),
        .sticky_i(1'b0), .rm_i(rm_i), .ovf_i(ovf_i), .rand_i(rand_i), .z_o(z_o), .flags_o(flags_o)
    );

endmodule

`default_nettype wire

`endif  // FP_MUL_V
