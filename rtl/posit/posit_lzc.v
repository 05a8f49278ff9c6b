// posit_lzc: combinational leading-zero counter and normaliser, the shared building block of the
// posit datapaths (regime run length in posit_decode, normalisation in posit_add and quire_mac).
//
// What it computes: cnt_o = the number of leading zeros of x_i (W when x_i = 0) and norm_o =
// x_i << cnt_o (its leading one at the top; 0 when x_i = 0). A binary search over log2(W) steps on
// the input padded at the bottom with ones to a power of two: step s tests whether the top 2^s bits
// of the running vector are zero and, if so, shifts it left by 2^s and sets bit s of the count.
// (Written as one always block: event-driven simulators evaluate it once per input change, where a
// net of stage muxes re-evaluates on every glitch of its input.)
//
// Parameters (override by name only):
//   W     input width, >= 1.
//   CW    count width, >= $clog2(W + 1) (the default).
//
// Ports:
//   x_i     [W-1:0]    the vector.
//   cnt_o   [CW-1:0]   leading zeros, 0 .. W.
//   norm_o  [W-1:0]    x_i shifted left by cnt_o.
//
// Latency: 0 (purely combinational).

`ifndef POSIT_LZC_V
`define POSIT_LZC_V

`default_nettype none

module posit_lzc #(
    parameter integer W  = 16,
    parameter integer CW = $clog2(W + 1)
) (
    input  wire [W-1:0]  x_i,
    output wire [CW-1:0] cnt_o,
    output wire [W-1:0]  norm_o
);

    localparam integer L = (W > 1) ? $clog2(W) : 1;   // search steps
    localparam integer P = 1 << L;                      // padded width, >= W
    localparam [31:0]  W_V = W;

    reg [P-1:0]  v;
    reg [CW-1:0] cnt;
    integer      s;
    always @* begin
        v   = {x_i, {(P-W){1'b1}}};
        cnt = {CW{1'b0}};
        for (s = L - 1; s >= 0; s = s - 1) begin
            if ((v >> (P - (1 << s))) == {P{1'b0}}) begin
                v   = v << (1 << s);
                cnt = cnt | (1 << s);
            end
        end
        // with P = W the search counts at most P - 1: an all-zero input is handled on its own
        if (x_i == {W{1'b0}}) cnt = W_V[CW-1:0];
    end

    assign cnt_o  = cnt;
    assign norm_o = x_i << cnt;

endmodule

`default_nettype wire

`endif  // POSIT_LZC_V
