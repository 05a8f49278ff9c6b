// fp_mac_readmemh_tb: self-checking $readmemh testbench of rtl/fp/fp_mac.v (no cocotb, no VPI): it
// replays a list of cycle traces of the model (STEM.hex of op mac or mac_chunked: one cycle per line,
// the fields concatenated MSB first, as refmodel writes them), each from reset, one cycle per clock,
// and compares the registers after every cycle with the trace bit for bit: acc_o and flags_o always,
// total_o when CHUNKED, lfsr_o when USE_LFSR and the trace has an lfsr field. It prints
//   MISMATCH <file> <cycle> <acc exp> <acc got> <total exp> <total got> <flags exp> <flags got> <lfsr exp> <lfsr got>
//   DONE <file> vectors=<cycles> mismatches=<m>
// (hex; a cycle counts once however many registers differ) and "ERROR: ..." for a file it cannot load
// (vec_source.v). The driver cocotb_tests/readmemh_mac.py builds it per MAC configuration and writes
// the list from the traces' manifests.
//
// Per file: one clock with rst_ni low (the registers cleared, the LFSR at LFSR_SEED), then cycle k of
// the trace drives in_valid_i, clear_i, last_i, a_i, b_i and the rand_*_i ports (USE_LFSR = 0) before
// rising edge k, and the registers are compared at the falling edge after it. With USE_LFSR, cycle 0
// also loads the LFSR with the file's seed (lfsr_load_i), as the model starts Lfsr(seed).
//
// Parameters (override by name only): every parameter of fp_mac, forwarded; DEPTH the trace memory's
// words (>= the longest trace); WORD_W its width (>= the traces' hex words); LOADER vec_source's
// file reader (0 $readmemh, 1 $fread and a decoding loop).
//
// Plusargs: +list=<file>: one line per trace,
//   <STEM.hex> <count> <digits> <rm 0..7> <ovf 0..3> <lfsr seed> <clear_lsb> <valid_lsb> <last_lsb>
//   <a_lsb> <b_lsb> <r_prod_lsb> <r_lsb> <r_sum_lsb> <r_w> <lfsr_lsb> <acc_lsb> <total_lsb> <flags_lsb>
//   (field positions in the hex word, -1 for a field the trace does not have; the random fields are
//   r_w bits, driven as r << (SR_BITS - r_w)).
//   +max_report=<n>: mismatching cycles printed per file (default 10); all are counted.

`timescale 1ns / 1ps
`default_nettype none

module fp_mac_readmemh_tb #(
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
    parameter [31:0]  LFSR_SEED      = 32'h1,
    parameter integer DEPTH          = 1 << 16,
    parameter integer WORD_W         = 192,
    parameter integer LOADER         = 0
);

    localparam integer IN_W  = IN_EXP_W + IN_MAN_W + 1;
    localparam integer ACC_W = ACC_EXP_W + ACC_MAN_W + 1;
    localparam integer SEC_W = SEC_EXP_W + SEC_MAN_W + 1;
    localparam [WORD_W-1:0] ONE = 1;

    reg clk;
    initial clk = 1'b0;
    always #1 clk = ~clk;

    // The trace being replayed: its layout and mode; `base` is the current cycle.
    integer     count, digits, seed, clear_lsb, valid_lsb, last_lsb, a_lsb, b_lsb, rp_lsb, r_lsb, rs_lsb, r_w;
    integer     lfsr_lsb, acc_lsb, total_lsb, flags_lsb;
    reg  [31:0] base;
    reg  [2:0]  rm;
    reg  [1:0]  ovf;
    reg         rst_n, running, first;

    wire [WORD_W-1:0] word;
    wire              live;

    vec_source #(.LANES(1), .DEPTH(DEPTH), .WORD_W(WORD_W), .LOADER(LOADER)) u_src (
        .base_i(base), .words_o(word), .live_o(live)
    );

    // a field of a word (zero when the trace has none); the word is an argument so that an
    // event-driven simulator re-evaluates the continuous assignments below when it changes
    function [WORD_W-1:0] field;
        input [WORD_W-1:0] w;
        input integer      lsb, bits;
        begin
            field = (lsb < 0) ? {WORD_W{1'b0}} : (w >> lsb) & ((ONE << bits) - ONE);
        end
    endfunction

    wire [WORD_W-1:0] r_prod_f = field(word, rp_lsb, r_w) << (SR_BITS - r_w);
    wire [WORD_W-1:0] r_f      = field(word, r_lsb, r_w) << (SR_BITS - r_w);
    wire [WORD_W-1:0] r_sum_f  = field(word, rs_lsb, r_w) << (SR_BITS - r_w);
    wire [WORD_W-1:0] a_f      = field(word, a_lsb, IN_W);
    wire [WORD_W-1:0] b_f      = field(word, b_lsb, IN_W);
    wire [WORD_W-1:0] seed_f   = seed;

    wire [ACC_W-1:0]      acc;
    wire [SEC_W-1:0]      total;
    wire [4:0]            flags;
    wire [LFSR_WIDTH-1:0] lfsr;
    wire                  out_valid;

    fp_mac #(
        .IN_EXP_W(IN_EXP_W), .IN_MAN_W(IN_MAN_W), .IN_BIAS(IN_BIAS), .IN_NAN_STYLE(IN_NAN_STYLE),
        .IN_HAS_INF(IN_HAS_INF), .ACC_EXP_W(ACC_EXP_W), .ACC_MAN_W(ACC_MAN_W), .ACC_BIAS(ACC_BIAS),
        .ACC_NAN_STYLE(ACC_NAN_STYLE), .ACC_HAS_INF(ACC_HAS_INF), .CASCADE(CASCADE), .PROD_EXP_W(PROD_EXP_W),
        .PROD_MAN_W(PROD_MAN_W), .PROD_BIAS(PROD_BIAS), .PROD_NAN_STYLE(PROD_NAN_STYLE),
        .PROD_HAS_INF(PROD_HAS_INF), .CHUNKED(CHUNKED), .CHUNK(CHUNK), .SEC_EXP_W(SEC_EXP_W),
        .SEC_MAN_W(SEC_MAN_W), .SEC_BIAS(SEC_BIAS), .SEC_NAN_STYLE(SEC_NAN_STYLE), .SEC_HAS_INF(SEC_HAS_INF),
        .ALIGN_W(ALIGN_W), .STICKY(STICKY), .SR_BITS(SR_BITS), .USE_LFSR(USE_LFSR), .LFSR_WIDTH(LFSR_WIDTH),
        .LFSR_TAPS(LFSR_TAPS), .LFSR_SEED(LFSR_SEED)
    ) u_mac (
        .clk_i(clk), .rst_ni(rst_n),
        .in_valid_i(running & (field(word, valid_lsb, 1) != 0)),
        .clear_i(running & (field(word, clear_lsb, 1) != 0)),
        .last_i(running & (field(word, last_lsb, 1) != 0)), .a_i(a_f[IN_W-1:0]), .b_i(b_f[IN_W-1:0]),
        .rm_i(rm), .ovf_i(ovf), .rand_prod_i(r_prod_f[SR_BITS-1:0]), .rand_i(r_f[SR_BITS-1:0]),
        .rand_sum_i(r_sum_f[SR_BITS-1:0]), .lfsr_load_i(running & first), .lfsr_seed_i(seed_f[LFSR_WIDTH-1:0]),
        .acc_o(acc), .total_o(total), .flags_o(flags), .out_valid_o(out_valid), .lfsr_o(lfsr)
    );

    // the expected registers after the current cycle, and whether they differ
    wire [WORD_W-1:0] acc_e   = field(word, acc_lsb, ACC_W);
    wire [WORD_W-1:0] total_e = field(word, total_lsb, SEC_W);
    wire [WORD_W-1:0] flags_e = field(word, flags_lsb, 5);
    wire [WORD_W-1:0] lfsr_e  = field(word, lfsr_lsb, LFSR_WIDTH);
    wire bad = (acc !== acc_e[ACC_W-1:0]) || (flags !== flags_e[4:0])
            || (CHUNKED != 0 && total !== total_e[SEC_W-1:0])
            || (USE_LFSR != 0 && lfsr_lsb >= 0 && lfsr !== lfsr_e[LFSR_WIDTH-1:0]);

    reg [8*1024-1:0] list_path, path;
    integer list, nfile, n_rm, n_ovf, max_report, mismatches, ok, errors;

    initial begin
        base    = 0;
        rst_n   = 1'b1;
        running = 1'b0;
        first   = 1'b0;
        nfile   = 0;
        errors  = 0;
        rm      = 3'd0;
        ovf     = 2'd0;
        seed    = 1;
        {clear_lsb, valid_lsb, last_lsb, a_lsb, b_lsb, rp_lsb, r_lsb, rs_lsb} = {8{32'hffffffff}};
        {lfsr_lsb, acc_lsb, total_lsb, flags_lsb} = {4{32'hffffffff}};
        r_w     = 0;
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
                // the reset clock is over: cycle 0 is applied for the next rising edge
                rst_n   = 1'b1;
                running = 1'b1;
                first   = 1'b1;
            end else if ($fscanf(list, "%s %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d\n", path, count,
                                 digits, n_rm, n_ovf, seed, clear_lsb, valid_lsb, last_lsb, a_lsb, b_lsb, rp_lsb,
                                 r_lsb, rs_lsb, r_w, lfsr_lsb, acc_lsb, total_lsb, flags_lsb) == 19) begin
                if (r_w > SR_BITS) begin
                    $display("ERROR: %0s: %0d random bits, but SR_BITS is %0d", path, r_w, SR_BITS);
                    ok = 0;
                end else begin
                    u_src.load(path, count, digits, ok);
                end
                if (ok) begin
                    rm         = n_rm[2:0];
                    ovf        = n_ovf[1:0];
                    mismatches = 0;
                    base       = 0;
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
            // the rising edge has taken cycle `base`: compare the registers
            if (bad) begin
                mismatches = mismatches + 1;
                if (mismatches <= max_report)
                    $display("MISMATCH %0d %0d %h %h %h %h %h %h %h %h", nfile, base, acc_e[ACC_W-1:0], acc,
                             total_e[SEC_W-1:0], total, flags_e[4:0], flags, lfsr_e[LFSR_WIDTH-1:0], lfsr);
            end
            first = 1'b0;
            if (base + 1 >= count) begin
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
