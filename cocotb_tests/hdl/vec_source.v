// vec_source: the vector memory of the self-checking $readmemh testbenches. It loads one golden
// vector file (STEM.hex: one vector per line, its fields concatenated MSB first, the hex word of
// `digits` = ceil(hex_word_bits / 4) digits) and presents the words of LANES consecutive vectors
// starting at base_i, so the lanes of the testbench are static logic.
//
// Two loaders read the same file (LOADER):
//   0  $readmemh, the reader every Verilog simulator has.
//   1  $fread of the file's bytes into a byte memory, then a procedural loop decodes the fixed-width
//      lines into the word memory. It reads exactly what `refmodel gen` writes (digits hex digits and
//      '\n' per line, either case) and rejects anything else: a malformed line is reported with its
//      number. Verilator's $readmemh parses about 3 M lines/s (a std::string and a locale-aware
//      tolower per character); this loader parses ~20 M lines/s there, so the lanes, not the parser,
//      set the pace of the flow. On Icarus the loop is interpreted and $readmemh is faster.
//
// Parameters (override by name only): LANES words per batch; DEPTH the memory's words (>= a file's
// vectors); WORD_W its width (>= a file's hex word); LOADER as above.
//
// Task load(path, count, digits, ok): loads a file of `count` vectors of `digits` hex digits each;
// ok = 1 on success, 0 after printing "ERROR: ..." when the file is missing or its size is not
// count * (digits + 1) bytes (both loaders), or when a character is not a hex digit or a line is not
// ended by '\n' (LOADER 1; $readmemh reports a bad character itself: an "ERROR: ..." line on Icarus,
// a fatal "%Error" on Verilator).
//
// Outputs: word k of words_o is vector base_i + k; live_o[k] = 1 if that vector exists (lanes past
// the end of the file replay its last vector and must not be judged).

`default_nettype none

module vec_source #(
    parameter integer LANES  = 32,
    parameter integer DEPTH  = 1 << 17,
    parameter integer WORD_W = 64,
    parameter integer LOADER = 0
) (
    input  wire [31:0]             base_i,
    output wire [LANES*WORD_W-1:0] words_o,
    output wire [LANES-1:0]        live_o
);

    localparam integer MAX_DIGITS = (WORD_W + 3) / 4;
    localparam integer TEXT_DEPTH = (LOADER == 1) ? DEPTH * (MAX_DIGITS + 1) : 1;

    reg [WORD_W-1:0] mem [0:DEPTH-1];
    reg [7:0]        text [0:TEXT_DEPTH-1];
    integer          count;

    initial count = 1;

    genvar k;
    generate
        for (k = 0; k < LANES; k = k + 1) begin : g_lane
            assign live_o[k] = (base_i + k < count);
            assign words_o[k*WORD_W +: WORD_W] = mem[live_o[k] ? base_i + k : count - 1];
        end
    endgenerate

    // the value of a hex digit; bit 4 set if c is not one
    function [4:0] hex_digit;
        input [7:0] c;
        begin
            if (c >= "0" && c <= "9")      hex_digit = {1'b0, c[3:0]};
            else if (c >= "a" && c <= "f") hex_digit = {1'b0, c[3:0] + 4'd9};
            else if (c >= "A" && c <= "F") hex_digit = {1'b0, c[3:0] + 4'd9};
            else                           hex_digit = 5'h10;
        end
    endfunction

    task load;
        input  [8*1024-1:0] path;
        input  integer      n;
        input  integer      digits;
        output integer      ok;
        integer fd, got, size, line, i, at;
        reg              good;
        reg [4:0]        d;
        reg [WORD_W-1:0] w;
        begin
            good = 1'b1;
            if (n < 1 || n > DEPTH || digits < 1 || digits > MAX_DIGITS) begin
                $display("ERROR: %0s: %0d vectors of %0d digits do not fit the testbench (%0d x %0d bits)",
                         path, n, digits, DEPTH, WORD_W);
                good = 1'b0;
            end else begin
                // both loaders check the file's size first: $readmemh leaves the words past a short
                // file's end as they were, and Verilator's does not warn
                fd = $fopen(path, "rb");
                if (fd == 0) begin
                    $display("ERROR: cannot open %0s", path);
                    good = 1'b0;
                end else begin
                    got = $fseek(fd, 0, 2);
                    size = $ftell(fd);
                    if (size != n * (digits + 1)) begin
                        $display("ERROR: %0s: not %0d lines of %0d hex digits and a newline (%0d bytes, not %0d)",
                                 path, n, digits, size, n * (digits + 1));
                        good = 1'b0;
                    end else if (LOADER == 1) begin
                        got = $fseek(fd, 0, 0);
                        got = $fread(text, fd, 0, size);
                        if (got != size) begin
                            $display("ERROR: %0s: read %0d of its %0d bytes", path, got, size);
                            good = 1'b0;
                        end
                    end
                    $fclose(fd);
                end
                if (good && LOADER == 0) $readmemh(path, mem, 0, n - 1);
            end
            if (good && LOADER == 1) begin
                at = 0;
                for (line = 0; line < n && good; line = line + 1) begin
                    w = {WORD_W{1'b0}};
                    for (i = 0; i < digits; i = i + 1) begin
                        d = hex_digit(text[at + i]);
                        if (d[4]) good = 1'b0;
                        w = (w << 4) | {{(WORD_W - 4){1'b0}}, d[3:0]};
                    end
                    if (text[at + digits] != 8'h0a) good = 1'b0;
                    if (!good) $display("ERROR: %0s line %0d: not %0d hex digits and a newline", path, line + 1, digits);
                    mem[line] = w;
                    at = at + digits + 1;
                end
            end
            if (good) count = n;
            ok = good ? 1 : 0;
        end
    endtask

endmodule

`default_nettype wire
