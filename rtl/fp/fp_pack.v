// fp_pack: an exact result (class, sign, exponent, significand) into a code of the format, the RTL of
// refmodel.kernels.exact.pack_exact: NaN, infinity and zero by the format's rules, finite nonzero
// values through the one rounding engine (fp_round).
//
// What it computes (docs/numerics.md):
//   nan_i   the canonical NaN (IEEE-like 0.1..1.10..0, FN 0.1..1.1..1, FNUZ and P3109 1.0..0); a
//           format without NaN (NONE) gives -0 and NV.
//   inf_i   +-Inf where the format has infinities (+-max under the sat policy); without: NaN with NV
//           under the ieee policy if the format has a NaN, else +-max, no flag.
//   zero_i  an exact zero with sign_i (+0 in FNUZ and P3109, which have no -0); no flags.
//   else    fp_round of (-1)^sign_i * sig_i / 2^(SIG_W-1) * 2^exp_i (+ sticky_i).
//   nv_i    is ORed into NV in every case (a signalling operand or an invalid operation upstream).
// Class inputs take priority nan_i > inf_i > zero_i > finite.
//
// Parameters (override by name only): EXP_W, MAN_W, BIAS, NAN_STYLE, HAS_INF (the destination format,
// as in fp_unpack.v), SR_BITS, SIG_W, EW (as in fp_round.v).
//
// Ports: nan_i, nv_i, inf_i, zero_i, sign_i, exp_i [EW-1:0], sig_i [SIG_W-1:0], sticky_i, rm_i [2:0],
//        ovf_i [1:0], rand_i [SR_BITS-1:0] in; z_o [EXP_W+MAN_W:0], flags_o [4:0] out.
//
// Latency: 0 (combinational).

`ifndef FP_PACK_V
`define FP_PACK_V

`include "../fp/fp_round.v"
`default_nettype none
`include "fp_defs.vh"

module fp_pack #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = `FP_NAN_FN,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8,
    parameter integer SIG_W     = 8,
    parameter integer EW        = `FP_EW(EXP_W)
) (
    input  wire                   nan_i,
    input  wire                   nv_i,
    input  wire                   inf_i,
    input  wire                   zero_i,
    input  wire                   sign_i,
    input  wire signed [EW-1:0]   exp_i,
    input  wire [SIG_W-1:0]       sig_i,
    input  wire                   sticky_i,
    input  wire [`FP_RM_W-1:0]    rm_i,
    input  wire [`FP_OVF_W-1:0]   ovf_i,
    input  wire [SR_BITS-1:0]     rand_i,
    output reg  [EXP_W+MAN_W:0]   z_o,
    output reg  [`FP_FLAGS_W-1:0] flags_o
);

    localparam integer W = EXP_W + MAN_W + 1;

    localparam IS_IEEE  = (NAN_STYLE == `FP_NAN_IEEE);
    localparam IS_FN    = (NAN_STYLE == `FP_NAN_FN);
    localparam IS_FNUZ  = (NAN_STYLE == `FP_NAN_FNUZ);
    localparam IS_P3109 = (NAN_STYLE == `FP_NAN_P3109);
    localparam HAS_NAN  = IS_IEEE || IS_FN || IS_FNUZ || IS_P3109;
    localparam INF_EN   = (HAS_INF != 0) && (IS_IEEE || IS_P3109);
    localparam NEG_ZERO = !(IS_FNUZ || IS_P3109);

    wire [W-2:0] max_mag = IS_IEEE  ? {{(EXP_W-1){1'b1}}, 1'b0, {MAN_W{1'b1}}}
                         : IS_FN    ? {{(W-2){1'b1}}, 1'b0}
                         : IS_P3109 ? (INF_EN ? {{(W-2){1'b1}}, 1'b0} : {(W-1){1'b1}})
                         :            {(W-1){1'b1}};
    wire [W-2:0] inf_mag = IS_IEEE ? {{EXP_W{1'b1}}, {MAN_W{1'b0}}} : {(W-1){1'b1}};
    wire [MAN_W-1:0] man_quiet = ~({MAN_W{1'b1}} >> 1);
    wire [W-1:0] nan_code = IS_IEEE             ? {1'b0, {EXP_W{1'b1}}, man_quiet}
                          : (IS_FNUZ | IS_P3109) ? {1'b1, {(W-1){1'b0}}}
                          : IS_FN               ? {1'b0, {(W-1){1'b1}}}
                          :                       {1'b1, {(W-1){1'b0}}};   // NONE: -0 stands in

    wire sat     = (ovf_i == `FP_OVF_SAT);
    wire sat_any = (ovf_i == `FP_OVF_SAT) | (ovf_i == `FP_OVF_SATPROP);

    wire [W-1:0]             z_fin;
    wire [`FP_FLAGS_W-1:0]   f_fin;
    fp_round #(
        .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF),
        .SR_BITS(SR_BITS), .SIG_W(SIG_W), .EW(EW)
    ) u_round (
        .sign_i(sign_i), .exp_i(exp_i), .sig_i(sig_i), .sticky_i(sticky_i),
        .rm_i(rm_i), .ovf_i(ovf_i), .rand_i(rand_i), .z_o(z_fin), .flags_o(f_fin)
    );

    always @* begin
        flags_o = {`FP_FLAGS_W{1'b0}};
        if (nan_i) begin
            z_o = nan_code;
            flags_o[`FP_FLAG_NV] = ~HAS_NAN;
        end else if (inf_i) begin
            if (INF_EN) begin
                z_o = {sign_i, sat ? max_mag : inf_mag};
            end else if (!sat_any && HAS_NAN) begin
                z_o = nan_code;
                flags_o[`FP_FLAG_NV] = 1'b1;
            end else begin
                z_o = {sign_i, max_mag};
            end
        end else if (zero_i) begin
            z_o = {sign_i & NEG_ZERO, {(W-1){1'b0}}};
        end else begin
            z_o     = z_fin;
            flags_o = f_fin;
        end
        flags_o[`FP_FLAG_NV] = flags_o[`FP_FLAG_NV] | nv_i;
    end

endmodule

`default_nettype wire

`endif  // FP_PACK_V
