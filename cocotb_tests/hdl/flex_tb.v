// flex_tb: testbench-only top for the Flexpoint datapaths: 3 x LANES flex_mac units side by side in
// three accumulator groups, plus RQ_LANES flex_requant units, so that one cocotb transaction per
// clock cycle drives every lane (one bus write, one bus read).
//
// Groups of MAC lanes (lane index j = g * LANES + k):
//   g = 0  ACC_W = EXACT_W (64: the model's exact accumulator), wrapping
//   g = 1  ACC_W = NARROW_W, wrapping (ACC_SAT = 0)
//   g = 2  ACC_W = NARROW_W, saturating (ACC_SAT = 1)
// The requantizer lanes have ACC_W = EXACT_W.
//
// Parameters (override by name only): MAN_W, EXP_W, SR_BITS as in rtl/flex/flex_mac.v; EXACT_W,
// NARROW_W the two accumulator widths; LANES MAC lanes per group; RQ_LANES requantizer lanes.
// 2 MAN_W + 3 EXP_W + SR_BITS + 7 <= 64 and EXP_W + 1 + EXP_W + 3 + SR_BITS <= 64.
//
// Ports (lane j of a bus occupies its bits [j*STRIDE +: STRIDE], fields from the lsb up):
//   clk_i, rst_ni                      clock and asynchronous active-low reset of every MAC lane.
//   mac_in_i  [3*LANES*64-1:0]         per MAC lane, 64 bits: a, b (MAN_W each), ea, eb, ez (EXP_W
//                                      each), rand (SR_BITS), rnd (3), clear, acc_en, requant,
//                                      stat_clear (1 each); the rest unused.
//   mac_out_o [3*LANES*64-1:0]         per MAC lane, 64 bits: z, maxabs (MAN_W each), ovf, out_valid;
//                                      the rest 0.
//   rq_in_i   [RQ_LANES*128-1:0]       per requantizer lane, 128 bits: acc (EXACT_W, in bits 0..63,
//                                      sign-extended to 64), then from bit 64: eacc (EXP_W+1),
//                                      ez (EXP_W), rnd (3), rand (SR_BITS); the rest unused.
//   rq_out_o  [RQ_LANES*32-1:0]        per requantizer lane, 32 bits: z (MAN_W), ovf; the rest 0.
//
// Latency: the MAC lanes as flex_mac (1); the requantizer lanes combinational.

`default_nettype none

module flex_tb #(
    parameter integer MAN_W    = 16,
    parameter integer EXP_W    = 5,
    parameter integer SR_BITS  = 8,
    parameter integer EXACT_W  = 64,
    parameter integer NARROW_W = 24,
    parameter integer LANES    = 8,
    parameter integer RQ_LANES = 16
) (
    input  wire                    clk_i,
    input  wire                    rst_ni,
    input  wire [3*LANES*64-1:0]   mac_in_i,
    output wire [3*LANES*64-1:0]   mac_out_o,
    input  wire [RQ_LANES*128-1:0] rq_in_i,
    output wire [RQ_LANES*32-1:0]  rq_out_o
);

    localparam integer N = MAN_W;
    localparam integer E = EXP_W;
    localparam integer O_EA  = 2 * N;
    localparam integer O_EB  = O_EA + E;
    localparam integer O_EZ  = O_EB + E;
    localparam integer O_R   = O_EZ + E;
    localparam integer O_RND = O_R + SR_BITS;
    localparam integer O_CTL = O_RND + 3;
    localparam integer OUT_W = 2 * N + 2;
    localparam integer RQ_EZ  = 64 + E + 1;
    localparam integer RQ_RND = RQ_EZ + E;
    localparam integer RQ_R   = RQ_RND + 3;


    // the lanes' unused input bits
    /* verilator lint_off UNUSEDSIGNAL */
    genvar j;
    generate
        for (j = 0; j < 3 * LANES; j = j + 1) begin : g_mac
            wire [63:0]    lane_in = mac_in_i[j*64 +: 64];
            wire [N-1:0]   z, maxabs;
            wire           ovf, valid;
            flex_mac #(
                .MAN_W(MAN_W), .EXP_W(EXP_W), .SR_BITS(SR_BITS),
                .ACC_W(j < LANES ? EXACT_W : NARROW_W), .ACC_SAT(j < 2 * LANES ? 0 : 1)
            ) u_mac (
                .clk_i       (clk_i),
                .rst_ni      (rst_ni),
                .clear_i     (lane_in[O_CTL]),
                .acc_en_i    (lane_in[O_CTL+1]),
                .a_i         (lane_in[0 +: N]),
                .b_i         (lane_in[N +: N]),
                .requant_i   (lane_in[O_CTL+2]),
                .ea_i        (lane_in[O_EA +: E]),
                .eb_i        (lane_in[O_EB +: E]),
                .ez_i        (lane_in[O_EZ +: E]),
                .rnd_i       (lane_in[O_RND +: 3]),
                .rand_i      (lane_in[O_R +: SR_BITS]),
                .stat_clear_i(lane_in[O_CTL+3]),
                .z_o         (z),
                .ovf_o       (ovf),
                .out_valid_o (valid),
                .maxabs_o    (maxabs)
            );
            assign mac_out_o[j*64 +: 64] = {{(64-OUT_W){1'b0}}, valid, ovf, maxabs, z};
        end

        for (j = 0; j < RQ_LANES; j = j + 1) begin : g_rq
            wire [127:0] lane_in = rq_in_i[j*128 +: 128];
            wire [N-1:0] z;
            wire         ovf;
            flex_requant #(.MAN_W(MAN_W), .EXP_W(EXP_W), .ACC_W(EXACT_W), .SR_BITS(SR_BITS)) u_rq (
                .acc_i (lane_in[0 +: EXACT_W]),
                .eacc_i(lane_in[64 +: E + 1]),
                .ez_i  (lane_in[RQ_EZ +: E]),
                .rnd_i (lane_in[RQ_RND +: 3]),
                .rand_i(lane_in[RQ_R +: SR_BITS]),
                .z_o   (z),
                .ovf_o (ovf)
            );
            assign rq_out_o[j*32 +: 32] = {{(32-N-1){1'b0}}, ovf, z};
        end
    endgenerate
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
