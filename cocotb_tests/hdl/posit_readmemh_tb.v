// posit_readmemh_tb: self-checking $readmemh testbench for rtl/posit/posit_add.v (add, sub) and
// rtl/posit/posit_mul.v, fed by a golden vector file's STEM.hex (driven by cocotb_tests/readmemh_posit.py).
//
// STEM.hex holds one vector per line, its fields concatenated MSB first (the layout of STEM.json:
// each field's lsb and width); the field positions, the operation and the rounding mode come in as
// plusargs, so one build serves every vector file of the format. Each step applies LANES vectors to
// LANES copies of the datapaths, waits 1 time unit, and compares the selected operation's results
// with the file's z field bit for bit. Mismatches are printed as
//     MISMATCH <index> <a> <b> <r> <expected z> <actual z>      (hex; index counts from 0)
// up to +MAX_MISMATCHES (then the run stops); the last line is
//     DONE vectors=<checked> mismatches=<count>
// and the simulation ends with $finish (exit status 0; the driver reads the DONE line).
//
// Plusargs (all required unless a default is given):
//   +VECTORS=<path>      the STEM.hex file.
//   +COUNT=<n>           the number of vectors (<= DEPTH).
//   +OP=<k>              0 add, 1 sub, 2 mul.
//   +RM=<k>              rm_i: 0 rne, 6 sr.
//   +A_LSB, +B_LSB, +Z_LSB=<bit>  lsb of the fields a, b, z in the hex word (widths N).
//   +R_LSB=<bit> +R_BITS=<k>      the random field r of a stochastic file (R_BITS 0 or absent: none);
//                                 R is applied as r << (SR_BITS - R_BITS).
//   +MAX_MISMATCHES=<k>  default 10.
//
// Parameters (override by name only): N, ES, SR_BITS as in the datapaths; LANES, the copies per step;
// DEPTH, the vector memory's words; WORD_W, its word width (>= the file's hex_word_bits).
// No `timescale: a step is one time unit of the simulator's default (Verilator: --timescale).

`default_nettype none

module posit_readmemh_tb #(
    parameter integer N       = 16,
    parameter integer ES      = 1,
    parameter integer SR_BITS = 16,
    parameter integer LANES   = 16,
    parameter integer DEPTH   = 1 << 22,
    parameter integer WORD_W  = 64
);

    // separate operand buses per unit: only the unit of the file's op sees changing inputs
    reg  [LANES*N-1:0]       a_bus, a_mbus;
    reg  [LANES*N-1:0]       b_bus, b_mbus;
    reg  [LANES*SR_BITS-1:0] r_bus, r_mbus;
    reg  [2:0]               rm;
    reg                      sub;
    wire [LANES*N-1:0]       add_bus;
    wire [LANES*N-1:0]       mul_bus;

    genvar g;
    generate
        for (g = 0; g < LANES; g = g + 1) begin : g_lane
            posit_add #(.N(N), .ES(ES), .SR_BITS(SR_BITS)) u_add (
                .a_i(a_bus[g*N +: N]), .b_i(b_bus[g*N +: N]), .sub_i(sub), .rm_i(rm),
                .rand_i(r_bus[g*SR_BITS +: SR_BITS]), .z_o(add_bus[g*N +: N]));
            posit_mul #(.N(N), .ES(ES), .SR_BITS(SR_BITS)) u_mul (
                .a_i(a_mbus[g*N +: N]), .b_i(b_mbus[g*N +: N]), .rm_i(rm),
                .rand_i(r_mbus[g*SR_BITS +: SR_BITS]), .z_o(mul_bus[g*N +: N]));
        end
    endgenerate

    reg [WORD_W-1:0] mem [0:DEPTH-1];
    reg [8*1024-1:0] path;
    integer count, op, rm_arg, a_lsb, b_lsb, z_lsb, r_lsb, r_bits, max_bad;
    integer base, k, idx, bad, checked;
    reg [WORD_W-1:0] w;
    reg [N-1:0]      za, zb, zexp, zgot;
    reg [63:0]       rr;
    reg              stop;

    initial begin
        if (!$value$plusargs("VECTORS=%s", path)) begin
            $display("ERROR: +VECTORS=<file.hex> missing");
            $finish;
        end
        if (!$value$plusargs("COUNT=%d", count)) count = 0;
        if (!$value$plusargs("OP=%d", op)) op = 0;
        if (!$value$plusargs("RM=%d", rm_arg)) rm_arg = 0;
        if (!$value$plusargs("A_LSB=%d", a_lsb)) a_lsb = 2 * N;
        if (!$value$plusargs("B_LSB=%d", b_lsb)) b_lsb = N;
        if (!$value$plusargs("Z_LSB=%d", z_lsb)) z_lsb = 0;
        if (!$value$plusargs("R_LSB=%d", r_lsb)) r_lsb = 0;
        if (!$value$plusargs("R_BITS=%d", r_bits)) r_bits = 0;
        if (!$value$plusargs("MAX_MISMATCHES=%d", max_bad)) max_bad = 10;
        if (count < 1 || count > DEPTH) begin
            $display("ERROR: +COUNT=%0d outside 1..DEPTH=%0d", count, DEPTH);
            $finish;
        end
        if (r_bits > SR_BITS) begin
            $display("ERROR: the file has %0d random bits, the DUT SR_BITS=%0d", r_bits, SR_BITS);
            $finish;
        end
        $readmemh(path, mem, 0, count - 1);
        a_bus = 0; b_bus = 0; r_bus = 0; a_mbus = 0; b_mbus = 0; r_mbus = 0;
        rm  = rm_arg[2:0];
        sub = (op == 1);
        bad = 0;
        checked = 0;
        stop = 1'b0;
        for (base = 0; base < count && !stop; base = base + LANES) begin
            for (k = 0; k < LANES; k = k + 1) begin
                idx = base + k;
                w = (idx < count) ? mem[idx] : {WORD_W{1'b0}};
                rr = (r_bits > 0) ? ((w >> r_lsb) & ((64'd1 << r_bits) - 64'd1)) : 64'd0;
                if (op == 2) begin
                    a_mbus[k*N +: N] = w[a_lsb +: N];
                    b_mbus[k*N +: N] = w[b_lsb +: N];
                    r_mbus[k*SR_BITS +: SR_BITS] = rr[SR_BITS-1:0] << (SR_BITS - r_bits);
                end else begin
                    a_bus[k*N +: N] = w[a_lsb +: N];
                    b_bus[k*N +: N] = w[b_lsb +: N];
                    r_bus[k*SR_BITS +: SR_BITS] = rr[SR_BITS-1:0] << (SR_BITS - r_bits);
                end
            end
            #1;
            for (k = 0; k < LANES; k = k + 1) begin
                idx = base + k;
                if (idx < count && !stop) begin
                    w    = mem[idx];
                    zexp = w[z_lsb +: N];
                    zgot = (op == 2) ? mul_bus[k*N +: N] : add_bus[k*N +: N];
                    checked = checked + 1;
                    if (zgot !== zexp) begin
                        za = w[a_lsb +: N];
                        zb = w[b_lsb +: N];
                        rr = (r_bits > 0) ? ((w >> r_lsb) & ((64'd1 << r_bits) - 64'd1)) : 64'd0;
                        $display("MISMATCH %0d %h %h %h %h %h", idx, za, zb, rr, zexp, zgot);
                        bad = bad + 1;
                        if (bad >= max_bad) stop = 1'b1;
                    end
                end
            end
        end
        $display("DONE vectors=%0d mismatches=%0d", checked, bad);
        $finish;
    end

endmodule

`default_nettype wire
