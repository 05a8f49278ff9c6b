// posit_encode: combinational posit<N,ES> rounder and packer, (sign, scale, significand with sticky)
// -> code, rounded once; the posit end of every datapath in rtl/posit (SoftFloat's roundPack).
//
// What it computes (docs/posits.md "Rounding"; refmodel.kernels.posit.posit_round_pack is the model):
//   x = (-1)^sign_i (1 + (frac_i + t) / 2^FI) 2^scale_i, where 0 <= t < 1 and t > 0 iff sticky_i
//   (nonzero bits below frac_i). |x| >= maxpos gives +-maxpos and |x| < minpos gives +-minpos in
//   every mode: never 0, never NaR. Otherwise the unbounded bit string of |x| (regime run of the
//   scale's k = floor(scale / 2^ES), terminator, ES exponent bits, fraction) is cut after N-1 body
//   bits and rounded:
//     rne (rm_i != 6): the 2022 standard's round to nearest even on the bit string: up iff the
//        first discarded bit is 1 and (any later bit, the sticky, or the kept lsb is 1).
//     sr  (rm_i == 6): P3109 StochasticA on the magnitude with the VALUE fraction v = (|x| - u) /
//        (w - u) between the neighbouring posits u < |x| < w: up iff floor(v 2^SR) + R >= 2^SR,
//        R = rand_i. Where the cut falls in the fraction, v is the discarded bit string. Where it
//        falls in the exponent (cut = c bits of it, 1 <= c <= ES), u = 2^a and w = 2^(a+d), d = 2^c,
//        |x| = (1 + f) 2^(a+j) with j the c cut exponent bits, and v = ((1+f) 2^j - 1) / (2^d - 1),
//        not dyadic: the test is done without division as floor(((1+f) 2^j - 1) 2^SR) >=
//        (2^SR - R)(2^d - 1), both sides integers.
//   The sign is applied afterwards (two's complement of the rounded magnitude). nar_i gives NaR and
//   zero_i gives 0 (nar_i wins).
//   Exactness: the result is exact (bit for bit the model's rounding of x) whenever frac_i carries
//   at least POSIT_REQ(N,ES,SR_BITS) fraction bits of x exactly, or all of them (sticky_i = 0);
//   lower bits may be folded into sticky_i.
//
// Parameters (override by name only):
//   N        code width, 3 <= N <= 32.
//   ES       exponent field width, 0 <= ES <= 4.
//   FI       width of frac_i, >= 1.
//   SIW      width of the signed scale_i, >= POSIT_SW(N,ES) and <= 32 (larger scales saturate).
//   SR_BITS  N_sr, the random bits per stochastic rounding, >= 1.
//
// Ports:
//   sign_i              1 for a negative x.
//   nar_i               the result is NaR.
//   zero_i              the result is 0 (x = 0 exactly).
//   scale_i [SIW-1:0]   signed: floor(log2 |x|).
//   frac_i  [FI-1:0]    the fraction of |x| / 2^scale_i - 1, left-aligned (the hidden one is implicit).
//   sticky_i            nonzero bits of x below frac_i.
//   rm_i    [2:0]       rounding mode (`FP_RM_* of rtl/common/fp_defs.vh): 6 sr; 0 rne, and every
//                       other code acts as rne (posits define no directed rounding).
//   rand_i  [SR_BITS-1:0] R, the random integer of sr (ignored in rne).
//   z_o     [N-1:0]     the result code.
//
// Latency: 0 (purely combinational).

`ifndef POSIT_ENCODE_V
`define POSIT_ENCODE_V

`default_nettype none
`include "fp_defs.vh"
`include "posit_defs.vh"

module posit_encode #(
    parameter integer N       = 16,
    parameter integer ES      = 1,
    parameter integer FI      = 16,
    parameter integer SIW     = 8,
    parameter integer SR_BITS = 8
) (
    input  wire                  sign_i,
    input  wire                  nar_i,
    input  wire                  zero_i,
    input  wire signed [SIW-1:0] scale_i,
    input  wire [FI-1:0]         frac_i,
    input  wire                  sticky_i,
    input  wire [`FP_RM_W-1:0]   rm_i,
    input  wire [SR_BITS-1:0]    rand_i,
    output wire [N-1:0]          z_o
);

    localparam integer MAXS  = `POSIT_MAXS(N,ES);
    localparam integer BW    = N - 1;                 // body bits of the code
    localparam integer SEEDW = 2 + ES + FI;           // regime seed, exponent, fraction
    localparam integer PADV  = SR_BITS + N;           // room for the regime shift and the sr bits
    localparam integer VW    = SEEDW + PADV;
    localparam integer DW    = VW - BW;               // discarded bits (>= SR_BITS + 2)
    localparam integer SHW   = $clog2(N);             // regime shift 0 .. N-3
    localparam integer JW    = 1 << ES;               // exponent-cut arithmetic: d = 2^c <= 2^ES
    localparam integer LW    = SR_BITS + JW + 1;      // width of both sides of the sr comparison
    localparam integer XW    = FI + 1 + JW;           // (1+f) 2^j scaled by 2^FI

    localparam [31:0] MAXS_V     = MAXS;
    localparam [31:0] NEG_MAXS_V = -MAXS;

    // ------------------------------------------------------------------------------------------
    // Saturation: outside [minpos, maxpos) no rounding happens
    // ------------------------------------------------------------------------------------------
    wire sat_hi = (scale_i >= $signed(MAXS_V[SIW-1:0]));
    wire sat_lo = (scale_i < $signed(NEG_MAXS_V[SIW-1:0]));

    // ------------------------------------------------------------------------------------------
    // The unbounded bit string: seed {10 | 01, e, f} shifted right by the regime length, filled
    // with the run's bit (k >= 0: 1^(k+1) 0 e f; k < 0: 0^(-k) 1 e f).
    // ------------------------------------------------------------------------------------------
    wire                  kneg  = scale_i[SIW-1];     // k = floor(scale / 2^ES) < 0 iff scale < 0
    wire signed [SIW-1:0] k     = scale_i >>> ES;
    wire [SIW-1:0]        k_u   = k;
    wire [SIW-1:0]        sh_u  = kneg ? ~k_u : k_u;  // k or -k-1: 0 .. N-3 when not saturated
    wire [SHW-1:0]        shamt = sh_u[SHW-1:0];

    wire [SEEDW-1:0] seed;
    generate
        if (ES > 0) begin : g_exp
            wire [ES-1:0] e = scale_i[ES-1:0];
            assign seed = {~kneg, kneg, e, frac_i};
        end else begin : g_no_exp
            assign seed = {~kneg, kneg, frac_i};
        end
    endgenerate

    wire [VW-1:0] vsh  = $signed({seed, {PADV{1'b0}}}) >>> shamt;
    wire [BW-1:0] kept = vsh[VW-1 -: BW];
    wire [DW-1:0] disc = vsh[DW-1:0];

    // ------------------------------------------------------------------------------------------
    // Round decisions
    // ------------------------------------------------------------------------------------------
    // rne on the bit string: up iff the first discarded bit is 1 and (more or an odd kept lsb)
    wire up_rne = disc[DW-1] & ((|disc[DW-2:0]) | sticky_i | kept[0]);

    // sr, cut in the fraction: v = the discarded bit string, floor(v 2^SR) its top SR bits
    wire [SR_BITS:0] sr_sum = {1'b0, disc[DW-1 -: SR_BITS]} + {1'b0, rand_i};
    wire             up_srf = sr_sum[SR_BITS];

    // sr, cut in the exponent: c = shamt + 3 + ES - N of its bits (only possible when ES > 0)
    wire up_sre, ecut;
    generate
        if (ES > 0) begin : g_ecut
            // BASE = N-3-ES: the most fraction bits; a longer regime shift cuts exponent bits
            localparam integer BASE   = N - 3 - ES;
            localparam [31:0]  BASE_V = (BASE >= 0) ? BASE : 0;
            wire [31:0] sh32  = {{(32-SHW){1'b0}}, shamt};
            if (BASE >= 0) begin : g_base
                assign ecut = (sh32 > BASE_V);
            end else begin : g_always
                assign ecut = 1'b1;                                    // no fraction bits at all
            end
            wire [31:0]   cut_v = sh32 + (ES + 3) - N;                 // 1 .. ES when ecut
            wire [JW-1:0] dpow  = {{(JW-1){1'b0}}, 1'b1} << cut_v;     // d = 2^c <= 2^ES = JW
            wire [JW-1:0] jmask = dpow - {{(JW-1){1'b0}}, 1'b1};       // d - 1: the c cut bits
            wire [ES-1:0] j     = scale_i[ES-1:0] & jmask[ES-1:0];     // j < d
            // X 2^FI = (1 + f) 2^j 2^FI - 2^FI, then lhs = floor(X 2^SR)
            wire [XW-1:0]    xm  = ({{JW{1'b0}}, 1'b1, frac_i} << j) - ({{(XW-1){1'b0}}, 1'b1} << FI);
            wire [LW+XW-1:0] xt  = (FI >= SR_BITS) ? ({{LW{1'b0}}, xm} >> (FI - SR_BITS))
                                                   : ({{LW{1'b0}}, xm} << (SR_BITS - FI));
            wire [LW-1:0]    lhs = xt[LW-1:0];
            // rhs = (2^SR - R)(2^d - 1): the first factor has SR+1 bits, the second d <= JW bits
            wire [LW-1:0]   two_sr = {{(LW-1){1'b0}}, 1'b1} << SR_BITS;
            wire [LW-1:0]   span   = two_sr - {{(LW-SR_BITS){1'b0}}, rand_i};
            wire [LW-1:0]   dm1    = ({{(LW-1){1'b0}}, 1'b1} << dpow) - {{(LW-1){1'b0}}, 1'b1};
            wire [2*LW-1:0] rhs    = span * dm1;
            assign up_sre = ({{LW{1'b0}}, lhs} >= rhs);
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_e = ^{xt, cut_v, jmask};
            /* verilator lint_on UNUSEDSIGNAL */
        end else begin : g_no_ecut
            assign ecut   = 1'b0;
            assign up_sre = 1'b0;
        end
    endgenerate

    wire up = (rm_i == `FP_RM_SR) ? (ecut ? up_sre : up_srf) : up_rne;

    // ------------------------------------------------------------------------------------------
    // Magnitude, sign, specials
    // ------------------------------------------------------------------------------------------
    wire [BW-1:0] mag = sat_hi ? {BW{1'b1}}
                      : sat_lo ? {{(BW-1){1'b0}}, 1'b1}
                      :          kept + {{(BW-1){1'b0}}, up};
    wire [N-1:0]  pos = {1'b0, mag};
    wire [N-1:0]  neg = ~pos + {{(N-1){1'b0}}, 1'b1};

    assign z_o = nar_i  ? {1'b1, {(N-1){1'b0}}}
               : zero_i ? {N{1'b0}}
               : sign_i ? neg : pos;

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused = ^{sh_u, sr_sum};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire

`endif  // POSIT_ENCODE_V
