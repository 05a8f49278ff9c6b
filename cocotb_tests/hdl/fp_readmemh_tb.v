// fp_readmemh_tb: self-checking $readmemh testbench of rtl/fp/fp_add.v (add, sub) or rtl/fp/fp_mul.v
// (UNIT), no cocotb, no VPI: it replays a list of golden vector files (STEM.hex: one vector per line,
// the fields concatenated MSB first, as `refmodel gen add|sub|mul` writes them) in one simulator
// process, LANES vectors per clock through LANES units side by side, compares z and flags bit for
// bit, and prints one line per mismatch and a summary per file:
//   MISMATCH <file> <index> <a> <b> <r> <z expected> <flags expected> <z actual> <flags actual>   (hex)
//   DONE <file> vectors=<n> mismatches=<m>
// and "ERROR: ..." for a file it cannot load (vec_source.v). The driver cocotb_tests/readmemh_fp.py
// builds it (simulate.build_testbench), writes the list from the files' manifests (STEM.json),
// decodes the mismatches and measures vectors/s.
//
// Speed: the lanes are static logic reading their words from vec_source, and one clocked process
// loads the files, advances `base` and tests the lanes' mismatch bits. Only the clocked process
// writes what the lanes read, so Verilator evaluates them once per clock (a delay-driven initial
// process that wrote `base` had them evaluated twice per batch, in its active and NBA regions).
// One process replays a whole list, so its start is paid once per list, not per file.
//
// Parameters (override by name only): EXP_W, MAN_W, BIAS, NAN_STYLE, HAS_INF, SR_BITS as in
// rtl/fp/fp_add.v and fp_mul.v; UNIT 0 fp_add, 1 fp_mul (one build per unit: Verilator evaluates
// every instance each clock); LANES units evaluated together; DEPTH the vector memory's words (>= the
// largest file); WORD_W its width (>= the files' hex words); LOADER vec_source's file reader
// (0 $readmemh, 1 $fread and a decoding loop).
//
// Plusargs: +list=<file>: one line per vector file,
//   <STEM.hex> <count> <digits> <sub 0|1> <rm 0..7> <ovf 0..3> <a_lsb> <b_lsb> <z_lsb> <flags_lsb> <r_lsb> <r_w>
//   (sub: fp_add's sub_i, 0 for fp_mul; digits per line; field positions in the hex word; r_w = 0: no r field; R is driven as
//   r << (SR_BITS - r_w)).
//   +max_report=<n>: mismatches printed per file (default 10); all are counted.
//
// Latency: the DUT is combinational; the testbench's clock has a period of 2 time units.

`timescale 1ns / 1ps
`default_nettype none

module fp_readmemh_tb #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = 1,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8,
    parameter integer UNIT      = 0,
    parameter integer LANES     = 16,
    parameter integer DEPTH     = 1 << 17,
    parameter integer WORD_W    = 64,
    parameter integer LOADER    = 0
);

    localparam integer W = EXP_W + MAN_W + 1;
    localparam [WORD_W-1:0] ONE = 1;

    reg clk;
    initial clk = 1'b0;
    always #1 clk = ~clk;

    // The file being replayed: its size, layout and mode; `base` is the current batch's first vector.
    integer     count, digits, a_lsb, b_lsb, z_lsb, f_lsb, r_lsb, r_w;
    reg  [31:0] base;
    reg         sub;
    reg  [2:0]  rm;
    reg  [1:0]  ovf;

    wire [LANES*WORD_W-1:0]  words;
    wire [LANES-1:0]         live;
    wire [LANES*W-1:0]       z_bus;
    wire [LANES*5-1:0]       f_bus;
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
            wire [WORD_W-1:0] f_f  = word >> f_lsb;
            wire [WORD_W-1:0] r_f  = (r_w == 0) ? {WORD_W{1'b0}}
                                   : ((word >> r_lsb) & ((ONE << r_w) - ONE)) << (SR_BITS - r_w);
            wire [W-1:0] z;
            wire [4:0]   f;
            if (UNIT == 1) begin : g_mul
                fp_mul #(
                    .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF),
                    .SR_BITS(SR_BITS)
                ) u_mul (
                    .a_i(a_f[W-1:0]), .b_i(b_f[W-1:0]), .rm_i(rm), .ovf_i(ovf),
                    .rand_i(r_f[SR_BITS-1:0]), .z_o(z), .flags_o(f)
                );
            end else begin : g_add
                fp_add #(
                    .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF),
                    .SR_BITS(SR_BITS)
                ) u_add (
                    .a_i(a_f[W-1:0]), .b_i(b_f[W-1:0]), .sub_i(sub), .rm_i(rm), .ovf_i(ovf),
                    .rand_i(r_f[SR_BITS-1:0]), .z_o(z), .flags_o(f)
                );
            end
            assign z_bus[k*W +: W]             = z;
            assign f_bus[k*5 +: 5]             = f;
            assign r_bus[k*SR_BITS +: SR_BITS] = r_f[SR_BITS-1:0];
            assign bad[k] = live[k] && ({z, f} !== {z_f[W-1:0], f_f[4:0]});
        end
    endgenerate

    reg [8*1024-1:0] list_path, path;
    integer list, nfile, n_sub, n_rm, n_ovf, max_report, mismatches, l, ok, errors;
    reg [WORD_W-1:0] word;
    reg running;

    initial begin
        base    = 0;
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
            if ($fscanf(list, "%s %d %d %d %d %d %d %d %d %d %d %d\n", path, count, digits, n_sub, n_rm, n_ovf,
                        a_lsb, b_lsb, z_lsb, f_lsb, r_lsb, r_w) == 12) begin
                u_src.load(path, count, digits, ok);
                if (ok) begin
                    sub        = n_sub[0];
                    rm         = n_rm[2:0];
                    ovf        = n_ovf[1:0];
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
                            $display("MISMATCH %0d %0d %h %h %h %h %h %h %h", nfile, base + l,
                                     word[a_lsb +: W], word[b_lsb +: W], r_bus[l*SR_BITS +: SR_BITS],
                                     word[z_lsb +: W], word[f_lsb +: 5], z_bus[l*W +: W], f_bus[l*5 +: 5]);
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
