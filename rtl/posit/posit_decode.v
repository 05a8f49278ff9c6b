// posit_decode: combinational posit<N,ES> decoder, code -> sign, NaR, zero, scale, fraction.
//
// What it computes (docs/posits.md "Formats"; refmodel.kernels.posit.posit_unpack is the model):
//   A code is sign | regime | ES exponent bits | fraction, negatives the two's complement of their
//   magnitude's code. The magnitude's N-1 body bits start with a run of m equal bits r0 (ended by
//   the opposite bit or by the end of the code): k = m - 1 when r0 = 1, k = -m when r0 = 0. The ES
//   bits after the run's terminator are the exponent e, the rest the fraction; bits cut off by the
//   end of the code are zeros. Value = (-1)^sign_o (1 + frac_o / 2^FW) 2^scale_o, scale_o = k 2^ES + e.
//   Code 0 is zero (zero_o), code 10..0 is NaR (nar_o); for those two sign_o is 0 and scale_o,
//   frac_o are don't-care.
//
// Parameters (override by name only):
//   N    code width, 3 <= N <= 32.
//   ES   exponent field width, 0 <= ES <= 4.
//
// Ports (macros of rtl/common/posit_defs.vh; FW = POSIT_FW(N,ES) = max(N-3-ES, 1),
//        SW = POSIT_SW(N,ES), a signed width holding +-(N-2) 2^ES):
//   code_i   [N-1:0]        the posit code.
//   sign_o                  1 for a negative value.
//   nar_o                   1 for NaR (code 10..0).
//   zero_o                  1 for zero (code 0).
//   scale_o  [SW-1:0]       signed: floor(log2 |value|), in [-(N-2) 2^ES, (N-2) 2^ES].
//   frac_o   [FW-1:0]       the fraction bits, left-aligned (the code's fraction field followed by
//                           zeros where the regime is long).
//
// Latency: 0 (purely combinational).

`ifndef POSIT_DECODE_V
`define POSIT_DECODE_V

// The leading-zero counter comes in through -I rtl/common (the lint and build include path),
// guarded so that listing its file as a source too is harmless.
`include "../posit/posit_lzc.v"

`default_nettype none
`include "posit_defs.vh"

module posit_decode #(
    parameter integer N  = 16,
    parameter integer ES = 1
) (
    input  wire [N-1:0]                      code_i,
    output reg                               sign_o,
    output reg                               nar_o,
    output reg                               zero_o,
    output reg signed [`POSIT_SW(N,ES)-1:0]  scale_o,
    output reg [`POSIT_FW(N,ES)-1:0]         frac_o
);

    localparam integer SW  = `POSIT_SW(N,ES);
    localparam integer FW  = `POSIT_FW(N,ES);
    localparam integer BW  = N - 1;              // body: the magnitude without its (zero) sign bit
    localparam integer PAD = ES + FW;            // zeros appended so that e and f always exist
    localparam integer XW  = BW + PAD;
    localparam [SW-1:0] ONE_S = 1;

    // Combinational blocks rather than nets of assigns: an event-driven simulator runs a block once
    // per input change, where a net re-evaluates every operator on every glitch of its inputs.

    // ------------------------------------------------------------------------------------------
    // Classify, take the magnitude's body (bit N-1 of the magnitude is 0 except for NaR), and flip
    // the regime run's bit value to 0 so that the run length is a leading-zero count
    // ------------------------------------------------------------------------------------------
    reg           rest_zero, r0;
    reg [BW-1:0]  body, inv;
    always @* begin
        rest_zero = ~|code_i[N-2:0];
        zero_o    = ~code_i[N-1] & rest_zero;
        nar_o     = code_i[N-1] & rest_zero;
        sign_o    = code_i[N-1] & ~rest_zero;
        body      = code_i[N-1] ? (~code_i[BW-1:0] + {{(BW-1){1'b0}}, 1'b1}) : code_i[BW-1:0];
        r0        = body[BW-1];
        inv       = r0 ? ~body : body;
    end

    wire [SW-1:0] m;                             // regime run length, 1 .. N-1
    /* verilator lint_off UNUSEDSIGNAL */
    wire [BW-1:0] inv_n;                         // (the normalised vector is not needed)
    /* verilator lint_on UNUSEDSIGNAL */
    posit_lzc #(.W(BW), .CW(SW)) u_run (.x_i(inv), .cnt_o(m), .norm_o(inv_n));

    // ------------------------------------------------------------------------------------------
    // k from the run; exponent and fraction are the bits after the run and its terminator
    // (m + 1 bits), zero-filled
    // ------------------------------------------------------------------------------------------
    reg [XW-1:0]         x;
    reg signed [SW-1:0]  k;
    /* verilator lint_off UNUSEDSIGNAL */
    reg [SW+XW-1:0]      e;                      // its low SW bits: the top ES bits of x
    /* verilator lint_on UNUSEDSIGNAL */
    always @* begin
        x       = {body, {PAD{1'b0}}} << (m + ONE_S);
        k       = r0 ? ($signed(m) - $signed(ONE_S)) : -$signed(m);
        e       = {{SW{1'b0}}, x} >> (XW - ES);  // (0 when ES = 0)
        scale_o = (k <<< ES) + $signed(e[SW-1:0]);
        frac_o  = x[XW-1-ES -: FW];
    end

endmodule

`default_nettype wire

`endif  // POSIT_DECODE_V
