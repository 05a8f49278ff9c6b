// flex_maxabs: the max|m| statistic of a Flexpoint output tensor (registered), bit-exact to the
// `maxabs` of refmodel.flex.mac.FlexMac.
//
// What it computes (docs/flexpoint.md "The requantizer": the statistic Autoflex reads):
//   maxabs_o is the largest |z_i| folded in (valid_i = 1) since the last clear_i, as an N-bit unsigned
//   integer (2^(N-1) when -2^(N-1) was written). At each rising edge, in this order:
//     clear_i = 1   the statistic restarts from 0 (before this edge's value counts);
//     valid_i = 1   maxabs <- max(maxabs, |z_i|).
//   So clear_i and valid_i at one edge leave |z_i|.
//
// Parameters (override by name only):
//   MAN_W  N, the mantissa width, >= 2.
//
// Ports:
//   clk_i                  clock, rising edge.
//   rst_ni                 asynchronous reset, active low: maxabs_o = 0.
//   clear_i                clear the statistic at this edge.
//   valid_i                fold |z_i| in at this edge.
//   z_i       [MAN_W-1:0]  a mantissa code, two's complement.
//   maxabs_o  [MAN_W-1:0]  the statistic, unsigned.
//
// Latency: 1 (maxabs_o is a register: it includes the values folded in at the previous edges).

`ifndef FLEX_MAXABS_V
`define FLEX_MAXABS_V

`default_nettype none

module flex_maxabs #(
    parameter integer MAN_W = 16
) (
    input  wire             clk_i,
    input  wire             rst_ni,
    input  wire             clear_i,
    input  wire             valid_i,
    input  wire [MAN_W-1:0] z_i,
    output reg  [MAN_W-1:0] maxabs_o
);

    // |z| in N bits unsigned: the two's-complement negation of a negative code (10..0 stays 10..0,
    // which read unsigned is 2^(N-1))
    wire [MAN_W-1:0] absz = z_i[MAN_W-1] ? (~z_i + {{(MAN_W-1){1'b0}}, 1'b1}) : z_i;
    wire [MAN_W-1:0] base = clear_i ? {MAN_W{1'b0}} : maxabs_o;
    wire [MAN_W-1:0] next = (valid_i && absz > base) ? absz : base;

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
            maxabs_o <= {MAN_W{1'b0}};
        end else begin
            maxabs_o <= next;
        end
    end

endmodule

`default_nettype wire

`endif  // FLEX_MAXABS_V
