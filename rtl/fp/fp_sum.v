// fp_sum: x + y of two unpacked operands, rounded once into a format: the RTL of
// refmodel.kernels.exact.sum_exact (exact adder) and refmodel.kernels.mac.aligned_sum (an adder of
// ALIGN_W bits below the larger operand's leading bit), followed by pack_exact (fp_pack).
//
// What it computes (docs/numerics.md, docs/units.md "Alignment width W and the sticky bit"):
//   NaN operand                  canonical NaN; NV if x_nv_i or y_nv_i (signalling NaN, or an
//                                invalid operation upstream such as 0 x Inf).
//   Inf + (-Inf)                 canonical NaN, NV.
//   Inf + anything else          that infinity (fp_pack applies the overflow policy).
//   zero + zero                  a zero: the common sign if both agree, else +0 (-0 under rdn).
//   finite sums                  both operands, as normalised significands with unbiased exponents,
//                                are aligned to the window [lead - WIN, lead] of the larger leading
//                                bit `lead`; bits of the smaller one below the window are dropped
//                                (STICKY = 0) or jammed into one bit just below it (STICKY = 1);
//                                the aligned operands are added exactly (an exact zero is +0, -0
//                                under rdn), normalised, and rounded once (fp_round).
//   An operand that is zero is simply the other one rounded (nothing to align).
//   ALIGN_W = 0 asks for the exact sum: WIN = max(SW, P + max(SR_BITS, 1)) with the sticky bit
//   (SW the wider operand significand, P the destination precision), the bound of docs/units.md
//   above which a limited adder rounds every sum as the exact one in every mode.
//
// Parameters (override by name only):
//   EXP_W, MAN_W, BIAS, NAN_STYLE, HAS_INF   the destination format, as in fp_unpack.v.
//   SR_BITS    N, random bits per stochastic rounding, >= 1.
//   XS, YS     widths of the normalised significands x_sig_i, y_sig_i (leading one at the MSB).
//   EW         width of the signed exponents x_exp_i, y_exp_i (and of the internal ones).
//   ALIGN_W    W, the adder's bits below the larger leading bit, max(XS, YS) - 1 <= W <= 58; 0: exact.
//   STICKY     1: bits below the window jam into a sticky bit; 0: they are truncated. Ignored when
//              ALIGN_W = 0.
//
// Ports:
//   x_sign_i, x_nan_i, x_nv_i, x_inf_i, x_zero_i, x_exp_i [EW-1:0], x_sig_i [XS-1:0]
//              operand x: sign, class, and value (-1)^s * x_sig_i / 2^(XS-1) * 2^x_exp_i.
//   y_...      operand y, likewise (YS bits).
//   rm_i [2:0], ovf_i [1:0], rand_i [SR_BITS-1:0]   rounding mode, overflow policy, R.
//   z_o [EXP_W+MAN_W:0], flags_o [4:0]               the result code and {NV, DZ, OF, UF, NX}.
//
// Latency: 0 (combinational).

`ifndef FP_SUM_V
`define FP_SUM_V

`include "../fp/fp_pack.v"
`default_nettype none
`include "fp_defs.vh"

module fp_sum #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = `FP_NAN_FN,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8,
    parameter integer XS        = 4,
    parameter integer YS        = 4,
    parameter integer EW        = `FP_EW(EXP_W),
    parameter integer ALIGN_W   = 0,
    parameter integer STICKY    = 1
) (
    input  wire                   x_sign_i,
    input  wire                   x_nan_i,
    input  wire                   x_nv_i,
    input  wire                   x_inf_i,
    input  wire                   x_zero_i,
    input  wire signed [EW-1:0]   x_exp_i,
    input  wire [XS-1:0]          x_sig_i,
    input  wire                   y_sign_i,
    input  wire                   y_nan_i,
    input  wire                   y_nv_i,
    input  wire                   y_inf_i,
    input  wire                   y_zero_i,
    input  wire signed [EW-1:0]   y_exp_i,
    input  wire [YS-1:0]          y_sig_i,
    input  wire [`FP_RM_W-1:0]    rm_i,
    input  wire [`FP_OVF_W-1:0]   ovf_i,
    input  wire [SR_BITS-1:0]     rand_i,
    output wire [EXP_W+MAN_W:0]   z_o,
    output wire [`FP_FLAGS_W-1:0] flags_o
);

    localparam integer P      = MAN_W + 1;
    localparam integer SW     = (XS > YS) ? XS : YS;
    localparam integer G      = (SR_BITS > 1) ? SR_BITS : 1;
    localparam integer WEX    = (SW > P + G) ? SW : P + G;
    localparam integer WIN    = (ALIGN_W == 0) ? WEX : ALIGN_W;     // bits below the leading one
    localparam         JAM    = (ALIGN_W == 0) || (STICKY != 0);
    localparam integer AW     = WIN + 3;                           // carry, window, sticky slot
    localparam integer DW     = $clog2(WIN + 2);                   // clamped alignment distance
    localparam integer LZW    = $clog2(AW + 1);
    localparam integer EX     = EW + 2;                            // exponents of the sum
    localparam [31:0]  DMAX_V = WIN + 1;                           // from here on nothing is kept
    localparam [31:0]  ONE_V  = 1;

    // ------------------------------------------------------------------------------------------
    // Order the operands: big has the higher leading bit (x on a tie, as the model); a zero operand
    // is always the small one and contributes nothing.
    // ------------------------------------------------------------------------------------------
    wire [SW-1:0] xs = {x_sig_i, {(SW-XS){1'b0}}} & {SW{~x_zero_i}};
    wire [SW-1:0] ys = {y_sig_i, {(SW-YS){1'b0}}} & {SW{~y_zero_i}};
    wire x_big = y_zero_i | (~x_zero_i & (x_exp_i >= y_exp_i));

    wire                 big_sign = x_big ? x_sign_i : y_sign_i;
    wire                 sml_sign = x_big ? y_sign_i : x_sign_i;
    wire signed [EW-1:0] big_exp  = x_big ? x_exp_i  : y_exp_i;
    wire signed [EW-1:0] sml_exp  = x_big ? y_exp_i  : x_exp_i;
    wire [SW-1:0]        big_sig  = x_big ? xs : ys;
    wire [SW-1:0]        sml_sig  = x_big ? ys : xs;

    // Alignment distance d = big_exp - sml_exp >= 0, clamped at WIN + 1 (nothing left in the window).
    wire signed [EW:0] dexp = $signed({big_exp[EW-1], big_exp}) - $signed({sml_exp[EW-1], sml_exp});
    /* verilator lint_off UNUSEDSIGNAL */
    wire [EW:0]        dexp_u = dexp;
    /* verilator lint_on UNUSEDSIGNAL */
    wire               dexp_big = (dexp >= $signed({1'b0, DMAX_V[EW-1:0]}));
    wire [DW-1:0]      d = dexp_big ? DMAX_V[DW-1:0] : dexp_u[DW-1:0];

    // Window vectors: bit AW-1 the carry, AW-2 the leading bit `lead`, 1 the window's last, 0 the
    // sticky slot one place below the window.
    wire [2*(WIN+1)-1:0] sml_sh = {sml_sig, {(2*(WIN+1)-SW){1'b0}}} >> d;
    wire [WIN:0]         sml_win = sml_sh[2*(WIN+1)-1 -: (WIN+1)];
    wire                 lost = |sml_sh[WIN:0];
    wire [AW-1:0] big_v = {1'b0, big_sig, {(WIN+2-SW){1'b0}}};
    wire [AW-1:0] sml_v = {1'b0, sml_win, JAM & lost};

    wire          eff_sub = big_sign ^ sml_sign;
    wire [AW:0]   raw  = eff_sub ? ({1'b0, big_v} - {1'b0, sml_v}) : ({1'b0, big_v} + {1'b0, sml_v});
    wire          neg  = raw[AW];                        // only when d = 0 and |small| > |big|
    wire [AW-1:0] mag  = neg ? (~raw[AW-1:0] + {{(AW-1){1'b0}}, 1'b1}) : raw[AW-1:0];
    wire          sum_zero = ~|mag;
    wire          sum_sign = neg ? sml_sign : big_sign;

    // Normalise: leading-zero count and left shift; the leading bit's exponent is big_exp + 1 - lz.
    reg [LZW-1:0] lz;
    reg           found;
    integer       i;
    always @* begin
        lz    = {LZW{1'b0}};
        found = 1'b0;
        for (i = AW - 1; i >= 0; i = i - 1) begin
            found = found | mag[i];
            if (!found) lz = lz + ONE_V[LZW-1:0];
        end
    end
    wire [AW-1:0]        norm    = mag << lz;
    wire signed [EX-1:0] sum_exp = $signed({{2{big_exp[EW-1]}}, big_exp}) + $signed(ONE_V[EX-1:0])
                                 - $signed({{(EX-LZW){1'b0}}, lz});

    // ------------------------------------------------------------------------------------------
    // Classes of the result
    // ------------------------------------------------------------------------------------------
    wire inf_inf  = x_inf_i & y_inf_i & (x_sign_i ^ y_sign_i);
    wire r_nan    = x_nan_i | y_nan_i | inf_inf;
    wire r_nv     = x_nv_i | y_nv_i | inf_inf;
    wire r_inf    = x_inf_i | y_inf_i;
    wire r_zero   = sum_zero;                             // both zero, or exact cancellation
    wire rdn      = (rm_i == `FP_RM_RDN);
    wire zero_sgn = (x_sign_i == y_sign_i) ? x_sign_i : rdn;
    wire r_sign   = r_inf ? (x_inf_i ? x_sign_i : y_sign_i) : r_zero ? zero_sgn : sum_sign;

    fp_pack #(
        .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF),
        .SR_BITS(SR_BITS), .SIG_W(AW), .EW(EX)
    ) u_pack (
        .nan_i(r_nan), .nv_i(r_nv), .inf_i(r_inf), .zero_i(r_zero), .sign_i(r_sign),
        .exp_i(sum_exp), .sig_i(norm), .sticky_i(1'b0),
        .rm_i(rm_i), .ovf_i(ovf_i), .rand_i(rand_i), .z_o(z_o), .flags_o(flags_o)
    );

endmodule

`default_nettype wire

`endif  // FP_SUM_V
