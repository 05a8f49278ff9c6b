// fp_mul_lanes: testbench-only wrapper that puts LANES independent fp_mul instances side by side, so
// that one cocotb transaction (three writes, one delay, two reads) checks LANES vectors at once.
//
// Parameters (override by name only): LANES, the lane count, >= 1; EXP_W, MAN_W, BIAS, NAN_STYLE,
// HAS_INF, SR_BITS as in rtl/fp/fp_mul.v (passed through to every lane).
//
// Ports (W = 1 + EXP_W + MAN_W; lane k occupies bits [k*WIDTH +: WIDTH] of each bus):
//   a_i     [LANES*W-1:0]        operand a per lane.
//   b_i     [LANES*W-1:0]        operand b per lane.
//   rand_i  [LANES*SR_BITS-1:0]  random integer R per lane (stochastic rounding).
//   rm_i    [2:0]                rounding mode, shared by all lanes.
//   ovf_i   [1:0]                overflow policy, shared by all lanes.
//   z_o     [LANES*W-1:0]        result per lane.
//   flags_o [LANES*8-1:0]        flags per lane, padded to one byte: {3'b000, NV, DZ, OF, UF, NX}.
//
// Latency: 0 (combinational).

`default_nettype none

module fp_mul_lanes #(
    parameter integer LANES     = 64,
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = 1,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8
) (
    input  wire [LANES*(EXP_W+MAN_W+1)-1:0] a_i,
    input  wire [LANES*(EXP_W+MAN_W+1)-1:0] b_i,
    input  wire [LANES*SR_BITS-1:0]         rand_i,
    input  wire [2:0]                       rm_i,
    input  wire [1:0]                       ovf_i,
    output wire [LANES*(EXP_W+MAN_W+1)-1:0] z_o,
    output wire [LANES*8-1:0]               flags_o
);

    localparam integer W = EXP_W + MAN_W + 1;

    genvar k;
    generate
        for (k = 0; k < LANES; k = k + 1) begin : g_lane
            wire [4:0] flags;
            fp_mul #(
                .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS),
                .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF), .SR_BITS(SR_BITS)
            ) u_mul (
                .a_i    (a_i[k*W +: W]),
                .b_i    (b_i[k*W +: W]),
                .rm_i   (rm_i),
                .ovf_i  (ovf_i),
                .rand_i (rand_i[k*SR_BITS +: SR_BITS]),
                .z_o    (z_o[k*W +: W]),
                .flags_o(flags)
            );
            assign flags_o[k*8 +: 8] = {3'b000, flags};
        end
    endgenerate

endmodule

`default_nettype wire
