// posit_readmemh_tb: self-checking $readmemh testbench of rtl/posit/posit_add.v (add, sub) and
// rtl/posit/posit_mul.v (no cocotb, no VPI): it replays a list of golden vector files (STEM.hex: one
// vector per line, the fields concatenated MSB first, as `refmodel gen add|sub|mul` writes them) in
// one simulator process, LANES vectors per clock through LANES copies of both datapaths, compares the
// file's operation's result with its z field bit for bit, and prints one line per mismatch and a
// summary per file:
//   MISMATCH <file> <index> <a> <b> <r> <z expected> <z actual>      (hex; index counts from 0)
//   DONE <file> vectors=<n> mismatches=<m>
// and "ERROR: ..." for a file it cannot load (vec_source.v). The driver cocotb_tests/readmemh_posit.py
// builds it, writes the list from the files' manifests (STEM.json) and decodes the mismatches.
//
// The structure is fp_readmemh_tb.v's: static lanes reading their words from vec_source, one
// clocked process that loads the files and advances `base`. The operands of the unit a file does not
// exercise are held at zero, so an event-driven simulator (Icarus) does not evaluate it.
//
// Parameters (override by name only): N, ES, SR_BITS as in the datapaths; LANES copies evaluated
// together; DEPTH the vector memory's words (>= the largest file); WORD_W its width (>= the files'
// hex words); LOADER vec_source's file reader (0 $readmemh, 1 $fread and a decoding loop).
//
// Plusargs: +list=<file>: one line per vector file,
//   <STEM.hex> <count> <digits> <op 0 add|1 sub|2 mul> <rm 0..7> <a_lsb> <b_lsb> <z_lsb> <r_lsb> <r_w>
//   (digits per line; field positions in the hex word, each field N bits but r; r_w = 0: no r field;
//   R is driven as r << (SR_BITS - r_w)).
//   +max_report=<n>: mismatches printed per file (default 10); all are counted.
//
// Latency: the DUTs are combinational; the testbench's clock has a period of 2 time units.

`timescale 1ns / 1ps
`default_nettype none

module posit_readmemh_tb #(
    parameter integer N       = 16,
    parameter integer ES      = 1,
    parameter integer SR_BITS = 16,
    parameter integer LANES   = 16,
    parameter integer DEPTH   = 1 << 22,
    parameter integer WORD_W  = 64,
    parameter integer LOADER  = 0
);

    localparam [WORD_W-1:0] ONE = 1;

    reg clk;
    initial clk = 1'b0;
    always #1 clk = ~clk;

    // The file being replayed: its size, layout and operation; `base` is the current batch's first vector.
    integer     count, digits, a_lsb, b_lsb, z_lsb, r_lsb, r_w;
    reg  [31:0] base;
    reg         sub, is_mul;
    reg  [2:0]  rm;

    wire [LANES*WORD_W-1:0]  words;
    wire [LANES-1:0]         live;
    wire [LANES*N-1:0]       z_bus;
    wire [LANES*SR_BITS-1:0] r_bus;
    wire [LANES-1:0]         bad;

    vec_source #(.LANES(LANES), .DEPTH(DEPTH), .WORD_W(WORD_W), .LOADER(LOADER)) u_src (
        .base_i(base), .words_o(words), .live_o(live)
    );

    genvar k;
    generate
        for (k = 0; k < LANES; k = k + 1) begin : g_lane
            wire [WORD_W-1:0] word = words[k*WORD_W +: WORD_W];
            wire [WORD_W-1:0] a_f  = word >> a_lsb;
            wire [WORD_W-1:0] b_f  = word >> b_lsb;
            wire [WORD_W-1:0] z_f  = word >> z_lsb;
            wire [WORD_W-1:0] r_f  = (r_w == 0) ? {WORD_W{1'b0}}
                                   : ((word >> r_lsb) & ((ONE << r_w) - ONE)) << (SR_BITS - r_w);
            wire [N-1:0] a_add = is_mul ? {N{1'b0}} : a_f[N-1:0];
            wire [N-1:0] b_add = is_mul ? {N{1'b0}} : b_f[N-1:0];
            wire [N-1:0] a_mul = is_mul ? a_f[N-1:0] : {N{1'b0}};
            wire [N-1:0] b_mul = is_mul ? b_f[N-1:0] : {N{1'b0}};
            wire [N-1:0] z_add, z_mul;
            posit_add #(.N(N), .ES(ES), .SR_BITS(SR_BITS)) u_add (
                .a_i(a_add), .b_i(b_add), .sub_i(sub), .rm_i(rm), .rand_i(r_f[SR_BITS-1:0]), .z_o(z_add)
            );
            posit_mul #(.N(N), .ES(ES), .SR_BITS(SR_BITS)) u_mul (
                .a_i(a_mul), .b_i(b_mul), .rm_i(rm), .rand_i(r_f[SR_BITS-1:0]), .z_o(z_mul)
            );
            wire [N-1:0] z = is_mul ? z_mul : z_add;
            assign z_bus[k*N +: N]             = z;
            assign r_bus[k*SR_BITS +: SR_BITS] = r_f[SR_BITS-1:0];
            assign bad[k] = live[k] && (z !== z_f[N-1:0]);
        end
    endgenerate

    reg [8*1024-1:0] list_path, path;
    integer list, nfile, n_op, n_rm, max_report, mismatches, l, ok, errors;
    reg [WORD_W-1:0] word;
    reg running;

    initial begin
        base    = 0;
        is_mul  = 1'b0;
        running = 1'b0;
        nfile   = 0;
        errors  = 0;
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

    always @(posedge clk) begin
        if (!running) begin
            // the next file of the list: load it, or finish
            if ($fscanf(list, "%s %d %d %d %d %d %d %d %d %d\n", path, count, digits, n_op, n_rm,
                        a_lsb, b_lsb, z_lsb, r_lsb, r_w) == 10) begin
                if (r_w > SR_BITS) begin
                    $display("ERROR: %0s: %0d random bits, but SR_BITS is %0d", path, r_w, SR_BITS);
                    ok = 0;
                end else begin
                    u_src.load(path, count, digits, ok);
                end
                if (ok) begin
                    sub        = (n_op == 1);
                    is_mul     = (n_op == 2);
                    rm         = n_rm[2:0];
                    mismatches = 0;
                    running    = 1'b1;
                    base      <= 0;
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
            // the batch at `base` has settled since the last clock
            if (|bad) begin
                for (l = 0; l < LANES; l = l + 1) begin
                    if (bad[l]) begin
                        mismatches = mismatches + 1;
                        word = words[l*WORD_W +: WORD_W];
                        if (mismatches <= max_report)
                            $display("MISMATCH %0d %0d %h %h %h %h %h", nfile, base + l, word[a_lsb +: N],
                                     word[b_lsb +: N], r_bus[l*SR_BITS +: SR_BITS] >> (SR_BITS - r_w),
                                     word[z_lsb +: N], z_bus[l*N +: N]);
                    end
                end
            end
            if (base + LANES >= count) begin
                $display("DONE %0d vectors=%0d mismatches=%0d", nfile, count, mismatches);
                nfile   = nfile + 1;
                running = 1'b0;
            end else begin
                base <= base + LANES;
            end
        end
    end

endmodule

`default_nettype wire
