// fp_add: combinational minifloat adder/subtractor, z = round(a + b) or round(a - b), one rounding,
// bit-exact to refmodel.ops.add and refmodel.ops.sub (the golden model; contract: docs/numerics.md).
//
// What it computes:
//   Both codes are unpacked and normalised (fp_unpack); b's sign is flipped when sub_i = 1; the
//   exact sum is formed in an adder wide enough that its rounding equals that of the exact sum in
//   every mode (fp_sum with ALIGN_W = 0: max(P, P + SR_BITS) bits below the larger operand's leading
//   bit, the smaller operand's lost bits jammed into a sticky bit), normalised, and rounded ONCE
//   (fp_round: exponent unbounded during rounding, overflow judged on the rounded magnitude,
//   tininess after rounding).
//   Specials: a NaN operand gives the canonical NaN (NV if it is signalling); Inf - Inf gives the
//   canonical NaN with NV; Inf +- finite gives that Inf (+-max under the `sat` policy, no flags); an
//   exact zero sum of opposite signs (x - x, (+0) + (-0)) is +0, -0 under rdn; (-0) + (-0) = -0;
//   FNUZ and P3109 have only +0. Overflow by policy as fp_mul (ieee: Inf, else NaN for FN/FNUZ, else
//   max; toward-zero directed modes and sat give max; rod picks the odd-coded one of max and the
//   overflow value).
//
// Parameters (override by name only; as in rtl/fp/fp_mul.v):
//   EXP_W     exponent field width w, >= 2.
//   MAN_W     trailing significand width t, >= 1 (precision P = MAN_W + 1).
//   BIAS      exponent bias (e4m3fn 7, e5m2 15, e5m2fnuz 16, binary8p3se 16).
//   NAN_STYLE format family, `FP_NAN_* of fp_defs.vh: 0 IEEE-like, 1 FN, 2 FNUZ, 3 NONE, 4 P3109
//             signed (one zero, NaN at 1.0..0).
//   HAS_INF   1 if the format has infinities: IEEE-like (NAN_STYLE 0) and P3109 extended (`se`,
//             NAN_STYLE 4); 0 for FN, FNUZ, NONE and P3109 finite (`sf`).
//   SR_BITS   N, random bits per stochastic rounding, >= 1. A DUT built with N bits and driven with
//             R << (N - K) rounds exactly as one built with K <= N bits and driven with R.
//
// Ports (W = 1 + EXP_W + MAN_W; the sign is the MSB):
//   a_i     [W-1:0]        operand a.
//   b_i     [W-1:0]        operand b.
//   sub_i                  1: z = a - b; 0: z = a + b.
//   rm_i    [2:0]          rounding mode, `FP_RM_*: 0 rne, 1 rtz, 2 rdn, 3 rup, 4 rna, 5 rod, 6 sr
//                          (P3109 StochasticA); 7 acts as rne.
//   ovf_i   [1:0]          overflow policy, `FP_OVF_*: 0 ieee, 1 sat, 2 sat_propagate; 3 acts as ieee.
//   rand_i  [SR_BITS-1:0]  R, the random integer for sr (ignored by the other modes).
//   z_o     [W-1:0]        the result code.
//   flags_o [4:0]          {NV, DZ, OF, UF, NX}; DZ is 0.
//
// Latency: 0 (purely combinational; no clock, no reset). Register around it as needed.
//
// Submodules: fp_unpack (x2), fp_sum -> fp_pack -> fp_round (the shared rounding engine).

`ifndef FP_ADD_V
`define FP_ADD_V

`include "../fp/fp_unpack.v"
`include "../fp/fp_sum.v"
`default_nettype none
`include "fp_defs.vh"

module fp_add #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = `FP_NAN_FN,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8
) (
    input  wire [EXP_W+MAN_W:0]   a_i,
    input  wire [EXP_W+MAN_W:0]   b_i,
    input  wire                   sub_i,
    input  wire [`FP_RM_W-1:0]    rm_i,
    input  wire [`FP_OVF_W-1:0]   ovf_i,
    input  wire [SR_BITS-1:0]     rand_i,
    output wire [EXP_W+MAN_W:0]   z_o,
    output wire [`FP_FLAGS_W-1:0] flags_o
);

    localparam integer P  = MAN_W + 1;
    localparam integer EW = `FP_EW(EXP_W);

    wire                 sa, na, sna, ia, za, sb, nb, snb, ib, zb;
    wire signed [EW-1:0] ea, eb;
    wire [P-1:0]         ma, mb;

    fp_unpack #(.EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF), .EW(EW))
        u_unpack_a (.code_i(a_i), .sign_o(sa), .nan_o(na), .snan_o(sna), .inf_o(ia), .zero_o(za),
                    .exp_o(ea), .sig_o(ma));
    fp_unpack #(.EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF), .EW(EW))
        u_unpack_b (.code_i(b_i), .sign_o(sb), .nan_o(nb), .snan_o(snb), .inf_o(ib), .zero_o(zb),
                    .exp_o(eb), .sig_o(mb));

    fp_sum #(
        .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF),
        .SR_BITS(SR_BITS), .XS(P), .YS(P), .EW(EW), .ALIGN_W(0), .STICKY(1)
    ) u_sum (
        .x_sign_i(sa), .x_nan_i(na), .x_nv_i(sna), .x_inf_i(ia), .x_zero_i(za), .x_exp_i(ea), .x_sig_i(ma),
        .y_sign_i(sb ^ sub_i), .y_nan_i(nb), .y_nv_i(snb), .y_inf_i(ib), .y_zero_i(zb), .y_exp_i(eb),
        .y_sig_i(mb),
        .rm_i(rm_i), .ovf_i(ovf_i), .rand_i(rand_i), .z_o(z_o), .flags_o(flags_o)
    );

endmodule

`default_nettype wire

`endif  // FP_ADD_V
