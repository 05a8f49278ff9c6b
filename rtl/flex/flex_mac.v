// flex_mac: the Flexpoint multiply-accumulate unit with its requantizer and max|m| statistic
// (registered), bit-exact to refmodel.flex.mac.FlexMac.cycle, port for port and cycle for cycle.
//
// What it computes (docs/flexpoint.md "The MAC unit, cycle by cycle"):
//   An ACC_W-bit two's-complement accumulator of exact products of N-bit mantissas. At each rising
//   edge, in this order:
//   1. stat_clear_i   maxabs <- 0.
//   2. requant_i      z_o, ovf_o <- requantize(acc as it was before this edge, shift
//                     dec_a + dec_b - dec_z = ea_i + eb_i - ez_i, rnd_i, rand_i) (flex_requant:
//                     rne or sr, saturation to [-2^(N-1), 2^(N-1) - 1], ovf_o = saturated);
//                     maxabs <- max(maxabs, |z|) (flex_maxabs). z_o and ovf_o hold otherwise.
//                     out_valid_o <- requant_i.
//   3. acc <- fit((clear_i ? 0 : acc) + (acc_en_i ? a_i * b_i : 0)): the sum is formed exactly, then
//                     wrapped modulo 2^ACC_W (ACC_SAT = 0) or clamped to [-2^(ACC_W-1), 2^(ACC_W-1) - 1]
//                     (ACC_SAT = 1).
//   So requant_i, clear_i and acc_en_i at one edge finish one dot product and start the next:
//   back-to-back dot products of length L take L cycles each.
//   The model's exact accumulator (acc_bits None) is a 64-bit register that cannot overflow within
//   refmodel.flex.accumulator.max_exact_terms products (2^33 - 1 for flex16): ACC_W = 64 here; for
//   dot products of length L, 2N + floor(log2 L) bits hold the same sums.
//
// Parameters (override by name only):
//   MAN_W    N, the mantissa width, 2..32 (flex16+5: 16).
//   EXP_W    E, the exponent field width, 1..8 (flex16+5: 5).
//   ACC_W    the accumulator width, >= 2; default 64, the model's exact accumulator.
//   ACC_SAT  0: a narrow accumulator wraps (two's complement); 1: it saturates, after every addition.
//   SR_BITS  the random bits per stochastic rounding, >= 1.
//
// Ports:
//   clk_i                     clock, rising edge.
//   rst_ni                    asynchronous reset, active low: acc, maxabs and the outputs become 0.
//   clear_i                   the accumulator restarts from 0 at this edge.
//   acc_en_i                  add a_i * b_i at this edge.
//   a_i, b_i   [MAN_W-1:0]    mantissa codes, two's complement.
//   requant_i                 round the accumulator into z_o at this edge.
//   ea_i, eb_i, ez_i [EXP_W-1:0]  exponent fields (dec = -exp) of a, b and z; read with requant_i.
//   rnd_i      [2:0]          rounding mode, `FP_RM_*: 0 rne, 6 sr (the other codes act as rne).
//   rand_i     [SR_BITS-1:0]  R for sr.
//   stat_clear_i              clear the max|m| statistic at this edge, before this edge's requantization
//                             counts.
//   z_o        [MAN_W-1:0]    the output mantissa code.
//   ovf_o                     z_o saturated.
//   out_valid_o               z_o, ovf_o were written at the last edge.
//   maxabs_o   [MAN_W-1:0]    max |z| since the last stat_clear_i, unsigned.
//
// Latency: 1 (registered outputs): the requantization requested at edge t is on z_o, ovf_o with
// out_valid_o = 1 after edge t, and in maxabs_o after edge t. Throughput one product per cycle.
//
// Datapath: requantizer on the accumulator register (combinational, flex_requant) -> z_o, ovf_o
// registers and the statistic register (flex_maxabs); in parallel N x N signed multiplier ->
// ACC_W-bit add, wrap or saturate -> accumulator register.

`ifndef FLEX_MAC_V
`define FLEX_MAC_V

// The submodules come in through -I rtl/common (the lint and build include path), guarded so that
// listing their files as sources too is harmless.
`include "../flex/flex_requant.v"
`include "../flex/flex_maxabs.v"
`default_nettype none
`include "fp_defs.vh"

module flex_mac #(
    parameter integer MAN_W   = 16,
    parameter integer EXP_W   = 5,
    parameter integer ACC_W   = 64,
    parameter integer ACC_SAT = 0,
    parameter integer SR_BITS = 8
) (
    input  wire                clk_i,
    input  wire                rst_ni,
    input  wire                clear_i,
    input  wire                acc_en_i,
    input  wire [MAN_W-1:0]    a_i,
    input  wire [MAN_W-1:0]    b_i,
    input  wire                requant_i,
    input  wire [EXP_W-1:0]    ea_i,
    input  wire [EXP_W-1:0]    eb_i,
    input  wire [EXP_W-1:0]    ez_i,
    input  wire [`FP_RM_W-1:0] rnd_i,
    input  wire [SR_BITS-1:0]  rand_i,
    input  wire                stat_clear_i,
    output reg  [MAN_W-1:0]    z_o,
    output reg                 ovf_o,
    output reg                 out_valid_o,
    output wire [MAN_W-1:0]    maxabs_o
);

    localparam integer PW   = 2 * MAN_W;                            // exact product width
    localparam integer SUMW = ((ACC_W > PW) ? ACC_W : PW) + 1;      // exact sum width

    // +-bounds of the accumulator in SUMW bits (for ACC_SAT)
    localparam [SUMW-1:0] ACC_MAX_C = {{(SUMW-ACC_W+1){1'b0}}, {(ACC_W-1){1'b1}}};
    localparam [SUMW-1:0] ACC_MIN_C = {{(SUMW-ACC_W+1){1'b1}}, {(ACC_W-1){1'b0}}};
    localparam [ACC_W-1:0] ACC_MAX  = {1'b0, {(ACC_W-1){1'b1}}};
    localparam [ACC_W-1:0] ACC_MIN  = {1'b1, {(ACC_W-1){1'b0}}};

    reg [ACC_W-1:0] acc_q;

    // ------------------------------------------------------------------------------------------
    // Requantizer on the accumulator as it is before the edge, and the statistic
    // ------------------------------------------------------------------------------------------
    wire [MAN_W-1:0] rq_z;
    wire             rq_ovf;
    wire [EXP_W:0]   eacc = {1'b0, ea_i} + {1'b0, eb_i};

    flex_requant #(.MAN_W(MAN_W), .EXP_W(EXP_W), .ACC_W(ACC_W), .SR_BITS(SR_BITS)) u_requant (
        .acc_i (acc_q),
        .eacc_i(eacc),
        .ez_i  (ez_i),
        .rnd_i (rnd_i),
        .rand_i(rand_i),
        .z_o   (rq_z),
        .ovf_o (rq_ovf)
    );

    flex_maxabs #(.MAN_W(MAN_W)) u_maxabs (
        .clk_i   (clk_i),
        .rst_ni  (rst_ni),
        .clear_i (stat_clear_i),
        .valid_i (requant_i),
        .z_i     (rq_z),
        .maxabs_o(maxabs_o)
    );

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            z_o         <= {MAN_W{1'b0}};
            ovf_o       <= 1'b0;
            out_valid_o <= 1'b0;
        end else begin
            out_valid_o <= requant_i;
            if (requant_i) begin
                z_o   <= rq_z;
                ovf_o <= rq_ovf;
            end
        end
    end

    // ------------------------------------------------------------------------------------------
    // Multiply and accumulate
    // ------------------------------------------------------------------------------------------
    wire signed [PW-1:0] prod = $signed(a_i) * $signed(b_i);
    wire [SUMW-1:0] base   = clear_i  ? {SUMW{1'b0}} : {{(SUMW-ACC_W){acc_q[ACC_W-1]}}, acc_q};
    wire [SUMW-1:0] addend = acc_en_i ? {{(SUMW-PW){prod[PW-1]}}, prod} : {SUMW{1'b0}};
    wire [SUMW-1:0] sum    = base + addend;
    wire            sat_hi = (ACC_SAT != 0) && ($signed(sum) > $signed(ACC_MAX_C));
    wire            sat_lo = (ACC_SAT != 0) && ($signed(sum) < $signed(ACC_MIN_C));
    wire [ACC_W-1:0] acc_d = sat_hi ? ACC_MAX : sat_lo ? ACC_MIN : sum[ACC_W-1:0];

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            acc_q <= {ACC_W{1'b0}};
        end else begin
            acc_q <= acc_d;
        end
    end

endmodule

`default_nettype wire

`endif  // FLEX_MAC_V
