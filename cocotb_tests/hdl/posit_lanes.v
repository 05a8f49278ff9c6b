// posit_lanes: testbench-only wrapper of the posit datapaths for one format, so that one simulator
// build serves every posit test of that format: LANES lanes of (posit_add, posit_add in subtract
// mode, posit_mul) side by side, so that one cocotb transaction checks add, sub and mul of LANES
// operand pairs at once, plus two quire_mac units driven by the same inputs: one with the format's
// quire layout (QUIRE_CARRY) and one with a SMALL_CARRY-bit carry guard, whose carry overflow
// (NaR until clear) short traces reach.
//
// Parameters (override by name only): LANES, the lane count, >= 1; Q_STEPS, the quire steps per
// batch, >= 2; N, ES, SR_BITS as in
// rtl/posit/posit_add.v (passed to every lane and to the quire MAC); QUIRE_CARRY as in
// rtl/posit/quire_mac.v (default: the format's layout); SMALL_CARRY, the second unit's carry guard.
//
// Ports (lane k occupies bits [k*W +: W] of each bus, W its field width):
//   a_i       [LANES*N-1:0]        operand a per lane.
//   b_i       [LANES*N-1:0]        operand b per lane.
//   rand_i    [LANES*SR_BITS-1:0]  random integer R per lane (sr), shared by the lane's three units.
//   rm_i      [2:0]                rounding mode, shared by all lanes (0 rne, 6 sr).
//   add_o     [LANES*N-1:0]        a + b per lane.
//   sub_o     [LANES*N-1:0]        a - b per lane.
//   mul_o     [LANES*N-1:0]        a * b per lane.
//   clk_i, rst_ni                  clock and active-low reset of the quire MACs and the sequencer.
//   q_steps_i [Q_STEPS*QSW-1:0]    Q_STEPS quire MAC steps, one per clock cycle: step j (bits
//                                  [j*QSW +: QSW]) drives the units in the cycle where the sequencer
//                                  count is j (the count is 0 after reset and wraps at Q_STEPS), so
//                                  cocotb writes a batch every Q_STEPS cycles instead of one step a
//                                  cycle. A step is {in_valid, clear, sub, rm[2:0], r[SR_BITS-1:0],
//                                  a[N-1:0], b[N-1:0]}, QSW = 2N+SR_BITS+6 bits.
//   q_hist_o  [Q_STEPS*QOW-1:0]    the units' outputs of the last Q_STEPS cycles, the newest in the
//                                  low bits: each rising edge shifts in the outputs as they were in
//                                  the cycle it ends. An entry is {out_valid, nar, z[N-1:0]} of the
//                                  SMALL_CARRY unit above the same of the QUIRE_CARRY unit,
//                                  QOW = 2N+4 bits.
//
// Latency: 0 for the lanes (combinational); the quire MAC's (3 register stages), seen one cycle later
// in q_hist_o.

`default_nettype none

module posit_lanes #(
    parameter integer LANES       = 16,
    parameter integer N           = 16,
    parameter integer ES          = 1,
    parameter integer SR_BITS     = 16,
    parameter integer QUIRE_CARRY = (ES == 2) ? 31 : N - 1,
    parameter integer SMALL_CARRY = 2,
    parameter integer Q_STEPS     = 32
) (
    input  wire [LANES*N-1:0]       a_i,
    input  wire [LANES*N-1:0]       b_i,
    input  wire [LANES*SR_BITS-1:0] rand_i,
    input  wire [2:0]               rm_i,
    output wire [LANES*N-1:0]       add_o,
    output wire [LANES*N-1:0]       sub_o,
    output wire [LANES*N-1:0]       mul_o,

    input  wire                     clk_i,
    input  wire                     rst_ni,
    input  wire [Q_STEPS*(2*N+SR_BITS+6)-1:0] q_steps_i,
    output reg  [Q_STEPS*(2*N+4)-1:0]         q_hist_o
);

    localparam integer QSW = 2 * N + SR_BITS + 6;
    localparam integer QOW = 2 * N + 4;
    localparam integer CW  = $clog2(Q_STEPS);             // Q_STEPS >= 2
    localparam [31:0]  LAST_V = Q_STEPS - 1;
    localparam [CW-1:0] LAST = LAST_V[CW-1:0];

    genvar k;
    generate
        for (k = 0; k < LANES; k = k + 1) begin : g_lane
            posit_add #(.N(N), .ES(ES), .SR_BITS(SR_BITS)) u_add (
                .a_i(a_i[k*N +: N]), .b_i(b_i[k*N +: N]), .sub_i(1'b0), .rm_i(rm_i),
                .rand_i(rand_i[k*SR_BITS +: SR_BITS]), .z_o(add_o[k*N +: N]));
            posit_add #(.N(N), .ES(ES), .SR_BITS(SR_BITS)) u_sub (
                .a_i(a_i[k*N +: N]), .b_i(b_i[k*N +: N]), .sub_i(1'b1), .rm_i(rm_i),
                .rand_i(rand_i[k*SR_BITS +: SR_BITS]), .z_o(sub_o[k*N +: N]));
            posit_mul #(.N(N), .ES(ES), .SR_BITS(SR_BITS)) u_mul (
                .a_i(a_i[k*N +: N]), .b_i(b_i[k*N +: N]), .rm_i(rm_i),
                .rand_i(rand_i[k*SR_BITS +: SR_BITS]), .z_o(mul_o[k*N +: N]));
        end
    endgenerate

    // ------------------------------------------------------------------------------------------
    // Sequencer: step `count` of the batch drives the units this cycle
    // ------------------------------------------------------------------------------------------
    reg  [CW-1:0]  count;
    wire [QSW-1:0] q_in_i = q_steps_i[count*QSW +: QSW];
    wire [QOW-1:0] q_out_o;

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            count    <= {CW{1'b0}};
            q_hist_o <= {(Q_STEPS*QOW){1'b0}};
        end else begin
            count    <= (count == LAST) ? {CW{1'b0}} : count + {{(CW-1){1'b0}}, 1'b1};
            q_hist_o <= {q_hist_o[(Q_STEPS-1)*QOW-1:0], q_out_o};
        end
    end

    // unpack the step
    wire               q_valid = q_in_i[2*N+SR_BITS+5];
    wire               q_clear = q_in_i[2*N+SR_BITS+4];
    wire               q_sub   = q_in_i[2*N+SR_BITS+3];
    wire [2:0]         q_rm    = q_in_i[2*N+SR_BITS+2 -: 3];
    wire [SR_BITS-1:0] q_r     = q_in_i[2*N+SR_BITS-1 -: SR_BITS];
    wire [N-1:0]       q_a     = q_in_i[2*N-1 -: N];
    wire [N-1:0]       q_b     = q_in_i[N-1:0];

    wire [N-1:0] z1, z2;
    wire         n1, n2, v1, v2;

    quire_mac #(.N(N), .ES(ES), .SR_BITS(SR_BITS), .QUIRE_CARRY(QUIRE_CARRY)) u_qmac (
        .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(q_valid), .clear_i(q_clear), .sub_i(q_sub),
        .a_i(q_a), .b_i(q_b), .rm_i(q_rm), .r_i(q_r), .z_o(z1), .nar_o(n1), .out_valid_o(v1));

    quire_mac #(.N(N), .ES(ES), .SR_BITS(SR_BITS), .QUIRE_CARRY(SMALL_CARRY)) u_qmac_small (
        .clk_i(clk_i), .rst_ni(rst_ni), .in_valid_i(q_valid), .clear_i(q_clear), .sub_i(q_sub),
        .a_i(q_a), .b_i(q_b), .rm_i(q_rm), .r_i(q_r), .z_o(z2), .nar_o(n2), .out_valid_o(v2));

    assign q_out_o = {v2, n2, z2, v1, n1, z1};

endmodule

`default_nettype wire
