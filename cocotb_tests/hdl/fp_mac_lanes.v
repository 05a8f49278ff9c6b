// fp_mac_lanes: testbench-only wrapper that puts LANES independent rtl/fp/fp_mac.v units side by side,
// so that one cocotb clock cycle advances LANES independent MAC traces.
//
// Parameters (override by name only): LANES, >= 1; every other parameter as in rtl/fp/fp_mac.v,
// passed through to every lane.
//
// Ports (lane k occupies bits [k*X +: X] of each bus of X bits per lane; IN_W, ACC_W, SEC_W the code
// widths 1 + *_EXP_W + *_MAN_W):
//   clk_i, rst_ni                      clock and asynchronous active-low reset of every lane.
//   in_valid_i, clear_i, last_i, lfsr_load_i  [LANES-1:0]   one bit per lane.
//   a_i, b_i  [LANES*IN_W-1:0]         operands.
//   rand_prod_i, rand_i, rand_sum_i [LANES*SR_BITS-1:0]     random integers (USE_LFSR = 0).
//   lfsr_seed_i [LANES*LFSR_WIDTH-1:0] LFSR state to load (USE_LFSR = 1).
//   rm_i [2:0], ovf_i [1:0]            shared by all lanes.
//   acc_o [LANES*ACC_W-1:0], total_o [LANES*SEC_W-1:0], lfsr_o [LANES*LFSR_WIDTH-1:0]
//   flags_o [LANES*8-1:0]              {3'b000, NV, DZ, OF, UF, NX} per lane.
//   out_valid_o [LANES-1:0]
//
// Latency: 1, as fp_mac.

`default_nettype none

module fp_mac_lanes #(
    parameter integer LANES          = 4,
    parameter integer IN_EXP_W       = 5,
    parameter integer IN_MAN_W       = 2,
    parameter integer IN_BIAS        = 15,
    parameter integer IN_NAN_STYLE   = 0,
    parameter integer IN_HAS_INF     = 1,
    parameter integer ACC_EXP_W      = 6,
    parameter integer ACC_MAN_W      = 9,
    parameter integer ACC_BIAS       = 31,
    parameter integer ACC_NAN_STYLE  = 0,
    parameter integer ACC_HAS_INF    = 1,
    parameter integer CASCADE        = 0,
    parameter integer PROD_EXP_W     = 5,
    parameter integer PROD_MAN_W     = 10,
    parameter integer PROD_BIAS      = 15,
    parameter integer PROD_NAN_STYLE = 0,
    parameter integer PROD_HAS_INF   = 1,
    parameter integer CHUNKED        = 0,
    parameter integer CHUNK          = 0,
    parameter integer SEC_EXP_W      = 6,
    parameter integer SEC_MAN_W      = 9,
    parameter integer SEC_BIAS       = 31,
    parameter integer SEC_NAN_STYLE  = 0,
    parameter integer SEC_HAS_INF    = 1,
    parameter integer ALIGN_W        = 0,
    parameter integer STICKY         = 0,
    parameter integer SR_BITS        = 8,
    parameter integer USE_LFSR       = 0,
    parameter integer LFSR_WIDTH     = 32,
    parameter [31:0]  LFSR_TAPS      = 32'h0,
    parameter [31:0]  LFSR_SEED      = 32'h1
) (
    input  wire                                clk_i,
    input  wire                                rst_ni,
    input  wire [LANES-1:0]                    in_valid_i,
    input  wire [LANES-1:0]                    clear_i,
    input  wire [LANES-1:0]                    last_i,
    input  wire [LANES-1:0]                    lfsr_load_i,
    input  wire [LANES*(IN_EXP_W+IN_MAN_W+1)-1:0] a_i,
    input  wire [LANES*(IN_EXP_W+IN_MAN_W+1)-1:0] b_i,
    input  wire [LANES*SR_BITS-1:0]            rand_prod_i,
    input  wire [LANES*SR_BITS-1:0]            rand_i,
    input  wire [LANES*SR_BITS-1:0]            rand_sum_i,
    input  wire [LANES*LFSR_WIDTH-1:0]         lfsr_seed_i,
    input  wire [2:0]                          rm_i,
    input  wire [1:0]                          ovf_i,
    output wire [LANES*(ACC_EXP_W+ACC_MAN_W+1)-1:0] acc_o,
    output wire [LANES*(SEC_EXP_W+SEC_MAN_W+1)-1:0] total_o,
    output wire [LANES*8-1:0]                  flags_o,
    output wire [LANES-1:0]                    out_valid_o,
    output wire [LANES*LFSR_WIDTH-1:0]         lfsr_o
);

    localparam integer IN_W  = IN_EXP_W + IN_MAN_W + 1;
    localparam integer ACC_W = ACC_EXP_W + ACC_MAN_W + 1;
    localparam integer SEC_W = SEC_EXP_W + SEC_MAN_W + 1;

    genvar k;
    generate
        for (k = 0; k < LANES; k = k + 1) begin : g_lane
            wire [4:0] flags;
            fp_mac #(
                .IN_EXP_W(IN_EXP_W), .IN_MAN_W(IN_MAN_W), .IN_BIAS(IN_BIAS), .IN_NAN_STYLE(IN_NAN_STYLE),
                .IN_HAS_INF(IN_HAS_INF),
                .ACC_EXP_W(ACC_EXP_W), .ACC_MAN_W(ACC_MAN_W), .ACC_BIAS(ACC_BIAS), .ACC_NAN_STYLE(ACC_NAN_STYLE),
                .ACC_HAS_INF(ACC_HAS_INF),
                .CASCADE(CASCADE), .PROD_EXP_W(PROD_EXP_W), .PROD_MAN_W(PROD_MAN_W), .PROD_BIAS(PROD_BIAS),
                .PROD_NAN_STYLE(PROD_NAN_STYLE), .PROD_HAS_INF(PROD_HAS_INF),
                .CHUNKED(CHUNKED), .CHUNK(CHUNK), .SEC_EXP_W(SEC_EXP_W), .SEC_MAN_W(SEC_MAN_W), .SEC_BIAS(SEC_BIAS),
                .SEC_NAN_STYLE(SEC_NAN_STYLE), .SEC_HAS_INF(SEC_HAS_INF),
                .ALIGN_W(ALIGN_W), .STICKY(STICKY), .SR_BITS(SR_BITS),
                .USE_LFSR(USE_LFSR), .LFSR_WIDTH(LFSR_WIDTH), .LFSR_TAPS(LFSR_TAPS), .LFSR_SEED(LFSR_SEED)
            ) u_mac (
                .clk_i       (clk_i),
                .rst_ni      (rst_ni),
                .in_valid_i  (in_valid_i[k]),
                .clear_i     (clear_i[k]),
                .last_i      (last_i[k]),
                .a_i         (a_i[k*IN_W +: IN_W]),
                .b_i         (b_i[k*IN_W +: IN_W]),
                .rm_i        (rm_i),
                .ovf_i       (ovf_i),
                .rand_prod_i (rand_prod_i[k*SR_BITS +: SR_BITS]),
                .rand_i      (rand_i[k*SR_BITS +: SR_BITS]),
                .rand_sum_i  (rand_sum_i[k*SR_BITS +: SR_BITS]),
                .lfsr_load_i (lfsr_load_i[k]),
                .lfsr_seed_i (lfsr_seed_i[k*LFSR_WIDTH +: LFSR_WIDTH]),
                .acc_o       (acc_o[k*ACC_W +: ACC_W]),
                .total_o     (total_o[k*SEC_W +: SEC_W]),
                .flags_o     (flags),
                .out_valid_o (out_valid_o[k]),
                .lfsr_o      (lfsr_o[k*LFSR_WIDTH +: LFSR_WIDTH])
            );
            assign flags_o[k*8 +: 8] = {3'b000, flags};
        end
    endgenerate

endmodule

`default_nettype wire
