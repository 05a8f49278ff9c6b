// fp_add_readmemh_tb: self-checking $readmemh testbench of rtl/fp/fp_add.v (no cocotb, no VPI):
// it loads a golden vector file (STEM.hex: one vector per line, the fields concatenated MSB first, as
// `refmodel gen add|sub` writes them), applies LANES vectors per evaluation to LANES adders side by
// side, compares z and flags bit for bit, and prints one line per mismatch and a summary:
//   MISMATCH <index> <a> <b> <r> <z expected> <flags expected> <z actual> <flags actual>   (hex)
//   DONE vectors=<n> mismatches=<m>
// The driver cocotb_tests/readmemh_fp.py builds it (Icarus: iverilog + vvp; Verilator: --binary),
// passes the layout of STEM.json as plusargs, decodes the mismatches and measures vectors/s.
//
// Parameters (override by name only): EXP_W, MAN_W, BIAS, NAN_STYLE, HAS_INF, SR_BITS as in
// rtl/fp/fp_add.v; LANES adders evaluated together; DEPTH the vector memory's words; WORD_W its
// width (>= the hex word of the file).
//
// Plusargs (all but +vectors have defaults):
//   +vectors=<STEM.hex>   the vector file            +count=<n>      vectors in it
//   +sub=<0|1>            op sub (1) or add (0)      +rm=<0..7>      +ovf=<0..3>
//   +a_lsb= +b_lsb= +z_lsb= +f_lsb=                  field positions in the hex word (STEM.json)
//   +r_lsb= +r_w=         the r field (r_w = 0: none); R is driven as r << (SR_BITS - r_w)
//   +max_report=<n>       mismatches printed (default 20); all are counted
//
// Latency: the DUT is combinational; the testbench waits 1 time unit per LANES vectors.

`timescale 1ns / 1ps
`default_nettype none

module fp_add_readmemh_tb #(
    parameter integer EXP_W     = 4,
    parameter integer MAN_W     = 3,
    parameter integer BIAS      = 7,
    parameter integer NAN_STYLE = 1,
    parameter integer HAS_INF   = 0,
    parameter integer SR_BITS   = 8,
    parameter integer LANES     = 16,
    parameter integer DEPTH     = 1 << 20,
    parameter integer WORD_W    = 64
);

    localparam integer W = EXP_W + MAN_W + 1;

    reg [WORD_W-1:0] mem [0:DEPTH-1];

    reg  [LANES*W-1:0]       a_bus, b_bus;
    reg  [LANES*SR_BITS-1:0] r_bus;
    wire [LANES*W-1:0]       z_bus;
    wire [LANES*5-1:0]       f_bus;
    reg                      sub;
    reg  [2:0]               rm;
    reg  [1:0]               ovf;

    genvar k;
    generate
        for (k = 0; k < LANES; k = k + 1) begin : g_lane
            fp_add #(
                .EXP_W(EXP_W), .MAN_W(MAN_W), .BIAS(BIAS), .NAN_STYLE(NAN_STYLE), .HAS_INF(HAS_INF),
                .SR_BITS(SR_BITS)
            ) u_add (
                .a_i(a_bus[k*W +: W]), .b_i(b_bus[k*W +: W]), .sub_i(sub), .rm_i(rm), .ovf_i(ovf),
                .rand_i(r_bus[k*SR_BITS +: SR_BITS]), .z_o(z_bus[k*W +: W]), .flags_o(f_bus[k*5 +: 5])
            );
        end
    endgenerate

    reg [1023:0] path;
    integer count, a_lsb, b_lsb, z_lsb, f_lsb, r_lsb, r_w, max_report, tmp;
    integer base, l, idx, mismatches;
    reg [WORD_W-1:0] word;
    reg [W-1:0]      z_exp, z_got;
    reg [4:0]        f_exp, f_got;
    reg [63:0]       r_val;

    initial begin
        if (!$value$plusargs("vectors=%s", path)) begin
            $display("ERROR: +vectors=<file.hex> missing");
            $finish;
        end
        if (!$value$plusargs("count=%d", count)) count = DEPTH;
        if (!$value$plusargs("a_lsb=%d", a_lsb)) a_lsb = 5 + 3 * W;
        if (!$value$plusargs("b_lsb=%d", b_lsb)) b_lsb = 5 + 2 * W;
        if (!$value$plusargs("z_lsb=%d", z_lsb)) z_lsb = 5;
        if (!$value$plusargs("f_lsb=%d", f_lsb)) f_lsb = 0;
        if (!$value$plusargs("r_lsb=%d", r_lsb)) r_lsb = 0;
        if (!$value$plusargs("r_w=%d", r_w)) r_w = 0;
        if (!$value$plusargs("max_report=%d", max_report)) max_report = 20;
        if (!$value$plusargs("sub=%d", tmp)) tmp = 0;
        sub = tmp[0];
        if (!$value$plusargs("rm=%d", tmp)) tmp = 0;
        rm = tmp[2:0];
        if (!$value$plusargs("ovf=%d", tmp)) tmp = 0;
        ovf = tmp[1:0];
        if (count > DEPTH) begin
            $display("ERROR: %0d vectors, but DEPTH is %0d", count, DEPTH);
            $finish;
        end
        $readmemh(path, mem, 0, count - 1);
        mismatches = 0;
        for (base = 0; base < count; base = base + LANES) begin
            for (l = 0; l < LANES; l = l + 1) begin
                idx  = (base + l < count) ? base + l : count - 1;
                word = mem[idx];
                a_bus[l*W +: W] = word[a_lsb +: W];
                b_bus[l*W +: W] = word[b_lsb +: W];
                r_val = (r_w > 0) ? ((word >> r_lsb) & ((64'd1 << r_w) - 64'd1)) << (SR_BITS - r_w) : 64'd0;
                r_bus[l*SR_BITS +: SR_BITS] = r_val[SR_BITS-1:0];
            end
            #1;
            for (l = 0; l < LANES && base + l < count; l = l + 1) begin
                word  = mem[base + l];
                z_exp = word[z_lsb +: W];
                f_exp = word[f_lsb +: 5];
                z_got = z_bus[l*W +: W];
                f_got = f_bus[l*5 +: 5];
                if (z_got !== z_exp || f_got !== f_exp) begin
                    mismatches = mismatches + 1;
                    if (mismatches <= max_report)
                        $display("MISMATCH %0d %h %h %h %h %h %h %h", base + l, word[a_lsb +: W],
                                 word[b_lsb +: W], r_bus[l*SR_BITS +: SR_BITS], z_exp, f_exp, z_got, f_got);
                end
            end
        end
        $display("DONE vectors=%0d mismatches=%0d", count, mismatches);
        $finish;
    end

endmodule

`default_nettype wire
