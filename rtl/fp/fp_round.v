// fp_round: the one rounding engine of the minifloat datapaths (fp_mul, fp_add, fp_mac), the RTL of
// refmodel.kernels.rounding.round_pack for a finite nonzero value (docs/numerics.md).
//
// What it computes: the value v = (-1)^sign_i * (sig_i + sticky_i/2) / 2^(SIG_W-1) * 2^exp_i (sig_i
// normalised: sig_i[SIG_W-1] = 1; sticky_i says "nonzero bits somewhere below sig_i") rounded ONCE
// into the format, as P3109 v4 4.7.4 ("Q = max(floor(log2|v|), emin) - t"): the exponent is unbounded
// during rounding and overflow is judged on the rounded magnitude; below emin the quantum is the
// subnormal ulp; tininess is detected AFTER rounding (v rounded to P bits with an unbounded exponent,
// same mode, same R, is below 2^emin). Round-away decision per mode (rm_i, `FP_RM_*):
//   rne  nu > 1/2, or nu = 1/2 and the code is odd     rtz  never
//   rdn  nu > 0 and v < 0                              rup  nu > 0 and v > 0
//   rna  nu >= 1/2                                     rod  nu > 0 and the code is even
//   sr   floor(nu 2^N) + R >= 2^N (P3109 StochasticA, N = SR_BITS, R = rand_i); 7 acts as rne.
// Overflow (rounded magnitude above max finite): OF | NX and, by policy ovf_i, +-max (sat,
// sat_propagate, or ieee when the mode rounds toward zero for this sign, or rod when max's code is
// odd), else +-Inf where the format has one, else the NaN of the FN/FNUZ families (OCP), else +-max
// (NONE and P3109 finite). A value that rounds to zero keeps its sign where the format has -0.
// Only the top P + SR_BITS + 2 bits of the significand matter; the rest is ORed into the sticky bit.
//
// Parameters (override by name only):
//   EXP_W, MAN_W, BIAS, NAN_STYLE, HAS_INF   the destination format, as in fp_unpack.v.
//   SR_BITS   N, the random bits per stochastic rounding, >= 1.
//   SIG_W     width of sig_i, >= 1.
//   EW        width of exp_i (signed); exp_i + BIAS and the rounded magnitude must fit in it.
//
// Ports:
//   sign_i, exp_i [EW-1:0], sig_i [SIG_W-1:0], sticky_i   the value (see above).
//   rm_i [2:0], ovf_i [1:0], rand_i [SR_BITS-1:0]         mode, overflow policy, R.
//   z_o [EXP_W+MAN_W:0]   the rounded code.
//   flags_o [4:0]         {NV, DZ, OF, UF, NX}: OF, UF (tiny and inexact) and NX only.
//
// Latency: 0 (combinational).

`ifndef FP_ROUND_V
`define FP_ROUND_V

`default_nettype none
`include "fp_defs.vh"

module fp_round #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = `FP_NAN_FN,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8,
    parameter integer SIG_W     = 8,
    parameter integer EW        = `FP_EW(EXP_W)
) (
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

    localparam integer W   = EXP_W + MAN_W + 1;
    localparam integer P   = MAN_W + 1;
    localparam integer RW  = P + SR_BITS + 2;         // significand bits the decisions look at
    // Denormalising shift clamp: at SHC = P + SR_BITS + 1 the kept part is 0 and 0 < nu < 2^-(N+1),
    // so every mode decides exactly as for any larger shift.
    localparam integer SHC = P + SR_BITS + 1;
    localparam integer SHW = $clog2(SHC + 1);
    localparam integer VW  = RW + SHC;
    localparam integer FW  = VW - P;                  // fraction bits below the kept ones
    localparam integer MW  = EW + MAN_W;              // rounded magnitude, room for any carry

    localparam [31:0] BIAS_V = BIAS;
    localparam [31:0] SHC_V  = SHC;
    localparam [31:0] ONE_V  = 1;

    localparam IS_IEEE  = (NAN_STYLE == `FP_NAN_IEEE);
    localparam IS_FN    = (NAN_STYLE == `FP_NAN_FN);
    localparam IS_FNUZ  = (NAN_STYLE == `FP_NAN_FNUZ);
    localparam IS_P3109 = (NAN_STYLE == `FP_NAN_P3109);
    localparam INF_EN   = (HAS_INF != 0) && (IS_IEEE || IS_P3109);
    localparam NEG_ZERO = !(IS_FNUZ || IS_P3109);     // formats with a -0

    // Largest finite magnitude, +Inf magnitude, canonical NaN (the overflow value of FN and FNUZ).
    wire [W-2:0] max_mag = IS_IEEE  ? {{(EXP_W-1){1'b1}}, 1'b0, {MAN_W{1'b1}}}
                         : IS_FN    ? {{(W-2){1'b1}}, 1'b0}
                         : IS_P3109 ? (INF_EN ? {{(W-2){1'b1}}, 1'b0} : {(W-1){1'b1}})
                         :            {(W-1){1'b1}};
    wire [W-2:0] inf_mag = IS_IEEE ? {{EXP_W{1'b1}}, {MAN_W{1'b0}}} : {(W-1){1'b1}};
    wire [W-1:0] nan_code = IS_FNUZ ? {1'b1, {(W-1){1'b0}}} : {1'b0, {(W-1){1'b1}}};   // FN: 0.1..1

    // ------------------------------------------------------------------------------------------
    // The significand the decisions look at: the top RW bits, the rest ORed into the sticky bit
    // ------------------------------------------------------------------------------------------
    wire [RW-1:0] pn;
    wire          stk;
    generate
        if (SIG_W > RW) begin : g_cut
            assign pn  = sig_i[SIG_W-1 -: RW];
            assign stk = sticky_i | (|sig_i[SIG_W-RW-1:0]);
        end else if (SIG_W == RW) begin : g_same
            assign pn  = sig_i;
            assign stk = sticky_i;
        end else begin : g_pad
            assign pn  = {sig_i, {(RW-SIG_W){1'b0}}};
            assign stk = sticky_i;
        end
    endgenerate

    // Biased exponent of the leading bit; >= 1 means a normal result before rounding.
    wire signed [EW-1:0] be = exp_i + $signed(BIAS_V[EW-1:0]);
    wire be_normal = ~be[EW-1] & (|be);

    // Denormalising right shift sh = 1 - be (clamped); the vector keeps every shifted-out bit.
    wire signed [EW-1:0] dsh = $signed(ONE_V[EW-1:0]) - be;
    wire                 dsh_big = (dsh > $signed(SHC_V[EW-1:0]));
    /* verilator lint_off UNUSEDSIGNAL */
    wire [EW-1:0]        dsh_u = dsh;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [SHW-1:0] sh = be_normal ? {SHW{1'b0}} : dsh_big ? SHC_V[SHW-1:0] : dsh_u[SHW-1:0];

    wire [VW-1:0] vec  = {pn, {SHC{1'b0}}} >> sh;
    wire [P-1:0]  kept = vec[VW-1 -: P];
    wire [FW-1:0] frac = vec[FW-1:0];

    // ------------------------------------------------------------------------------------------
    // Round decision (shared by the result and the tininess check)
    // ------------------------------------------------------------------------------------------
    function round_away;
        input [`FP_RM_W-1:0] rm;
        input                sgn;       // sign of the result
        input                lsb;       // lsb of the truncated significand (the code's lsb)
        input                half;      // nu >= 1/2
        input                rest;      // nu has nonzero bits below the half bit
        input                sr_up;     // floor(nu*2^N) + R >= 2^N
        begin
            case (rm)
                `FP_RM_RTZ: round_away = 1'b0;
                `FP_RM_RDN: round_away = sgn & (half | rest);
                `FP_RM_RUP: round_away = ~sgn & (half | rest);
                `FP_RM_RNA: round_away = half;
                `FP_RM_ROD: round_away = ~lsb & (half | rest);
                `FP_RM_SR:  round_away = sr_up;
                default:    round_away = half & (rest | lsb);   // rne (and the reserved code 7)
            endcase
        end
    endfunction

    wire               half    = frac[FW-1];
    wire               rest    = (|frac[FW-2:0]) | stk;
    wire               inexact = half | rest;
    wire [SR_BITS:0]   sr_sum  = {1'b0, frac[FW-1 -: SR_BITS]} + {1'b0, rand_i};
    wire               away    = round_away(rm_i, sign_i, kept[0], half, rest, sr_sum[SR_BITS]);

    // Tininess after rounding: pn rounded to P bits with an unbounded exponent reaches 2^emin only
    // from be = 0 with an all-ones significand that rounds up.
    wire [P-1:0]         kept_u   = pn[RW-1 -: P];
    wire [RW-P-1:0]      frac_u   = pn[RW-P-1:0];
    wire [SR_BITS:0]     sr_sum_u = {1'b0, frac_u[RW-P-1 -: SR_BITS]} + {1'b0, rand_i};
    wire away_u = round_away(rm_i, sign_i, kept_u[0], frac_u[RW-P-1],
                             (|frac_u[RW-P-2:0]) | stk, sr_sum_u[SR_BITS]);
    wire tiny = ~be_normal & ~((be == {EW{1'b0}}) & (&kept_u) & away_u);

    // ------------------------------------------------------------------------------------------
    // Increment and pack: carries ripple into the exponent field
    // ------------------------------------------------------------------------------------------
    wire [EW-1:0] be_u   = be;
    wire [EW-1:0] e_base = be_normal ? (be_u - ONE_V[EW-1:0]) : {EW{1'b0}};
    wire [MW-1:0] mag    = {e_base, {MAN_W{1'b0}}} + {{(MW-P){1'b0}}, kept} + {{(MW-1){1'b0}}, away};
    wire          ovf    = (mag > {{(MW-W+1){1'b0}}, max_mag});
    wire          mag_zero = ~|mag;

    wire toward_zero = (rm_i == `FP_RM_RTZ) | ((rm_i == `FP_RM_RDN) & ~sign_i) | ((rm_i == `FP_RM_RUP) & sign_i);
    wire sat_policy  = (ovf_i == `FP_OVF_SAT) | (ovf_i == `FP_OVF_SATPROP);
    wire [W-1:0] ovf_value = INF_EN            ? {sign_i, inf_mag}
                           : (IS_FN | IS_FNUZ) ? nan_code
                           :                     {sign_i, max_mag};
    wire ovf_to_max = sat_policy | toward_zero | ((rm_i == `FP_RM_ROD) & max_mag[0]);

    always @* begin
        flags_o = {`FP_FLAGS_W{1'b0}};
        if (ovf) begin
            z_o = ovf_to_max ? {sign_i, max_mag} : ovf_value;
            flags_o[`FP_FLAG_OF] = 1'b1;
            flags_o[`FP_FLAG_NX] = 1'b1;
        end else begin
            z_o = mag_zero ? {sign_i & NEG_ZERO, {(W-1){1'b0}}} : {sign_i, mag[W-2:0]};
            flags_o[`FP_FLAG_UF] = tiny & inexact;
            flags_o[`FP_FLAG_NX] = inexact;
        end
    end

endmodule

`default_nettype wire

`endif  // FP_ROUND_V
