// flex_mac_readmemh_tb: self-checking $readmemh testbench of rtl/flex/flex_mac.v over a flex_dot
// vector file (STEM.hex: one vector per line, the fields concatenated MSB first; STEM.json gives each
// field's lsb and width, passed in as plusargs by cocotb_tests/readmemh_flex.py).
//
// It replays the file as refmodel.flex.mac.FlexMac does, back to back: vector v occupies cycles
// v L .. v L + L - 1 (clear_i and acc_en_i with its first product, acc_en_i with the others); the
// cycle that starts vector v + 1 also requantizes vector v (requant_i with its ea, eb, ez, rnd, R, and
// stat_clear_i when v is a multiple of the file's stat_group); one last cycle requantizes the last
// vector. After each requantizing edge z_o, ovf_o, maxabs_o (and out_valid_o = 1) are compared with
// the vector's z, overflow and maxabs fields.
//
// Parameters (override by name only): MAN_W, EXP_W, ACC_W, ACC_SAT, SR_BITS as in flex_mac; LENGTH,
// the dot-product length L of the files; WORD_W, the memory word width (>= the files' hex word
// width; narrower words load into the low bits); DEPTH, the memory depth (>= the vector count).
//
// Plusargs: +vectors=<STEM.hex> +count=<n> +a0_lsb= +b0_lsb= (field a_i sits at a0_lsb - i MAN_W)
//   +ea_lsb= +eb_lsb= +ez_lsb= +z_lsb= +ovf_lsb= +max_lsb= +r_lsb= +r_bits= (0: no r field; the DUT is
//   driven with R << (SR_BITS - r_bits)) +rnd= (0 rne, 6 sr) +stat_group= +max_report= (mismatch lines
//   printed, default 10; the run continues and counts every mismatch).
//
// Output lines: "MISMATCH <vector> <z> <ovf> <maxabs> <out_valid>" (actual values, hex), then
// "DONE vectors=<n> mismatches=<m> cycles=<c>". Not synthesizable (testbench only); no `timescale
// (the clock period is 10 time units; Verilator builds it with --timescale 1ns/1ps).

`default_nettype none

module flex_mac_readmemh_tb #(
    parameter integer MAN_W   = 16,
    parameter integer EXP_W   = 5,
    parameter integer ACC_W   = 64,
    parameter integer ACC_SAT = 0,
    parameter integer SR_BITS = 8,
    parameter integer LENGTH  = 16,
    parameter integer WORD_W  = 568,
    parameter integer DEPTH   = 4096
);

    reg [WORD_W-1:0] mem [0:DEPTH-1];

    reg                clk, rst_n, clear, acc_en, requant, stat_clear;
    reg  [MAN_W-1:0]   a, b;
    reg  [EXP_W-1:0]   ea, eb, ez;
    reg  [2:0]         rnd;
    reg  [SR_BITS-1:0] rand_v;
    wire [MAN_W-1:0]   z, maxabs;
    wire               ovf, valid;

    flex_mac #(
        .MAN_W(MAN_W), .EXP_W(EXP_W), .ACC_W(ACC_W), .ACC_SAT(ACC_SAT), .SR_BITS(SR_BITS)
    ) dut (
        .clk_i(clk), .rst_ni(rst_n), .clear_i(clear), .acc_en_i(acc_en), .a_i(a), .b_i(b),
        .requant_i(requant), .ea_i(ea), .eb_i(eb), .ez_i(ez), .rnd_i(rnd), .rand_i(rand_v),
        .stat_clear_i(stat_clear), .z_o(z), .ovf_o(ovf), .out_valid_o(valid), .maxabs_o(maxabs)
    );

    /* verilator lint_off UNUSEDSIGNAL */
    reg [8*1024-1:0] path;
    integer count, a0_lsb, b0_lsb, ea_lsb, eb_lsb, ez_lsb, z_lsb, ovf_lsb, max_lsb, r_lsb, r_bits;
    integer rnd_code, stat_group, max_report;
    integer v, i, errors, cycles;
    reg [WORD_W-1:0] cur, prev;
    reg [SR_BITS-1:0] r_raw;
    /* verilator lint_on UNUSEDSIGNAL */

    initial begin
        if (!$value$plusargs("vectors=%s", path)) begin
            $display("ERROR: +vectors=<STEM.hex> is required");
            $finish;
        end
        if (!$value$plusargs("count=%d", count)) count = 0;
        if (!$value$plusargs("a0_lsb=%d", a0_lsb)) a0_lsb = 0;
        if (!$value$plusargs("b0_lsb=%d", b0_lsb)) b0_lsb = 0;
        if (!$value$plusargs("ea_lsb=%d", ea_lsb)) ea_lsb = 0;
        if (!$value$plusargs("eb_lsb=%d", eb_lsb)) eb_lsb = 0;
        if (!$value$plusargs("ez_lsb=%d", ez_lsb)) ez_lsb = 0;
        if (!$value$plusargs("z_lsb=%d", z_lsb)) z_lsb = 0;
        if (!$value$plusargs("ovf_lsb=%d", ovf_lsb)) ovf_lsb = 0;
        if (!$value$plusargs("max_lsb=%d", max_lsb)) max_lsb = 0;
        if (!$value$plusargs("r_lsb=%d", r_lsb)) r_lsb = 0;
        if (!$value$plusargs("r_bits=%d", r_bits)) r_bits = 0;
        if (!$value$plusargs("rnd=%d", rnd_code)) rnd_code = 0;
        if (!$value$plusargs("stat_group=%d", stat_group)) stat_group = 8;
        if (!$value$plusargs("max_report=%d", max_report)) max_report = 10;
        if (count < 1 || count > DEPTH) begin
            $display("ERROR: +count=%0d must be in 1..DEPTH=%0d", count, DEPTH);
            $finish;
        end
        $readmemh(path, mem, 0, count - 1);

        errors = 0;
        cycles = 0;
        clk = 1'b0;
        rst_n = 1'b0;
        {clear, acc_en, requant, stat_clear} = 4'b0000;
        a = {MAN_W{1'b0}};
        b = {MAN_W{1'b0}};
        {ea, eb, ez} = {3 * EXP_W{1'b0}};
        rnd = rnd_code[2:0];
        rand_v = {SR_BITS{1'b0}};
        prev = {WORD_W{1'b0}};
        #5 rst_n = 1'b1;
        #5;
        for (v = 0; v <= count; v = v + 1) begin
            cur = (v < count) ? mem[v] : {WORD_W{1'b0}};
            for (i = 0; i < LENGTH && (v < count || i == 0); i = i + 1) begin
                acc_en = (v < count);
                clear = (v < count) && (i == 0);
                a = cur[a0_lsb - i * MAN_W +: MAN_W];
                b = cur[b0_lsb - i * MAN_W +: MAN_W];
                requant = (v > 0) && (i == 0);
                if (i == 0) begin  // the requantization's inputs matter only with requant
                    stat_clear = requant && ((v - 1) % stat_group == 0);
                    ea = prev[ea_lsb +: EXP_W];
                    eb = prev[eb_lsb +: EXP_W];
                    ez = prev[ez_lsb +: EXP_W];
                    r_raw = prev[r_lsb +: SR_BITS];
                    rand_v = (r_bits > 0) ? (r_raw << (SR_BITS - r_bits)) : {SR_BITS{1'b0}};
                end else begin
                    stat_clear = 1'b0;
                end
                #5 clk = 1'b1;
                #5 clk = 1'b0;
                cycles = cycles + 1;
                if (requant && (z !== prev[z_lsb +: MAN_W] || ovf !== prev[ovf_lsb] ||
                                maxabs !== prev[max_lsb +: MAN_W] || valid !== 1'b1)) begin
                    if (errors < max_report)
                        $display("MISMATCH %0d %h %h %h %h", v - 1, z, ovf, maxabs, valid);
                    errors = errors + 1;
                end
            end
            prev = cur;
        end
        $display("DONE vectors=%0d mismatches=%0d cycles=%0d", count, errors, cycles);
        $finish;
    end

endmodule

`default_nettype wire
