// fp_add_bank: testbench-only wrapper of rtl/fp/fp_add.v: up to four formats, each with LANES adders
// side by side behind one lane bus, so that one simulator build checks every format and one cocotb
// transaction (write a, b, R; wait 1 ns; read z, flags) checks LANES vectors of the selected format.
//
// The slots not selected see constant zero operands, so that an event-driven simulator (Icarus) never
// evaluates them. (Verilator evaluates the whole model at every time step whatever changed: cocotb's
// --public-flat-rw build makes every signal writable from outside, so a bank costs its size per step.)
//
// Parameters (override by name only):
//   LANES       adders per format, >= 1.
//   NFMT        formats in the bank, 1..4.
//   EXP_W_V, MAN_W_V, BIAS_V, NAN_STYLE_V, HAS_INF_V
//               [31:0] each: byte k holds that parameter of fp_add for format slot k (codes of up to
//               8 bits; a bias up to 127), e.g. EXP_W_V = 32'h05050504 for e4m3fn, e5m2, e5m2, e5m2.
//   SR_BITS     N of every adder.
//
// Ports (lane k occupies bits [k*8 +: 8] of the 8-bit-lane buses; a code of fewer bits sits in the
// low bits of its byte):
//   sel_i   [1:0]                the format slot under test (the others see constant zero inputs).
//   a_i, b_i [LANES*8-1:0]       operands per lane.
//   rand_i  [LANES*SR_BITS-1:0]  R per lane.
//   sub_i, rm_i [2:0], ovf_i [1:0]   shared by all lanes (fp_add.v).
//   z_o     [LANES*8-1:0]        result per lane (zero-extended to a byte).
//   flags_o [LANES*8-1:0]        flags per lane: {3'b000, NV, DZ, OF, UF, NX}.
//
// Latency: 0 (combinational).

`default_nettype none

module fp_add_bank #(
    parameter integer LANES       = 32,
    parameter integer NFMT        = 4,
    parameter [31:0]  EXP_W_V     = 32'h05050504,
    parameter [31:0]  MAN_W_V     = 32'h02020203,
    parameter [31:0]  BIAS_V      = 32'h1010_0f07,
    parameter [31:0]  NAN_STYLE_V = 32'h04020001,
    parameter [31:0]  HAS_INF_V   = 32'h01000100,
    parameter integer SR_BITS     = 8
) (
    input  wire [1:0]               sel_i,
    input  wire [LANES*8-1:0]       a_i,
    input  wire [LANES*8-1:0]       b_i,
    input  wire [LANES*SR_BITS-1:0] rand_i,
    input  wire                     sub_i,
    input  wire [2:0]               rm_i,
    input  wire [1:0]               ovf_i,
    output reg  [LANES*8-1:0]       z_o,
    output reg  [LANES*8-1:0]       flags_o
);

    localparam integer BW = LANES * 8;   // one slot's bus
    wire [4*BW-1:0] z_all, f_all;

    genvar s, k;
    generate
        for (s = 0; s < 4; s = s + 1) begin : g_fmt
            if (s < NFMT) begin : g_on
                localparam integer E     = {24'd0, EXP_W_V[8*s +: 8]};
                localparam integer M     = {24'd0, MAN_W_V[8*s +: 8]};
                localparam integer B     = {24'd0, BIAS_V[8*s +: 8]};
                localparam integer STYLE = {24'd0, NAN_STYLE_V[8*s +: 8]};
                localparam integer INF   = {24'd0, HAS_INF_V[8*s +: 8]};
                localparam integer W     = E + M + 1;
                localparam [1:0]   SEL   = s;
                wire active = (sel_i == SEL);
                for (k = 0; k < LANES; k = k + 1) begin : g_lane
                    wire [W-1:0] z;
                    wire [4:0]   f;
                    fp_add #(
                        .EXP_W(E), .MAN_W(M), .BIAS(B), .NAN_STYLE(STYLE), .HAS_INF(INF), .SR_BITS(SR_BITS)
                    ) u_add (
                        .a_i    (active ? a_i[k*8 +: W] : {W{1'b0}}),
                        .b_i    (active ? b_i[k*8 +: W] : {W{1'b0}}),
                        .sub_i  (sub_i),
                        .rm_i   (rm_i),
                        .ovf_i  (ovf_i),
                        .rand_i (active ? rand_i[k*SR_BITS +: SR_BITS] : {SR_BITS{1'b0}}),
                        .z_o    (z),
                        .flags_o(f)
                    );
                    if (W < 8) begin : g_pad
                        assign z_all[s*BW + k*8 +: 8] = {{(8-W){1'b0}}, z};
                    end else begin : g_full
                        assign z_all[s*BW + k*8 +: 8] = z;
                    end
                    assign f_all[s*BW + k*8 +: 8] = {3'b000, f};
                end
            end else begin : g_off
                assign z_all[s*BW +: BW] = {BW{1'b0}};
                assign f_all[s*BW +: BW] = {BW{1'b0}};
            end
        end
    endgenerate

    always @* begin
        z_o     = z_all[sel_i*BW +: BW];
        flags_o = f_all[sel_i*BW +: BW];
    end

endmodule

`default_nettype wire
