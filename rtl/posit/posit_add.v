// posit_add: combinational posit<N,ES> adder/subtractor, z = round(a + b) or round(a - b), one
// rounding, bit-exact to refmodel (refmodel.posits.add / sub; docs/posits.md).
//
// What it computes:
//   The operands' magnitudes (two's complement of negative codes) are ordered by comparing them as
//   integers (posit codes are monotonic), then decoded (posit_decode); b's sign is flipped when sub_i.
//   The larger magnitude is kept as 1.f followed by G = SR_BITS + 2^ES + 1 zero guard bits; the smaller is
//   shifted right by the scale difference (clamped) into the same window, the bits that fall off
//   ORed into a sticky bit. The window sum (or difference, the sticky subtracted as one unit of the
//   window's last place so that the integer part stays the floor of the exact difference) is
//   normalised by a leading-zero count and handed with the sticky to posit_encode, which rounds it
//   once (rne, or sr with the value fraction) and saturates to +-maxpos / +-minpos. The window keeps
//   POSIT_REQ(N,ES,SR_BITS) exact fraction bits in every case (a sticky only arises for shifts >= 2,
//   where a difference loses at most one leading place), so every mode decides exactly.
//   Specials: a NaR operand gives NaR; x + 0 = x and 0 - b = -b (exact, no rounding); an exact
//   cancellation gives 0 (posits have one zero).
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
//   sub_i                  1: a - b; 0: a + b.
//   rm_i    [2:0]          rounding mode, `FP_RM_* of rtl/common/fp_defs.vh: 6 sr (P3109 StochasticA on
//                          the magnitude, value fraction); 0 rne, every other code acts as rne.
//   rand_i  [SR_BITS-1:0]  R, the random integer of sr (ignored in rne).
//   z_o     [N-1:0]        the result code.
//
// Latency: 0 (purely combinational; no clock, no reset). Register around it as needed.
//
// Datapath, in order: magnitudes -> compare and swap -> decode -> alignment shift with sticky ->
// add / subtract -> leading-zero count -> normalising shift -> posit_encode (round, pack, saturate)
// -> zero-operand and NaR muxes. Submodules: posit_decode, posit_lzc, posit_encode.

`ifndef POSIT_ADD_V
`define POSIT_ADD_V

// The submodules come in through -I rtl/common (the lint and build include path), guarded so
// that listing their files as sources too is harmless.
`include "../posit/posit_lzc.v"
`include "../posit/posit_decode.v"
`include "../posit/posit_encode.v"
`default_nettype none
`include "fp_defs.vh"
`include "posit_defs.vh"

module posit_add #(
    parameter integer N       = 16,
    parameter integer ES      = 1,
    parameter integer SR_BITS = 8
) (
    input  wire [N-1:0]          a_i,
    input  wire [N-1:0]          b_i,
    input  wire                  sub_i,
    input  wire [`FP_RM_W-1:0]   rm_i,
    input  wire [SR_BITS-1:0]    rand_i,
    output wire [N-1:0]          z_o
);

    localparam integer SW  = `POSIT_SW(N,ES);
    localparam integer FW  = `POSIT_FW(N,ES);
    localparam integer G   = SR_BITS + (1 << ES) + 1; // guard bits below the fraction
    localparam integer M   = FW + 1 + G;              // window: 1.f and the guard bits
    localparam integer SUMW = M + 1;                  // with the carry
    localparam integer LZW = $clog2(SUMW + 1);
    localparam integer DW  = SW + 1;                  // scale difference, up to 2 (N-2) 2^ES
    localparam integer SIW = (SW > LZW ? SW : LZW) + 2;
    localparam [31:0] M_V   = M;
    localparam [31:0] ONE_V = 1;

    // Combinational blocks rather than nets of assigns: an event-driven simulator runs a block once
    // per input change, where a net re-evaluates every operator on every glitch of its inputs.

    // ------------------------------------------------------------------------------------------
    // Classify; order by magnitude before decoding (positive posit codes order as their values)
    // ------------------------------------------------------------------------------------------
    reg         sa, sb, nar_a, nar_b, zero_a, zero_b, a_ge, s_big, s_sml;
    reg [N-1:0] mag_a, mag_b, code_big, code_sml, b_eff;
    always @* begin
        sa       = a_i[N-1];
        sb       = b_i[N-1] ^ sub_i;                            // b's effective sign
        nar_a    = sa & ~|a_i[N-2:0];
        nar_b    = b_i[N-1] & ~|b_i[N-2:0];
        zero_a   = ~|a_i;
        zero_b   = ~|b_i;
        mag_a    = sa ? (~a_i + {{(N-1){1'b0}}, 1'b1}) : a_i;
        mag_b    = b_i[N-1] ? (~b_i + {{(N-1){1'b0}}, 1'b1}) : b_i;
        a_ge     = (mag_a >= mag_b);
        s_big    = a_ge ? sa : sb;
        s_sml    = a_ge ? sb : sa;
        code_big = a_ge ? mag_a : mag_b;
        code_sml = a_ge ? mag_b : mag_a;
        b_eff    = sub_i ? (~b_i + {{(N-1){1'b0}}, 1'b1}) : b_i;  // -b is exact in posits
    end

    // ------------------------------------------------------------------------------------------
    // Decode the two magnitudes (positive codes)
    // ------------------------------------------------------------------------------------------
    /* verilator lint_off UNUSEDSIGNAL */
    wire                 dec_s_big, dec_n_big, dec_z_big, dec_s_sml, dec_n_sml, dec_z_sml;
    /* verilator lint_on UNUSEDSIGNAL */
    wire signed [SW-1:0] e_big, e_sml;
    wire [FW-1:0]        f_big, f_sml;

    posit_decode #(.N(N), .ES(ES)) u_dec_big (
        .code_i(code_big), .sign_o(dec_s_big), .nar_o(dec_n_big), .zero_o(dec_z_big),
        .scale_o(e_big), .frac_o(f_big));
    posit_decode #(.N(N), .ES(ES)) u_dec_sml (
        .code_i(code_sml), .sign_o(dec_s_sml), .nar_o(dec_n_sml), .zero_o(dec_z_sml),
        .scale_o(e_sml), .frac_o(f_sml));

    // ------------------------------------------------------------------------------------------
    // Align the smaller operand (the bits shifted out form the sticky) and add or subtract
    // ------------------------------------------------------------------------------------------
    reg signed [DW-1:0] diff;
    reg [DW-1:0]        diff_u;
    reg [31:0]          dsh;
    reg [M-1:0]         big, aligned;
    reg [2*M-1:0]       sm_x;
    reg                 stk, eff_sub, sum_zero;
    reg [SUMW-1:0]      sum;
    always @* begin
        diff     = $signed({e_big[SW-1], e_big}) - $signed({e_sml[SW-1], e_sml});
        diff_u   = diff;                                        // >= 0
        dsh      = {{(32-DW){1'b0}}, diff_u};
        if (dsh > M_V) dsh = M_V;                               // clamp: all bits to the sticky
        big      = {1'b1, f_big, {G{1'b0}}};
        sm_x     = {1'b1, f_sml, {G{1'b0}}, {M{1'b0}}} >> dsh;
        aligned  = sm_x[2*M-1:M];
        stk      = |sm_x[M-1:0];
        eff_sub  = s_big ^ s_sml;
        sum      = eff_sub
                 ? ({1'b0, big} - {1'b0, aligned} - {{(SUMW-1){1'b0}}, stk})  // floor of the exact difference
                 : ({1'b0, big} + {1'b0, aligned});                             // floor of the exact sum
        sum_zero = ~|sum & ~stk;                                // exact cancellation
    end

    // ------------------------------------------------------------------------------------------
    // Normalise: leading one to the top of the window; its scale is e_big + 1 - lz
    // ------------------------------------------------------------------------------------------
    wire [LZW-1:0]  lz;
    wire [SUMW-1:0] sn;
    posit_lzc #(.W(SUMW), .CW(LZW)) u_lzc (.x_i(sum), .cnt_o(lz), .norm_o(sn));

    reg [M-1:0]          frac;
    reg signed [SIW-1:0] scale;
    always @* begin
        frac  = sn[M-1:0];                                      // below the leading one
        scale = $signed({{(SIW-SW){e_big[SW-1]}}, e_big}) + $signed(ONE_V[SIW-1:0])
              - $signed({{(SIW-LZW){1'b0}}, lz});
    end

    wire [N-1:0] z_sum;
    posit_encode #(.N(N), .ES(ES), .FI(M), .SIW(SIW), .SR_BITS(SR_BITS)) u_enc (
        .sign_i  (s_big),
        .nar_i   (1'b0),
        .zero_i  (sum_zero),
        .scale_i (scale),
        .frac_i  (frac),
        .sticky_i(stk),
        .rm_i    (rm_i),
        .rand_i  (rand_i),
        .z_o     (z_sum)
    );

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_sn = sn[SUMW-1];                                // the leading one
    /* verilator lint_on UNUSEDSIGNAL */

    // ------------------------------------------------------------------------------------------
    // Specials: NaR, zero operands (exact)
    // ------------------------------------------------------------------------------------------
    assign z_o = (nar_a | nar_b) ? {1'b1, {(N-1){1'b0}}}
               : zero_a          ? b_eff
               : zero_b          ? a_i
               :                   z_sum;

endmodule

`default_nettype wire

`endif  // POSIT_ADD_V
