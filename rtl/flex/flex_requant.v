// flex_requant: the Flexpoint requantizer, an accumulator value and its exponent -> an output mantissa
// at the output exponent (combinational), bit-exact to refmodel.flex.rounding.requantize_one.
//
// What it computes (docs/flexpoint.md "The requantizer" and "Rounding"):
//   The accumulator acc_i (a two's-complement integer, value acc * 2^-eacc) is rescaled to the output
//   exponent field ez_i (value z * 2^-ez): shift s = eacc_i - ez_i (= dec_a + dec_b - dec_z in the MAC).
//   s > 0   s bits are rounded off. Split two's-complement style, q = floor(acc / 2^s) (arithmetic
//           shift) and f = the s discarded bits read as an unsigned fraction in [0, 1); q goes up by one
//           rne:  f > 1/2, or f = 1/2 and q odd (round half to even on the value);
//           sr:   floor(f * 2^SR_BITS) + rand_i >= 2^SR_BITS (rand_i added to the top SR_BITS
//                 discarded bits, the sum truncated: one adder on the two's-complement word).
//           The fraction is kept exactly (no guard/sticky approximation); shifts above ACC_W + SR_BITS
//           are clamped to it, where every decision is already the one of any larger shift.
//   s = 0   exact.
//   s < 0   shift left by k = -s, exact; saturation is decided on acc before shifting (acc above
//           (2^(N-1) - 1) >> k or below -(2^(N-1) >> k)), so nothing wraps.
//   The result saturates to [-2^(N-1), 2^(N-1) - 1]; ovf_o = 1 iff the rounded value was outside.
//
// Parameters (override by name only):
//   MAN_W    N, the mantissa width, 2..32 (flex16+5: 16).
//   EXP_W    E, the exponent field width, 1..8 (flex16+5: 5).
//   ACC_W    the accumulator width, >= 2 (the MAC's exact accumulator: 64).
//   SR_BITS  the random bits per stochastic rounding, >= 1.
//
// Ports:
//   acc_i   [ACC_W-1:0]    the accumulator, two's complement.
//   eacc_i  [EXP_W:0]      the accumulator's exponent field (dec, value scale 2^-eacc): dec_a + dec_b,
//                          0..2 (2^E - 1).
//   ez_i    [EXP_W-1:0]    the output exponent field (dec_z).
//   rnd_i   [2:0]          rounding mode, `FP_RM_*: 6 sr; 0 rne (the other codes act as rne).
//   rand_i  [SR_BITS-1:0]  R, the random integer of sr (ignored by rne).
//   z_o     [MAN_W-1:0]    the output mantissa code, two's complement.
//   ovf_o                  z_o saturated.
//
// Latency: 0 (purely combinational; no clock, no reset).

`ifndef FLEX_REQUANT_V
`define FLEX_REQUANT_V

`default_nettype none
`include "fp_defs.vh"

module flex_requant #(
    parameter integer MAN_W   = 16,
    parameter integer EXP_W   = 5,
    parameter integer ACC_W   = 64,
    parameter integer SR_BITS = 8
) (
    input  wire [ACC_W-1:0]    acc_i,
    input  wire [EXP_W:0]      eacc_i,
    input  wire [EXP_W-1:0]    ez_i,
    input  wire [`FP_RM_W-1:0] rnd_i,
    input  wire [SR_BITS-1:0]  rand_i,
    output wire [MAN_W-1:0]    z_o,
    output wire                ovf_o
);

    // ------------------------------------------------------------------------------------------
    // Widths and constants
    // ------------------------------------------------------------------------------------------
    localparam integer SW   = EXP_W + 2;                            // signed shift width
    localparam integer SMAX = ACC_W + SR_BITS;                      // right-shift clamp
    localparam integer FW   = SMAX;                                 // exact fraction bits
    localparam integer XW   = ACC_W + FW;                           // right shifter width
    localparam integer RSW  = $clog2(SMAX + 1);                     // right-shift amount width
    localparam integer KW   = $clog2(MAN_W + 1);                    // left-shift amount width
    localparam integer CW   = ((ACC_W > MAN_W) ? ACC_W : MAN_W) + 2; // signed compare width

    localparam [31:0] SMAX_V  = SMAX;
    localparam [31:0] MAN_W_V = MAN_W;

    // +-bounds of the mantissa in CW bits: HI = 2^(N-1) - 1, HALF = 2^(N-1), LO = -2^(N-1)
    localparam [CW-1:0] HI_C   = {{(CW-MAN_W+1){1'b0}}, {(MAN_W-1){1'b1}}};
    localparam [CW-1:0] HALF_C = {{(CW-MAN_W){1'b0}}, 1'b1, {(MAN_W-1){1'b0}}};
    localparam [CW-1:0] LO_C   = {{(CW-MAN_W+1){1'b1}}, {(MAN_W-1){1'b0}}};
    localparam [MAN_W-1:0] Z_HI = {1'b0, {(MAN_W-1){1'b1}}};
    localparam [MAN_W-1:0] Z_LO = {1'b1, {(MAN_W-1){1'b0}}};

    // ------------------------------------------------------------------------------------------
    // The shift s = eacc - ez and its direction
    // ------------------------------------------------------------------------------------------
    wire signed [SW-1:0] s     = $signed({1'b0, eacc_i}) - $signed({2'b00, ez_i});
    wire                 right = ~s[SW-1] & (|s[SW-2:0]);           // s > 0
    wire [31:0]          s_mag = {{(32-SW+1){1'b0}}, s[SW-2:0]};    // s when s > 0
    wire [31:0]          s_cl  = (s_mag > SMAX_V) ? SMAX_V : s_mag;
    wire [RSW-1:0]       rs    = s_cl[RSW-1:0];

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_s = ^s_cl[31:RSW > 31 ? 31 : RSW];
    /* verilator lint_on UNUSEDSIGNAL */

    wire signed [CW-1:0] acc_x = {{(CW-ACC_W){acc_i[ACC_W-1]}}, acc_i};

    // ------------------------------------------------------------------------------------------
    // s > 0: arithmetic right shift with the discarded bits kept exactly, then the rounding decision
    // ------------------------------------------------------------------------------------------
    wire [XW-1:0]      t     = $signed({acc_i, {FW{1'b0}}}) >>> rs;
    wire [ACC_W-1:0]   q     = t[XW-1:FW];                          // floor(acc / 2^s)
    wire [FW-1:0]      frac  = t[FW-1:0];                           // f * 2^FW, exact
    wire               half  = frac[FW-1];
    wire               stick = |frac[FW-2:0];
    wire [SR_BITS:0]   sr_sum = {1'b0, frac[FW-1 -: SR_BITS]} + {1'b0, rand_i};
    wire               up_sr  = sr_sum[SR_BITS];
    wire               up_rne = half & (stick | q[0]);
    wire               up     = (rnd_i == `FP_RM_SR) ? up_sr : up_rne;
    wire signed [CW-1:0] qr   = $signed({{(CW-ACC_W){q[ACC_W-1]}}, q}) + $signed({{(CW-1){1'b0}}, up});
    wire               r_hi   = qr > $signed(HI_C);
    wire               r_lo   = qr < $signed(LO_C);

    // ------------------------------------------------------------------------------------------
    // s <= 0: left shift by k = -s (clamped to N: beyond it every nonzero acc saturates), exact
    // ------------------------------------------------------------------------------------------
    wire [EXP_W-1:0]     k      = ez_i - eacc_i[EXP_W-1:0];        // -s when s <= 0
    wire [31:0]          k_x    = {{(32-EXP_W){1'b0}}, k};
    wire [31:0]          k_cl   = (k_x > MAN_W_V) ? MAN_W_V : k_x;
    wire [KW-1:0]        kc     = k_cl[KW-1:0];
    wire signed [CW-1:0] lim_hi = $signed(HI_C >> kc);
    wire signed [CW-1:0] lim_lo = -$signed(HALF_C >> kc);
    wire                 l_hi   = acc_x > lim_hi;
    wire                 l_lo   = acc_x < lim_lo;
    wire [CW-1:0]        acc_sh = acc_x << kc;

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_k = ^{k_cl[31:KW], acc_sh[CW-1:MAN_W]};
    /* verilator lint_on UNUSEDSIGNAL */

    // ------------------------------------------------------------------------------------------
    // Saturation and the result
    // ------------------------------------------------------------------------------------------
    wire sat_hi = right ? r_hi : l_hi;
    wire sat_lo = right ? r_lo : l_lo;
    wire [MAN_W-1:0] z_in = right ? qr[MAN_W-1:0] : acc_sh[MAN_W-1:0];

    assign z_o   = sat_hi ? Z_HI : sat_lo ? Z_LO : z_in;
    assign ovf_o = sat_hi | sat_lo;

endmodule

`default_nettype wire

`endif  // FLEX_REQUANT_V
