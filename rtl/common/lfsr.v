// lfsr: the Galois LFSR that feeds stochastic rounding, bit-identical to refmodel.units.lfsr.Lfsr
// (docs/units.md, "The PRNG: a Galois LFSR").
//
// What it computes: a right-shifting Galois LFSR of WIDTH bits. One step: the bit leaving bit 0 is
// the output; the state shifts right by one; if the output was 1, the mask TAPS (bit k-1 set for each
// tap k of the feedback polynomial x^WIDTH + ... + 1) is XORed in. The register steps step_i times
// per clock (0..STEPS), so that a datapath with several stochastic roundings in one cycle draws them
// in order. The rule of the model: the LFSR steps ONCE PER STOCHASTIC ROUNDING, BEFORE IT, and the
// rounder takes the LOW RAND_W BITS OF THE NEW STATE as R. Hence rand_o[k] (the low RAND_W bits of
// the state k + 1 steps ahead) is the R of the (k+1)-th stochastic rounding of this cycle; a unit
// that makes j roundings this cycle sets step_i = j and uses rand_o[0 .. j-1]. Deterministic
// roundings must not step it.
//
// Parameters (override by name only):
//   WIDTH    w, 2..32 bits.
//   TAPS     [31:0] the Galois XOR mask (Lfsr.mask: bit k-1 for each tap k, tap WIDTH included);
//            0 (default) selects the maximal-length taps of the width, refmodel's MAXIMAL_TAPS
//            (Xilinx XAPP052 table 3; 32 bits: 32,22,2,1 = 32'h80200003).
//   SEED     [31:0] the reset state, nonzero (0 locks the register); default 1 as the model.
//   STEPS    the most steps per clock, >= 1 (the stochastic roundings per cycle of the unit).
//   RAND_W   N, the random bits per rounding, 1..WIDTH.
//
// Ports:
//   clk_i                      clock, rising edge.
//   rst_ni                     asynchronous reset, active low: state := SEED.
//   load_i                     this cycle starts from load_state_i instead of the register: ahead_o,
//                              rand_o and the steps of this cycle follow from it (seeding at run time).
//   load_state_i [WIDTH-1:0]   the state to load (nonzero).
//   step_i [$clog2(STEPS+1)-1:0]  steps at this clock edge, 0..STEPS (larger values act as STEPS).
//   state_o [WIDTH-1:0]        the state register.
//   ahead_o [STEPS*WIDTH-1:0]  lane k: the state after k + 1 steps from this cycle's start (state_o,
//                              or load_state_i when load_i), combinational.
//   rand_o [STEPS*RAND_W-1:0]  lane k: the low RAND_W bits of lane k of ahead_o.
//
// Latency: the register takes the state after step_i steps at the clock edge; ahead_o and rand_o
// are combinational (from state_o, or from load_state_i when load_i).

`ifndef LFSR_V
`define LFSR_V

`default_nettype none

module lfsr #(
    parameter integer WIDTH  = 32,
    parameter [31:0]  TAPS   = 32'h0,
    parameter [31:0]  SEED   = 32'h1,
    parameter integer STEPS  = 1,
    parameter integer RAND_W = 8
) (
    input  wire                       clk_i,
    input  wire                       rst_ni,
    input  wire                       load_i,
    input  wire [WIDTH-1:0]           load_state_i,
    input  wire [$clog2(STEPS+1)-1:0] step_i,
    output wire [WIDTH-1:0]           state_o,
    output wire [STEPS*WIDTH-1:0]     ahead_o,
    output wire [STEPS*RAND_W-1:0]    rand_o
);

    // The maximal-length masks of refmodel.units.lfsr.MAXIMAL_TAPS.
    function [31:0] maximal_mask;
        input integer w;
        begin
            case (w)
                 2: maximal_mask = 32'h00000003;   // 2,1
                 3: maximal_mask = 32'h00000006;   // 3,2
                 4: maximal_mask = 32'h0000000c;   // 4,3
                 5: maximal_mask = 32'h00000014;   // 5,3
                 6: maximal_mask = 32'h00000030;   // 6,5
                 7: maximal_mask = 32'h00000060;   // 7,6
                 8: maximal_mask = 32'h000000b8;   // 8,6,5,4
                 9: maximal_mask = 32'h00000110;   // 9,5
                10: maximal_mask = 32'h00000240;   // 10,7
                11: maximal_mask = 32'h00000500;   // 11,9
                12: maximal_mask = 32'h00000829;   // 12,6,4,1
                13: maximal_mask = 32'h0000100d;   // 13,4,3,1
                14: maximal_mask = 32'h00002015;   // 14,5,3,1
                15: maximal_mask = 32'h00006000;   // 15,14
                16: maximal_mask = 32'h0000d008;   // 16,15,13,4
                17: maximal_mask = 32'h00012000;   // 17,14
                18: maximal_mask = 32'h00020400;   // 18,11
                19: maximal_mask = 32'h00040023;   // 19,6,2,1
                20: maximal_mask = 32'h00090000;   // 20,17
                21: maximal_mask = 32'h00140000;   // 21,19
                22: maximal_mask = 32'h00300000;   // 22,21
                23: maximal_mask = 32'h00420000;   // 23,18
                24: maximal_mask = 32'h00e10000;   // 24,23,22,17
                25: maximal_mask = 32'h01200000;   // 25,22
                26: maximal_mask = 32'h02000023;   // 26,6,2,1
                27: maximal_mask = 32'h04000013;   // 27,5,2,1
                28: maximal_mask = 32'h09000000;   // 28,25
                29: maximal_mask = 32'h14000000;   // 29,27
                30: maximal_mask = 32'h20000029;   // 30,6,4,1
                31: maximal_mask = 32'h48000000;   // 31,28
                default: maximal_mask = 32'h80200003;   // 32,22,2,1
            endcase
        end
    endfunction

    localparam [31:0]  MASK32 = (TAPS != 32'h0) ? TAPS : maximal_mask(WIDTH);
    localparam [WIDTH-1:0] MASK = MASK32[WIDTH-1:0];
    localparam integer SW = $clog2(STEPS + 1);

    reg [WIDTH-1:0]  state;
    wire [WIDTH-1:0] start = load_i ? load_state_i : state;   // this cycle's starting state

    // Stage k: cur = the state k + 1 steps from this cycle's start; upto = the state after
    // min(step_i, k + 1) steps. Separate wires per stage (no array), so the chain is acyclic.
    genvar k;
    generate
        for (k = 0; k < STEPS; k = k + 1) begin : g_step
            wire [WIDTH-1:0] prev;
            wire [WIDTH-1:0] prev_upto;
            if (k == 0) begin : g_first
                assign prev      = start;
                assign prev_upto = start;
            end else begin : g_next
                assign prev      = g_step[k-1].cur;
                assign prev_upto = g_step[k-1].upto;
            end
            localparam [SW-1:0] K = k;
            wire [WIDTH-1:0] cur  = prev[0] ? ((prev >> 1) ^ MASK) : (prev >> 1);
            wire [WIDTH-1:0] upto = (step_i > K) ? cur : prev_upto;
            assign ahead_o[k*WIDTH +: WIDTH] = cur;
            assign rand_o[k*RAND_W +: RAND_W] = cur[RAND_W-1:0];
        end
    endgenerate

    wire [WIDTH-1:0] next = g_step[STEPS-1].upto;

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) state <= SEED[WIDTH-1:0];
        else         state <= next;
    end

    assign state_o = state;

endmodule

`default_nettype wire

`endif  // LFSR_V
