// fp_mul: combinational minifloat multiplier, z = round(a * b), one rounding, bit-exact to refmodel.
//
// What it computes (the contract is docs/numerics.md; refmodel's `mul` is the golden model):
//   The exact product of the two significands (integer multiply, 2*(MAN_W+1) bits) is normalised
//   (leading-zero count, left shift), denormalised into the subnormal range when its exponent is below
//   emin (right shift with an exact remainder), rounded ONCE in the selected mode, and packed. The
//   discarded fraction nu is kept exactly (no guard/round/sticky approximation is needed for the
//   nearest and directed modes, and its top SR_BITS bits feed stochastic rounding). Overflow is judged
//   on the rounded magnitude (exponent unbounded during rounding); tininess is detected AFTER rounding
//   (the product rounded to MAN_W+1 bits with an unbounded exponent, same mode and same random bits,
//   is below 2^emin).
//   Specials: a NaN operand gives the canonical NaN (NV if it is signalling); 0 * Inf gives the
//   canonical NaN with NV; Inf * nonzero gives Inf with the xor sign (clamped to +-max under the
//   `sat` policy, no flags); 0 * finite gives an exact zero with the xor sign (+0 only in FNUZ).
//   NaN results carry no payload: IEEE-like 0.1..1.10..0, FN 0.1..1.1..1, FNUZ 1.0..0.
//
// Parameters (override by name only):
//   EXP_W     exponent field width w, >= 2.
//   MAN_W     trailing significand width t, >= 1 (precision P = MAN_W + 1).
//   BIAS      exponent bias, >= 0 (e4m3fn 7, e5m2 15, e4m3fnuz 8, e4m3b11fnuz 11).
//   NAN_STYLE format family, `FP_NAN_* of rtl/common/fp_defs.vh:
//             0 IEEE-like (Inf, NaNs, sNaN when the top trailing bit is 0), 1 FN (no Inf, NaN only at
//             S.1..1.1..1), 2 FNUZ (no Inf, no -0, NaN only at 1.0..0), 3 NONE (no Inf, no NaN).
//   HAS_INF   1 if the format has infinities. Supported combinations: HAS_INF = 1 with NAN_STYLE = 0,
//             HAS_INF = 0 with NAN_STYLE = 1, 2 or 3.
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
// Datapath, in order: unpack and classify -> significand product -> leading-zero count ->
// normalising left shift -> exponent -> denormalising right shift (clamped) -> round decision from
// the exact remainder -> increment (carries ripple into the exponent field) -> overflow / underflow
// detection -> special-case and policy muxes.

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
    input  wire [EXP_W+MAN_W:0]  a_i,
    input  wire [EXP_W+MAN_W:0]  b_i,
    input  wire [`FP_RM_W-1:0]   rm_i,
    input  wire [`FP_OVF_W-1:0]  ovf_i,
    input  wire [SR_BITS-1:0]    rand_i,
    output wire [EXP_W+MAN_W:0]  z_o,
    output wire [`FP_FLAGS_W-1:0] flags_o
);

    // ------------------------------------------------------------------------------------------
    // Widths and constants
    // ------------------------------------------------------------------------------------------
    localparam integer W   = EXP_W + MAN_W + 1;       // code width
    localparam integer P   = MAN_W + 1;               // precision
    localparam integer PP  = 2 * P;                   // exact product width
    localparam integer LZW = $clog2(PP + 1);          // leading-zero count width (0..PP)
    // signed exponent width: holds ea + eb - BIAS + 1 - lz over the whole input range
    localparam integer EW  = EXP_W + $clog2(PP + BIAS + 2) + 2;
    // Denormalising shift clamp: at SHC = P + SR_BITS + 1 the kept part is 0 and 0 < nu < 2^-(N+1),
    // so every mode (StochasticA included) decides exactly as for any larger shift.
    localparam integer SHC = P + SR_BITS + 1;
    localparam integer SHW = $clog2(SHC + 1);
    localparam integer VW  = PP + SHC;                // shifted vector: P kept bits, FW fraction bits
    localparam integer FW  = VW - P;
    localparam integer MW  = EW + MAN_W;              // rounded magnitude, room for any carry

    localparam [31:0] BIAS_M1_V = BIAS - 1;
    localparam [31:0] SHC_V     = SHC;
    localparam [31:0] ONE_V     = 1;

    localparam IS_IEEE = (NAN_STYLE == `FP_NAN_IEEE);
    localparam IS_FN   = (NAN_STYLE == `FP_NAN_FN);
    localparam IS_FNUZ = (NAN_STYLE == `FP_NAN_FNUZ);
    localparam INF_EN  = (HAS_INF != 0) && IS_IEEE;

    // Magnitude (sign stripped) of the largest finite value, of +Inf; the canonical NaN code.
    wire [W-2:0] max_mag = IS_IEEE ? {{(EXP_W-1){1'b1}}, 1'b0, {MAN_W{1'b1}}}
                         : IS_FN   ? {{(W-2){1'b1}}, 1'b0}
                         :           {(W-1){1'b1}};
    wire [W-2:0] inf_mag = {{EXP_W{1'b1}}, {MAN_W{1'b0}}};
    wire [MAN_W-1:0] man_quiet = ~({MAN_W{1'b1}} >> 1);            // 10..0
    wire [W-1:0] nan_code = IS_IEEE ? {1'b0, {EXP_W{1'b1}}, man_quiet}
                          : IS_FNUZ ? {1'b1, {(W-1){1'b0}}}
                          :           {1'b0, {(W-1){1'b1}}};         // FN (NONE never makes NaN)

    // ------------------------------------------------------------------------------------------
    // Unpack and classify
    // ------------------------------------------------------------------------------------------
    wire             sa = a_i[W-1];
    wire             sb = b_i[W-1];
    wire [EXP_W-1:0] ea = a_i[W-2:MAN_W];
    wire [EXP_W-1:0] eb = b_i[W-2:MAN_W];
    wire [MAN_W-1:0] ma = a_i[MAN_W-1:0];
    wire [MAN_W-1:0] mb = b_i[MAN_W-1:0];

    wire ea_zero = ~|ea, eb_zero = ~|eb;
    wire ea_ones = &ea,  eb_ones = &eb;
    wire ma_zero = ~|ma, mb_zero = ~|mb;
    wire ma_ones = &ma,  mb_ones = &mb;

    wire nan_a = IS_IEEE ? (ea_ones & ~ma_zero)
               : IS_FN   ? (ea_ones & ma_ones)
               : IS_FNUZ ? (sa & ea_zero & ma_zero)
               :           1'b0;
    wire nan_b = IS_IEEE ? (eb_ones & ~mb_zero)
               : IS_FN   ? (eb_ones & mb_ones)
               : IS_FNUZ ? (sb & eb_zero & mb_zero)
               :           1'b0;
    wire snan_a = IS_IEEE & nan_a & ~ma[MAN_W-1];
    wire snan_b = IS_IEEE & nan_b & ~mb[MAN_W-1];
    wire inf_a  = INF_EN & ea_ones & ma_zero;
    wire inf_b  = INF_EN & eb_ones & mb_zero;
    wire zero_a = ea_zero & ma_zero & ~nan_a;
    wire zero_b = eb_zero & mb_zero & ~nan_b;

    wire s_z = sa ^ sb;                                // sign of every non-NaN result

    // ------------------------------------------------------------------------------------------
    // Exact significand product
    // ------------------------------------------------------------------------------------------
    wire [P-1:0] siga = {~ea_zero, ma};                // hidden bit 0 for subnormals
    wire [P-1:0] sigb = {~eb_zero, mb};
    wire [EXP_W-1:0] ea_eff = {ea[EXP_W-1:1], ea[0] | ea_zero};   // subnormals share exponent 1
    wire [EXP_W-1:0] eb_eff = {eb[EXP_W-1:1], eb[0] | eb_zero};

    wire [PP-1:0] prod = {{P{1'b0}}, siga} * {{P{1'b0}}, sigb};

    // ------------------------------------------------------------------------------------------
    // Leading-zero count and normalising shift: pn[PP-1] = 1 (for a nonzero product)
    // ------------------------------------------------------------------------------------------
    reg [LZW-1:0] lz;
    reg           lz_found;
    integer       i;
    always @* begin
        lz       = {LZW{1'b0}};
        lz_found = 1'b0;
        for (i = PP - 1; i >= 0; i = i - 1) begin
            lz_found = lz_found | prod[i];
            if (!lz_found) lz = lz + ONE_V[LZW-1:0];
        end
    end

    wire [PP-1:0] pn = prod << lz;

    // Biased exponent of pn read as 1.f (point after bit PP-1). The exact product is
    // prod * 2^(ea + eb - 2*BIAS - 2*MAN_W) = (pn / 2^(PP-1)) * 2^(ea + eb - 2*BIAS + 1 - lz),
    // so be = ea + eb - BIAS + 1 - lz (ea, eb the effective exponents: 1 for subnormals).
    wire signed [EW-1:0] be = $signed({{(EW-EXP_W){1'b0}}, ea_eff})
                            + $signed({{(EW-EXP_W){1'b0}}, eb_eff})
                            - $signed({{(EW-LZW){1'b0}}, lz})
                            - $signed(BIAS_M1_V[EW-1:0]);
    wire be_normal = ~be[EW-1] & (|be);                // be >= 1: a normal result before rounding

    // ------------------------------------------------------------------------------------------
    // Denormalising right shift: sh = 1 - be when be < 1, clamped to SHC. Nothing falls off the end
    // (the vector has SHC zero bits below pn), so the remainder stays exact.
    // ------------------------------------------------------------------------------------------
    wire signed [EW-1:0] dsh = $signed(ONE_V[EW-1:0]) - be;            // >= 1 when !be_normal
    wire          dsh_big = (dsh > $signed(SHC_V[EW-1:0]));
    /* verilator lint_off UNUSEDSIGNAL */
    wire [EW-1:0] dsh_u   = dsh;                       // only the low SHW bits matter when !dsh_big
    /* verilator lint_on UNUSEDSIGNAL */
    wire [SHW-1:0] sh = be_normal ? {SHW{1'b0}}
                      : dsh_big   ? SHC_V[SHW-1:0]
                      :             dsh_u[SHW-1:0];

    wire [VW-1:0] vec  = {pn, {SHC{1'b0}}} >> sh;
    wire [P-1:0]  kept = vec[VW-1 -: P];               // floor(S~): the significand before rounding
    wire [FW-1:0] frac = vec[FW-1:0];                  // nu = frac / 2^FW, exact

    // ------------------------------------------------------------------------------------------
    // Round decision (shared by the result and by the tininess check)
    // ------------------------------------------------------------------------------------------
    function round_away;
        input [`FP_RM_W-1:0] rm;
        input                sgn;       // sign of the result
        input                lsb;       // lsb of floor(S~) (the code's lsb for MAN_W >= 1)
        input                half;      // nu >= 1/2
        input                rest;      // nu has bits below the half bit
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

    // Result rounding (at the destination quantum, subnormal ulp below emin)
    wire               half  = frac[FW-1];
    wire               rest  = |frac[FW-2:0];
    wire               inexact = half | rest;
    wire [SR_BITS-1:0] nu_top = frac[FW-1 -: SR_BITS];               // floor(nu * 2^N)
    wire [SR_BITS:0]   sr_sum = {1'b0, nu_top} + {1'b0, rand_i};
    wire               away  = round_away(rm_i, s_z, kept[0], half, rest, sr_sum[SR_BITS]);

    // Tininess after rounding: round pn to P bits with an unbounded exponent (same mode, same R).
    // Only a carry out of an all-ones significand at be = 0 lifts the value to 2^emin.
    wire [P-1:0]         kept_u = pn[PP-1 -: P];
    wire [P+SR_BITS-1:0] frac_u = {pn[P-1:0], {SR_BITS{1'b0}}};
    wire [SR_BITS:0]     sr_sum_u = {1'b0, frac_u[P+SR_BITS-1 -: SR_BITS]} + {1'b0, rand_i};
    wire away_u = round_away(rm_i, s_z, kept_u[0], frac_u[P+SR_BITS-1],
                             |frac_u[P+SR_BITS-2:0], sr_sum_u[SR_BITS]);
    wire tiny = ~be_normal & ~((be == {EW{1'b0}}) & (&kept_u) & away_u);

    // ------------------------------------------------------------------------------------------
    // Increment and pack: exponent field (be - 1 for normals, 0 below) plus the significand with its
    // hidden bit, plus the round bit. Carries ripple into the exponent field (subnormal -> normal,
    // 1.1..1 -> next binade) without a second normalisation.
    // ------------------------------------------------------------------------------------------
    wire [EW-1:0] be_u   = be;
    wire [EW-1:0] e_base = be_normal ? (be_u - ONE_V[EW-1:0]) : {EW{1'b0}};
    wire [MW-1:0] mag    = {e_base, {MAN_W{1'b0}}}
                         + {{(MW-P){1'b0}}, kept}
                         + {{(MW-1){1'b0}}, away};
    wire          ovf    = (mag > {{(MW-W+1){1'b0}}, max_mag});
    wire          mag_zero = ~|mag;

    // ------------------------------------------------------------------------------------------
    // Overflow value by policy (docs/numerics.md "Overflow")
    // ------------------------------------------------------------------------------------------
    wire toward_zero = (rm_i == `FP_RM_RTZ) | ((rm_i == `FP_RM_RDN) & ~s_z) | ((rm_i == `FP_RM_RUP) & s_z);
    wire sat_policy  = (ovf_i == `FP_OVF_SAT) | (ovf_i == `FP_OVF_SATPROP);
    // the overflow value: +-Inf, else the canonical NaN, else +-max
    wire [W-1:0] ovf_value = INF_EN             ? {s_z, inf_mag}
                           : (IS_FN | IS_FNUZ)  ? nan_code
                           :                      {s_z, max_mag};
    wire ovf_to_max = sat_policy | toward_zero | ((rm_i == `FP_RM_ROD) & max_mag[0]);
    wire [W-1:0] ovf_res = ovf_to_max ? {s_z, max_mag} : ovf_value;

    // Finite result: a zero that came from rounding keeps its sign, except in FNUZ (+0 only).
    wire [W-1:0] fin_res = mag_zero ? {s_z & ~IS_FNUZ, {(W-1){1'b0}}} : {s_z, mag[W-2:0]};

    // ------------------------------------------------------------------------------------------
    // Special cases and the output mux
    // ------------------------------------------------------------------------------------------
    wire any_nan   = nan_a | nan_b;
    wire any_inf   = inf_a | inf_b;
    wire any_zero  = zero_a | zero_b;
    wire inv_mul   = any_inf & any_zero;                              // 0 * Inf
    wire [W-1:0] inf_res  = (ovf_i == `FP_OVF_SAT) ? {s_z, max_mag} : {s_z, inf_mag};
    wire [W-1:0] zero_res = {s_z & ~IS_FNUZ, {(W-1){1'b0}}};

    reg [W-1:0]             z;
    reg [`FP_FLAGS_W-1:0]   fl;
    always @* begin
        fl = {`FP_FLAGS_W{1'b0}};
        if (any_nan | inv_mul) begin
            z = nan_code;
            fl[`FP_FLAG_NV] = snan_a | snan_b | inv_mul;
        end else if (any_inf) begin
            z = inf_res;
        end else if (any_zero) begin
            z = zero_res;
        end else if (ovf) begin
            z = ovf_res;
            fl[`FP_FLAG_OF] = 1'b1;
            fl[`FP_FLAG_NX] = 1'b1;
        end else begin
            z = fin_res;
            fl[`FP_FLAG_UF] = tiny & inexact;
            fl[`FP_FLAG_NX] = inexact;
        end
    end

    assign z_o     = z;
    assign flags_o = fl;

endmodule

`default_nettype wire
