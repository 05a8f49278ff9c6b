// posit_mul: combinational posit<N,ES> multiplier, z = round(a * b), one rounding, bit-exact to
// refmodel (refmodel.posits.mul; docs/posits.md).
//
// What it computes:
//   Both operands are decoded (posit_decode); the exact product of the two significands (1.fa)(1.fb),
//   an integer multiply of 2 (FW+1) bits, is normalised by at most one place and handed with its
//   scale sa + sb (+1) and no sticky to posit_encode, which rounds it once (rne, or sr with the value
//   fraction) and saturates to +-maxpos / +-minpos, never 0 or NaR. NaR times anything is NaR (NaR * 0
//   too); otherwise a zero operand gives 0.
//
// Parameters (override by name only):
//   N        code width, 3 <= N <= 32.
//   ES       exponent field width, 0 <= ES <= 4.
//   SR_BITS  N_sr, the random bits per stochastic rounding, >= 1. A DUT built with N_sr bits and driven
//            with R << (N_sr - K) rounds exactly as one built with K <= N_sr bits and driven with R.
//
// Ports:
//   a_i     [N-1:0]        operand a, a posit code.
//   b_i     [N-1:0]        operand b.
//   rm_i    [2:0]          rounding mode, `FP_RM_* of rtl/common/fp_defs.vh: 6 sr (P3109 StochasticA on
//                          the magnitude, value fraction); 0 rne, every other code acts as rne.
//   rand_i  [SR_BITS-1:0]  R, the random integer of sr (ignored in rne).
//   z_o     [N-1:0]        the result code.
//
// Latency: 0 (purely combinational; no clock, no reset). Register around it as needed.

`ifndef POSIT_MUL_V
`define POSIT_MUL_V

// The submodules come in through -I rtl/common (the lint and build include path), guarded so
// that listing their files as sources too is harmless.
`include "../posit/posit_lzc.v"
`include "../posit/posit_decode.v"
`include "../posit/posit_encode.v"
`default_nettype none
`include "fp_defs.vh"
`include "posit_defs.vh"

module posit_mul #(
    parameter integer N       = 16,
    parameter integer ES      = 1,
    parameter integer SR_BITS = 8
) (
    input  wire [N-1:0]          a_i,
    input  wire [N-1:0]          b_i,
    input  wire [`FP_RM_W-1:0]   rm_i,
    input  wire [SR_BITS-1:0]    rand_i,
    output wire [N-1:0]          z_o
);

    localparam integer SW  = `POSIT_SW(N,ES);
    localparam integer FW  = `POSIT_FW(N,ES);
    localparam integer P   = FW + 1;                  // significand width 1.f
    localparam integer PW  = 2 * P;                   // exact product
    localparam integer FI  = PW - 1;                  // fraction bits below the product's leading one
    localparam integer SIW = SW + 1;                  // product scale: sa + sb + 1

    // ------------------------------------------------------------------------------------------
    // Decode
    // ------------------------------------------------------------------------------------------
    wire                 sa, sb, nar_a, nar_b, zero_a, zero_b;
    wire signed [SW-1:0] ea, eb;
    wire [FW-1:0]        fa, fb;

    posit_decode #(.N(N), .ES(ES)) u_dec_a (
        .code_i(a_i), .sign_o(sa), .nar_o(nar_a), .zero_o(zero_a), .scale_o(ea), .frac_o(fa));
    posit_decode #(.N(N), .ES(ES)) u_dec_b (
        .code_i(b_i), .sign_o(sb), .nar_o(nar_b), .zero_o(zero_b), .scale_o(eb), .frac_o(fb));

    // ------------------------------------------------------------------------------------------
    // Exact product in [1, 4), normalised to [1, 2)
    // ------------------------------------------------------------------------------------------
    wire [PW-1:0] prod = {{P{1'b0}}, 1'b1, fa} * {{P{1'b0}}, 1'b1, fb};
    wire          top  = prod[PW-1];
    wire [FI-1:0] frac = top ? prod[PW-2:0] : {prod[PW-3:0], 1'b0};
    wire signed [SIW-1:0] scale = $signed({ea[SW-1], ea}) + $signed({eb[SW-1], eb})
                                + $signed({{(SIW-1){1'b0}}, top});

    posit_encode #(.N(N), .ES(ES), .FI(FI), .SIW(SIW), .SR_BITS(SR_BITS)) u_enc (
        .sign_i  (sa ^ sb),
        .nar_i   (nar_a | nar_b),
        .zero_i  (zero_a | zero_b),
        .scale_i (scale),
        .frac_i  (frac),
        .sticky_i(1'b0),
        .rm_i    (rm_i),
        .rand_i  (rand_i),
        .z_o     (z_o)
    );

endmodule

`default_nettype wire

`endif  // POSIT_MUL_V
