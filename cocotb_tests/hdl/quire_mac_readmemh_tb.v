// quire_mac_readmemh_tb: self-checking $readmemh testbench of rtl/posit/quire_mac.v (no cocotb, no
// VPI): it replays a list of quire MAC traces of the model (STEM.hex of op quire_mac: one step per
// line, the fields clear sub a b [r] z nar concatenated MSB first, as `refmodel gen quire_mac`
// writes them), each from reset, one step per clock, and compares z_o and nar_o with each step's z
// and nar when the step leaves the pipeline (3 register stages: after the rising edge two clocks
// after the one that took it). The expected values travel in a two-deep pipeline of their own, and
// out_valid_o must be 1 exactly for the clocks that deliver a step. It prints
//   MISMATCH <file> <step> <z expected> <nar expected> <z actual> <nar actual> <out_valid>   (hex)
//   DONE <file> vectors=<steps> mismatches=<m>
// and "ERROR: ..." for a file it cannot load (vec_source.v). The driver is
// cocotb_tests/readmemh_quire.py.
//
// Parameters (override by name only): N, ES, SR_BITS, QUIRE_CARRY as in quire_mac; DEPTH the trace
// memory's words (>= the longest trace); WORD_W its width (>= the traces' hex words); LOADER
// vec_source's file reader (0 $readmemh, 1 $fread and a decoding loop).
//
// Plusargs: +list=<file>: one line per trace,
//   <STEM.hex> <count> <digits> <rm 0..7> <clear_lsb> <sub_lsb> <a_lsb> <b_lsb> <r_lsb> <r_w> <z_lsb> <nar_lsb>
//   (field positions in the hex word; r_w = 0: no r field, else R is driven as r << (SR_BITS - r_w)).
//   +max_report=<n>: mismatching steps printed per file (default 10); all are counted.

`timescale 1ns / 1ps
`default_nettype none

module quire_mac_readmemh_tb #(
    parameter integer N           = 16,
    parameter integer ES          = 1,
    parameter integer SR_BITS     = 16,
    parameter integer QUIRE_CARRY = (ES == 2) ? 31 : N - 1,
    parameter integer DEPTH       = 1 << 16,
    parameter integer WORD_W      = 64,
    parameter integer LOADER      = 0
);

    localparam [WORD_W-1:0] ONE = 1;

    reg clk;
    initial clk = 1'b0;
    always #1 clk = ~clk;

    // The trace being replayed: its layout and mode; `base` is the step driven for the next rising edge.
    integer     count, digits, clear_lsb, sub_lsb, a_lsb, b_lsb, r_lsb, r_w, z_lsb, nar_lsb;
    reg  [31:0] base;
    reg  [2:0]  rm;
    reg         rst_n, running;

    wire [WORD_W-1:0] word;
    wire              live;

    vec_source #(.LANES(1), .DEPTH(DEPTH), .WORD_W(WORD_W), .LOADER(LOADER)) u_src (
        .base_i(base), .words_o(word), .live_o(live)
    );

    wire [WORD_W-1:0] a_f = word >> a_lsb;
    wire [WORD_W-1:0] b_f = word >> b_lsb;
    wire [WORD_W-1:0] r_f = (r_w == 0) ? {WORD_W{1'b0}}
                          : ((word >> r_lsb) & ((ONE << r_w) - ONE)) << (SR_BITS - r_w);
    wire [WORD_W-1:0] z_f   = word >> z_lsb;
    wire [WORD_W-1:0] nar_f = word >> nar_lsb;
    wire              step  = running && live;  // a step of the trace goes in at the next rising edge

    wire [N-1:0] z;
    wire         nar, out_valid;

    quire_mac #(.N(N), .ES(ES), .SR_BITS(SR_BITS), .QUIRE_CARRY(QUIRE_CARRY)) u_quire (
        .clk_i(clk), .rst_ni(rst_n), .in_valid_i(step), .clear_i(word[clear_lsb]), .sub_i(word[sub_lsb]),
        .a_i(a_f[N-1:0]), .b_i(b_f[N-1:0]), .rm_i(rm), .r_i(r_f[SR_BITS-1:0]), .z_o(z), .nar_o(nar),
        .out_valid_o(out_valid)
    );

    // the expected {valid, step, z, nar} of the steps taken one and two rising edges ago
    reg [N+33:0] exp1, exp2;

    reg [8*1024-1:0] list_path, path;
    integer list, nfile, n_rm, max_report, mismatches, ok, errors;

    initial begin
        base    = 0;
        rst_n   = 1'b1;
        running = 1'b0;
        nfile   = 0;
        errors  = 0;
        rm      = 3'd0;
        {clear_lsb, sub_lsb, a_lsb, b_lsb, r_lsb, r_w, z_lsb, nar_lsb} = 256'd0;
        exp1    = 0;
        exp2    = 0;
        if (!$value$plusargs("list=%s", list_path)) begin
            $display("ERROR: +list=<file> missing");
            $finish;
        end
        if (!$value$plusargs("max_report=%d", max_report)) max_report = 10;
        list = $fopen(list_path, "r");
        if (list == 0) begin
            $display("ERROR: cannot open the list %0s", list_path);
            $finish;
        end
    end

    always @(negedge clk) begin
        if (!running) begin
            if (!rst_n) begin
                // the reset clock is over: step 0 goes in at the next rising edge
                rst_n   = 1'b1;
                running = 1'b1;
            end else if ($fscanf(list, "%s %d %d %d %d %d %d %d %d %d %d %d\n", path, count, digits, n_rm,
                                 clear_lsb, sub_lsb, a_lsb, b_lsb, r_lsb, r_w, z_lsb, nar_lsb) == 12) begin
                if (r_w > SR_BITS) begin
                    $display("ERROR: %0s: %0d random bits, but SR_BITS is %0d", path, r_w, SR_BITS);
                    ok = 0;
                end else begin
                    u_src.load(path, count, digits, ok);
                end
                if (ok) begin
                    rm         = n_rm[2:0];
                    mismatches = 0;
                    base       = 0;
                    exp1       = 0;
                    exp2       = 0;
                    rst_n      = 1'b0;  // one rising edge in reset
                end else begin
                    errors = errors + 1;
                    nfile  = nfile + 1;
                end
            end else begin
                $fclose(list);
                if (errors) $display("ERROR: %0d files could not be loaded", errors);
                $finish;
            end
        end else begin
            // the last rising edge took step `base` (if live) and delivered the step in exp2 (if valid)
            if (out_valid !== exp2[N+33] || (exp2[N+33] && {z, nar} !== {exp2[N:1], exp2[0]})) begin
                mismatches = mismatches + 1;
                if (mismatches <= max_report)
                    $display("MISMATCH %0d %0d %h %h %h %h %h", nfile, exp2[N+32:N+1], exp2[N:1], exp2[0], z, nar,
                             out_valid);
            end
            exp2 = exp1;
            exp1 = {live, base, z_f[N-1:0], nar_f[0]};
            if (base >= count + 1) begin
                // the trace's last step is out: base = count + 1 was the drain's second clock
                $display("DONE %0d vectors=%0d mismatches=%0d", nfile, count, mismatches);
                nfile   = nfile + 1;
                running = 1'b0;
            end else begin
                base = base + 1;
            end
        end
    end

endmodule

`default_nettype wire
