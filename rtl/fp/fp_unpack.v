// fp_unpack: classify a minifloat code and normalise its significand (refmodel.kernels.unpack).
//
// What it computes: the class of the code (NaN, signalling NaN, infinity, zero, finite nonzero),
// its sign, and for a finite nonzero code the value as a normalised significand and an unbiased
// exponent: value = (-1)^sign_o * (sig_o / 2^MAN_W) * 2^exp_o with sig_o[MAN_W] = 1. Subnormals are
// normalised here (leading-zero count and left shift), so every consumer sees 1.f * 2^e.
// Class outputs are one-hot among {nan_o, inf_o, zero_o, finite nonzero}; snan_o implies nan_o.
//
// Parameters (override by name only):
//   EXP_W, MAN_W, BIAS   exponent width (>= 2), trailing significand width (>= 1), bias.
//   NAN_STYLE            `FP_NAN_* of fp_defs.vh: 0 IEEE-like, 1 FN, 2 FNUZ, 3 NONE, 4 P3109 signed
//                        (NaN 0x80, one zero).
//   HAS_INF              1 if the format has infinities: IEEE-like (S.1..1.0..0) or P3109 extended
//                        (S.1..1.1..1); ignored for FN, FNUZ and NONE.
//   EW                   width of exp_o (signed); the default `FP_EW(EXP_W) holds every exponent.
//
// Ports (W = 1 + EXP_W + MAN_W):
//   code_i [W-1:0]       the code.
//   sign_o               its sign bit (meaningless for NaN).
//   nan_o, snan_o        NaN; signalling NaN (IEEE-like only: top trailing bit 0).
//   inf_o, zero_o        infinity; zero (either sign).
//   exp_o  [EW-1:0]      unbiased exponent of the leading one (finite nonzero codes).
//   sig_o  [MAN_W:0]     normalised significand, hidden bit at MAN_W (finite nonzero codes).
//
// Latency: 0 (combinational).

`ifndef FP_UNPACK_V
`define FP_UNPACK_V

`default_nettype none
`include "fp_defs.vh"

module fp_unpack #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = `FP_NAN_FN,
    parameter integer HAS_INF   = 0,
    parameter integer EW        = `FP_EW(EXP_W)
) (
    input  wire [EXP_W+MAN_W:0]  code_i,
    output wire                  sign_o,
    output wire                  nan_o,
    output wire                  snan_o,
    output wire                  inf_o,
    output wire                  zero_o,
    output wire signed [EW-1:0]  exp_o,
    output wire [MAN_W:0]        sig_o
);

    localparam integer W   = EXP_W + MAN_W + 1;
    localparam integer P   = MAN_W + 1;
    localparam integer LZW = $clog2(P + 1);

    localparam IS_IEEE  = (NAN_STYLE == `FP_NAN_IEEE);
    localparam IS_FN    = (NAN_STYLE == `FP_NAN_FN);
    localparam IS_FNUZ  = (NAN_STYLE == `FP_NAN_FNUZ);
    localparam IS_P3109 = (NAN_STYLE == `FP_NAN_P3109);
    localparam INF_EN   = (HAS_INF != 0) && (IS_IEEE || IS_P3109);

    localparam [31:0] BIAS_V = BIAS;
    localparam [31:0] ONE_V  = 1;

    wire             s  = code_i[W-1];
    wire [EXP_W-1:0] e  = code_i[W-2:MAN_W];
    wire [MAN_W-1:0] m  = code_i[MAN_W-1:0];
    wire e_zero = ~|e;
    wire e_ones = &e;
    wire m_zero = ~|m;
    wire m_ones = &m;

    wire nan = IS_IEEE  ? (e_ones & ~m_zero)
             : IS_FN    ? (e_ones & m_ones)
             : (IS_FNUZ | IS_P3109) ? (s & e_zero & m_zero)
             :            1'b0;
    assign nan_o  = nan;
    assign snan_o = IS_IEEE & nan & ~m[MAN_W-1];
    assign inf_o  = INF_EN & (IS_IEEE ? (e_ones & m_zero) : (e_ones & m_ones));
    assign zero_o = e_zero & m_zero & ~nan;
    assign sign_o = s;

    // Subnormals: the hidden bit is 0 and the exponent that of E = 1; count the leading zeros of the
    // P-bit significand (at least one, at most P - 1 for a nonzero code) and shift them out.
    wire [P-1:0] sig_raw = {~e_zero, m};
    reg [LZW-1:0] lz;
    reg           found;
    integer       i;
    always @* begin
        lz    = {LZW{1'b0}};
        found = 1'b0;
        for (i = P - 1; i >= 0; i = i - 1) begin
            found = found | sig_raw[i];
            if (!found) lz = lz + ONE_V[LZW-1:0];
        end
    end

    assign sig_o = sig_raw << lz;
    // normal: e - BIAS; subnormal: 1 - BIAS - lz
    wire signed [EW-1:0] e_eff = $signed({{(EW-EXP_W){1'b0}}, e}) | $signed({{(EW-1){1'b0}}, e_zero});
    assign exp_o = e_eff - $signed({{(EW-LZW){1'b0}}, lz}) - $signed(BIAS_V[EW-1:0]);

endmodule

`default_nettype wire

`endif  // FP_UNPACK_V
