// quire_mac: registered posit<N,ES> quire multiply-accumulate unit, bit-exact to
// refmodel.units.quire_mac.QuireMAC (docs/posits.md "The quire").
//
// What it computes, per accepted input (in_valid_i = 1), one step of the model's trace:
//   clear_i = 1      the quire becomes 0 and leaves NaR; a_i, b_i, sub_i are ignored this step.
//   otherwise        q <- q + a*b exactly, or q - a*b when sub_i (qMulAdd / qMulSub). A NaR operand,
//                    or a sum outside (-2^(QB-1), 2^(QB-1)) (carry overflow), makes the quire NaR
//                    until the next clear (the register keeps its last value meanwhile).
//   then             z_o = the quire after the update rounded once into posit<N,ES> (qToP) in mode
//                    rm_i with the random integer r_i of the same step (sr), or NaR; nar_o = the
//                    quire is NaR.
//   Steps with in_valid_i = 0 are bubbles: no update, no output (out_valid_o = 0 for them).
//   Quire layout: value = (two's-complement integer of its QB bits) 2^-QF, QB = 1 + QUIRE_CARRY +
//   2 QF with QF = 2 (N-2) 2^ES fraction bits and as many integer bits, so minpos^2 and maxpos^2 are
//   exact. QUIRE_CARRY defaults to the format's layout: 31 (the 2022 standard, 16N bits) for ES = 2,
//   N-1 (SoftPosit's) otherwise. The register pattern 10..0 is never a value (it is NaR's in the
//   standard); NaR is held in its own flag.
//   Datapath: decode a, b (posit_decode) -> exact significand product -> shift into the quire's
//   fixed point (every posit is a multiple of minpos, so nothing falls off) | add or subtract into
//   the QB-bit quire, overflow check on QB+1 bits | magnitude (two's complement), leading-zero count,
//   normalising shift, sticky, posit_encode (one rounding, saturates to +-maxpos / +-minpos).
//
// Parameters (override by name only):
//   N            code width, 3 <= N <= 32.
//   ES           exponent field width, 0 <= ES <= 4.
//   SR_BITS      N_sr, the random bits per stochastic readout rounding, >= 1.
//   QUIRE_CARRY  carry-guard bits C, >= 1 (default 31 for ES = 2, N - 1 otherwise).
//
// Ports:
//   clk_i                  clock, rising edge.
//   rst_ni                 asynchronous reset, active low: q = 0, not NaR, pipeline empty, z_o = 0.
//   in_valid_i             the inputs below form a step of the trace (no backpressure: never stalls).
//   clear_i                clear the quire this step.
//   sub_i                  subtract the product this step (qMulSub).
//   a_i     [N-1:0]        operand a, a posit code.
//   b_i     [N-1:0]        operand b.
//   rm_i    [2:0]          readout rounding mode of this step, `FP_RM_*: 6 sr; 0 rne, others act as rne.
//   r_i     [SR_BITS-1:0]  R, the random integer of this step's sr readout.
//   z_o     [N-1:0]        the quire after the step, rounded (NaR when nar_o).
//   nar_o                  the quire is NaR after the step.
//   out_valid_o            z_o and nar_o hold a step's result.
//
// Latency: 3 register stages, throughput one step per cycle. The step sampled at rising edge t
// (in_valid_i = 1) is in the product register after edge t, in the quire after edge t+1, and on
// z_o / nar_o with out_valid_o = 1 after edge t+2 (for one cycle; z_o and nar_o hold their value
// while out_valid_o is 0). Stage 1: decode, multiply,
// align. Stage 2: accumulate (a one-cycle loop: back-to-back steps accumulate without hazard).
// Stage 3: readout rounding.

`ifndef QUIRE_MAC_V
`define QUIRE_MAC_V

// The submodules come in through -I rtl/common (the lint and build include path), guarded so
// that listing their files as sources too is harmless.
`include "../posit/posit_lzc.v"
`include "../posit/posit_decode.v"
`include "../posit/posit_encode.v"
`default_nettype none
`include "fp_defs.vh"
`include "posit_defs.vh"

module quire_mac #(
    parameter integer N           = 16,
    parameter integer ES          = 1,
    parameter integer SR_BITS     = 8,
    parameter integer QUIRE_CARRY = (ES == 2) ? 31 : N - 1
) (
    input  wire                  clk_i,
    input  wire                  rst_ni,
    input  wire                  in_valid_i,
    input  wire                  clear_i,
    input  wire                  sub_i,
    input  wire [N-1:0]          a_i,
    input  wire [N-1:0]          b_i,
    input  wire [`FP_RM_W-1:0]   rm_i,
    input  wire [SR_BITS-1:0]    r_i,
    output reg  [N-1:0]          z_o,
    output reg                   nar_o,
    output reg                   out_valid_o
);

    localparam integer SW   = `POSIT_SW(N,ES);
    localparam integer FW   = `POSIT_FW(N,ES);
    localparam integer MAXS = `POSIT_MAXS(N,ES);
    localparam integer QF   = 2 * MAXS;                  // quire fraction bits (= integer bits)
    localparam integer QB   = 1 + QUIRE_CARRY + 2 * QF;  // quire width
    localparam integer P    = FW + 1;
    localparam integer PW   = 2 * P;                     // exact significand product
    localparam integer AW   = QB + 2 * FW;               // product aligned with 2 FW extra low bits
    localparam integer ASW  = $clog2(2 * QF + 1);        // alignment shift 0 .. 2 QF
    localparam integer MW   = QB - 1;                    // magnitude bits (|q| < 2^(QB-1))
    localparam integer LZW  = $clog2(MW + 1);
    localparam integer FI   = `POSIT_REQ(N,ES,SR_BITS);  // fraction bits handed to the rounder
    localparam integer NXW  = MW + FI;                   // normalised magnitude, zero-extended
    localparam integer SIW  = (LZW > SW ? LZW : SW) + 2;
    localparam [31:0] QF_V   = QF;
    localparam [31:0] TOP_V  = MW - 1 - QF;              // scale of magnitude bit MW-1

    // ------------------------------------------------------------------------------------------
    // Stage 1: decode, exact product, alignment into the quire's fixed point
    // ------------------------------------------------------------------------------------------
    wire                 sa, sb, nar_a, nar_b, zero_a, zero_b;
    wire signed [SW-1:0] ea, eb;
    wire [FW-1:0]        fa, fb;

    posit_decode #(.N(N), .ES(ES)) u_dec_a (
        .code_i(a_i), .sign_o(sa), .nar_o(nar_a), .zero_o(zero_a), .scale_o(ea), .frac_o(fa));
    posit_decode #(.N(N), .ES(ES)) u_dec_b (
        .code_i(b_i), .sign_o(sb), .nar_o(nar_b), .zero_o(zero_b), .scale_o(eb), .frac_o(fb));

    wire [PW-1:0] prod = {{P{1'b0}}, 1'b1, fa} * {{P{1'b0}}, 1'b1, fb};
    // product = prod 2^(ea + eb - 2 FW); quire integer = product 2^QF: shift left by
    // ea + eb + QF in [0, 2 QF] into a vector with 2 FW extra low bits (those are always zero)
    wire signed [SW:0] esum = $signed({ea[SW-1], ea}) + $signed({eb[SW-1], eb})
                            + $signed(QF_V[SW:0]);
    wire [SW:0]      esum_u = esum;
    wire [ASW-1:0]   ash    = esum_u[ASW-1:0];
    wire [AW-1:0]    pal_x  = {{(AW-PW){1'b0}}, prod} << ash;
    wire [QB-1:0]    pal    = (zero_a | zero_b) ? {QB{1'b0}} : pal_x[AW-1:2*FW];

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_s1 = ^{esum_u, pal_x[2*FW-1:0]};
    /* verilator lint_on UNUSEDSIGNAL */

    reg                v1, clr1, nar1, neg1;
    reg [QB-1:0]       p1;
    reg [`FP_RM_W-1:0] rm1;
    reg [SR_BITS-1:0]  r1;

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            v1   <= 1'b0;
            clr1 <= 1'b0;
            nar1 <= 1'b0;
            neg1 <= 1'b0;
            p1   <= {QB{1'b0}};
            rm1  <= {`FP_RM_W{1'b0}};
            r1   <= {SR_BITS{1'b0}};
        end else begin
            v1 <= in_valid_i;
            if (in_valid_i) begin
                clr1 <= clear_i;
                nar1 <= nar_a | nar_b;
                neg1 <= sa ^ sb ^ sub_i;
                p1   <= pal;
                rm1  <= rm_i;
                r1   <= r_i;
            end
        end
    end

    // ------------------------------------------------------------------------------------------
    // Stage 2: accumulate, with carry-overflow detection on QB + 1 bits
    // ------------------------------------------------------------------------------------------
    reg [QB-1:0]       q;
    reg                qnar, v2;
    reg [`FP_RM_W-1:0] rm2;
    reg [SR_BITS-1:0]  r2;

    wire [QB:0] q_x  = {q[QB-1], q};
    wire [QB:0] p_x  = {1'b0, p1};
    wire [QB:0] qsum = neg1 ? (q_x - p_x) : (q_x + p_x);
    // in range iff -2^(QB-1) < qsum < 2^(QB-1): the two top bits agree and it is not 10..0
    wire qovf = (qsum[QB] != qsum[QB-1]) | (qsum[QB-1] & ~|qsum[QB-2:0]);

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            q    <= {QB{1'b0}};
            qnar <= 1'b0;
            v2   <= 1'b0;
            rm2  <= {`FP_RM_W{1'b0}};
            r2   <= {SR_BITS{1'b0}};
        end else begin
            v2 <= v1;
            if (v1) begin
                rm2 <= rm1;
                r2  <= r1;
                if (clr1) begin
                    q    <= {QB{1'b0}};
                    qnar <= 1'b0;
                end else if (!qnar) begin
                    if (nar1 | qovf) qnar <= 1'b1;
                    else             q    <= qsum[QB-1:0];
                end
            end
        end
    end

    // ------------------------------------------------------------------------------------------
    // Stage 3: readout, the quire rounded once
    // ------------------------------------------------------------------------------------------
    wire          qneg = q[QB-1];
    wire [QB-1:0] qabs = qneg ? (~q + {{(QB-1){1'b0}}, 1'b1}) : q;
    wire [MW-1:0] qmag = qabs[MW-1:0];                   // qabs[QB-1] = 0: 10..0 never occurs
    wire          qzero = ~|qmag;

    wire [LZW-1:0] lz;
    wire [MW-1:0]  qnorm;                                // leading one at the top
    posit_lzc #(.W(MW), .CW(LZW)) u_lzc (.x_i(qmag), .cnt_o(lz), .norm_o(qnorm));
    wire [NXW-1:0] qn    = {qnorm, {FI{1'b0}}};
    wire [FI-1:0]  qfrac = qn[NXW-2 -: FI];
    wire           qstk  = |qn[NXW-2-FI:0];
    // scale of the leading one: (MW - 1 - lz) - QF
    wire signed [SIW-1:0] qscale = $signed(TOP_V[SIW-1:0]) - $signed({{(SIW-LZW){1'b0}}, lz});

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_s3 = ^{qabs[QB-1], qn[NXW-1]};
    /* verilator lint_on UNUSEDSIGNAL */

    wire [N-1:0] zq;
    posit_encode #(.N(N), .ES(ES), .FI(FI), .SIW(SIW), .SR_BITS(SR_BITS)) u_enc (
        .sign_i  (qneg),
        .nar_i   (qnar),
        .zero_i  (qzero),
        .scale_i (qscale),
        .frac_i  (qfrac),
        .sticky_i(qstk),
        .rm_i    (rm2),
        .rand_i  (r2),
        .z_o     (zq)
    );

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            z_o         <= {N{1'b0}};
            nar_o       <= 1'b0;
            out_valid_o <= 1'b0;
        end else begin
            out_valid_o <= v2;
            if (v2) begin
                z_o   <= zq;
                nar_o <= qnar;
            end
        end
    end

endmodule

`default_nettype wire

`endif  // QUIRE_MAC_V
