// fp_mul_exact: the exact product of two minifloat codes, unrounded (refmodel.ops.mul_exact):
// the product stage of fp_mul and fp_mac, whose results go to fp_pack (fp_mul, the cascaded MAC) or
// fp_sum (the fused MAC).
//
// What it computes: both codes are unpacked and normalised (fp_unpack); the significands are
// multiplied exactly (2 * (MAN_W + 1) bits) and the product normalised by at most one place, so that
// a finite nonzero product is (-1)^sign_o * sig_o / 2^(2*MAN_W+1) * 2^exp_o with sig_o's MSB set.
// Classes as refmodel: nan_o for a NaN operand or 0 x Inf, nv_o for a signalling NaN operand or
// 0 x Inf, inf_o for an infinite operand (when not NaN), zero_o for a zero operand (when neither NaN
// nor infinite); sign_o = sign of a xor sign of b.
//
// Parameters (override by name only): EXP_W, MAN_W, BIAS, NAN_STYLE, HAS_INF (the operand format, as
// in fp_unpack.v); EW, the width of exp_o (signed; the default `FP_EW(EXP_W) holds every product).
//
// Ports: a_i, b_i [EXP_W+MAN_W:0] in; sign_o, nan_o, nv_o, inf_o, zero_o, exp_o [EW-1:0],
//        sig_o [2*MAN_W+1:0] out.
//
// Latency: 0 (combinational).

`ifndef FP_MUL_EXACT_V
`define FP_MUL_EXACT_V

`include "../fp/fp_unpack.v"
`default_nettype none
`include "fp_defs.vh"

module fp_mul_exact #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = `FP_NAN_FN,
    parameter integer HAS_INF   = 0,
    parameter integer EW        = `FP_EW(EXP_W)
) (
    input  wire [EXP_W+MAN_W:0]  a_i,
    input  wire [EXP_W+MAN_W:0]  b_i,
    output wire                  sign_o,
    output wire                  nan_o,
    output wire                  nv_o,
    output wire                  inf_o,
    output wire                  zero_o,
    output wire signed [EW-1:0]  exp_o,
    output wire [2*MAN_W+1:0]    sig_o
);

    localparam integer P  = MAN_W + 1;
    localparam integer PP = 2 * P;

    wire                 sa, na, sna, ia, za, sb, nb, snb, ib, zb;
    wire signed [EW-1:0] ea, eb;
    wire [P-1:0]         ma, mb;

    fp_unpack #(.EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF), .EW(EW))
        u_unpack_a (.code_i(a_i), .sign_o(sa), .nan_o(na), .snan_o(sna), .inf_o(ia), .zero_o(za),
                    .exp_o(ea), .sig_o(ma));
    fp_unpack #(.EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF), .EW(EW))
        u_unpack_b (.code_i(b_i), .sign_o(sb), .nan_o(nb), .snan_o(snb), .inf_o(ib), .zero_o(zb),
                    .exp_o(eb), .sig_o(mb));

    // Two normalised significands in [1, 2) give a product in [1, 4): its leading one is at PP-1 or
    // PP-2, so one conditional shift normalises it.
    wire [PP-1:0] prod = {{P{1'b0}}, ma} * {{P{1'b0}}, mb};
    wire          inv  = (ia & zb) | (za & ib);             // 0 x Inf

    assign sign_o = sa ^ sb;
    assign nan_o  = na | nb | inv;
    assign nv_o   = sna | snb | inv;
    assign inf_o  = ia | ib;
    assign zero_o = za | zb;
    assign exp_o  = ea + eb + $signed({{(EW-1){1'b0}}, prod[PP-1]});
    assign sig_o  = prod[PP-1] ? prod : (prod << 1);

endmodule

`default_nettype wire

`endif  // FP_MUL_EXACT_V
