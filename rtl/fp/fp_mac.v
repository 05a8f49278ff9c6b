// fp_mac: registered floating-point multiply-accumulate unit, bit-exact to refmodel.units.fp_mac.FpMac
// (CHUNKED = 0) and refmodel.units.fp_mac.ChunkedMac (CHUNKED = 1); the contract is docs/units.md.
//
// What it computes, at every rising clock edge (the model's `cycle`):
//   if clear_i:    acc := +0, flags := 0 (and, chunked: total := +0, count := 0, first := 1), before
//                  this cycle's product; clear_i with in_valid_i starts from +0 + a*b.
//   if in_valid_i: acc := acc + a*b, one rounding into the accumulator format ACC (fused, CASCADE = 0:
//                  the exact product added; cascaded, CASCADE = 1: the product first rounded into PROD
//                  as refmodel.ops.convert would round it, then added: two roundings), through an adder
//                  of ALIGN_W bits below the larger operand's leading bit (0: exact) whose lost bits are
//                  truncated (STICKY = 0) or jammed into a sticky bit (STICKY = 1); flags |= the step's.
//                  Chunked: when last_i, or when this is the CHUNK-th product since the last commit
//                  (CHUNK > 0), the chunk is committed in the same cycle: total := acc (the new one)
//                  rounded into SEC if no chunk was committed since clear (first), else total + acc
//                  with one exact-adder rounding into SEC; flags |= its flags; acc := +0, count := 0,
//                  first := 0. Otherwise count += 1.
//   otherwise:     every register holds (and the LFSR does not step).
//   Specials and numerics as docs/numerics.md: NaN operands or accumulator give the canonical NaN (NV
//   for a signalling operand), 0 x Inf is NaN with NV, Inf + (-Inf) is NaN with NV, an exact zero sum
//   of opposite signs is +0 (-0 under rdn), overflow by policy ovf_i, tininess after rounding.
//   Stochastic rounding (rm_i = 6, sr): the random integers come from the ports rand_prod_i (the
//   cascaded product's rounding), rand_i (the accumulate) and rand_sum_i (the commit) when
//   USE_LFSR = 0, or from the internal Galois LFSR (rtl/common/lfsr.v) when USE_LFSR = 1: it steps once
//   per stochastic rounding, before it, in datapath order (product, accumulate, commit), and each
//   rounding takes the low SR_BITS bits of the new state; deterministic modes and cycles without
//   in_valid_i never step it. clear_i does not touch the LFSR.
//
// Parameters (override by name only; formats as in rtl/fp/fp_add.v: *_EXP_W, *_MAN_W, *_BIAS,
// *_NAN_STYLE (0 IEEE-like, 1 FN, 2 FNUZ, 3 NONE, 4 P3109 signed), *_HAS_INF):
//   IN_*      the operands a, b (in_fmt).           ACC_*   the accumulator acc (acc_fmt).
//   PROD_*    the product format (product_fmt) of the cascaded MAC; unused when CASCADE = 0.
//   SEC_*     the second level (second_fmt) of the chunked MAC; unused when CHUNKED = 0.
//   CASCADE   0 fused, 1 cascaded.
//   CHUNKED   0: FpMac (single level; last_i and total_o unused); 1: ChunkedMac.
//   CHUNK     products per chunk, 0: one chunk, committed only by last_i.
//   ALIGN_W   W, the accumulate adder's bits below the larger leading bit (S - 1 <= W <= 58, S the
//             widest significand: 2 P_in fused or P_prod cascaded, and P_acc); 0: exact.
//   STICKY    1: bits below the window jam into a sticky bit; 0: truncated (ALIGN_W > 0 only).
//   SR_BITS   N, random bits per stochastic rounding, >= 1 (<= LFSR_WIDTH with USE_LFSR).
//   USE_LFSR  0: random integers from the rand_*_i ports; 1: from the internal LFSR.
//   LFSR_WIDTH, LFSR_TAPS, LFSR_SEED   the LFSR (rtl/common/lfsr.v: TAPS 0 = maximal taps; seed 1).
//
// Ports:
//   clk_i, rst_ni            clock (rising edge); asynchronous reset, active low: every register
//                            cleared as after `clear`, the LFSR at LFSR_SEED, out_valid_o = 0.
//   in_valid_i               a product this cycle (valid).
//   clear_i                  start a new accumulation (see above).
//   last_i                   chunked: this product ends the dot (ignored without in_valid_i).
//   a_i, b_i [IN_W-1:0]      operands (IN_W = 1 + IN_EXP_W + IN_MAN_W).
//   rm_i [2:0], ovf_i [1:0]  rounding mode and overflow policy (`FP_RM_*, `FP_OVF_*) of every rounding.
//   rand_prod_i, rand_i, rand_sum_i [SR_BITS-1:0]   R of the product, accumulate and commit roundings
//                            (USE_LFSR = 0; ignored otherwise and in deterministic modes).
//   lfsr_load_i, lfsr_seed_i [LFSR_WIDTH-1:0]   USE_LFSR = 1: this cycle starts the LFSR from
//                            lfsr_seed_i instead of its register (run-time seeding: the model's
//                            Lfsr(seed=lfsr_seed_i) from this cycle on); ignored when USE_LFSR = 0.
//   acc_o [ACC_W-1:0]        the accumulator register (+0 after reset).
//   total_o [SEC_W-1:0]      the second-level register (chunked; 0 otherwise).
//   flags_o [4:0]            {NV, DZ, OF, UF, NX}: OR of every rounding's flags since the last clear.
//   out_valid_o              the registers were updated by a product at the last edge.
//   lfsr_o [LFSR_WIDTH-1:0]  the LFSR state (0 when USE_LFSR = 0).
//
// Latency: 1. The inputs sampled at rising edge t are reflected in acc_o, total_o, flags_o and
// lfsr_o after edge t (out_valid_o = 1 when in_valid_i was 1); one product per cycle, back to back
// (the accumulate is a single-cycle loop: unpack, multiply, [round into PROD], align, add, normalise,
// round, [commit: add, round], all combinational between the registers).

`ifndef FP_MAC_V
`define FP_MAC_V

`include "../fp/fp_unpack.v"
`include "../fp/fp_mul_exact.v"
`include "../fp/fp_pack.v"
`include "../fp/fp_sum.v"
`include "../common/lfsr.v"
`default_nettype none
`include "fp_defs.vh"

module fp_mac #(
    parameter integer IN_EXP_W      = 5,
    parameter integer IN_MAN_W      = 2,
    parameter integer IN_BIAS       = 15,
    parameter integer IN_NAN_STYLE  = `FP_NAN_IEEE,
    parameter integer IN_HAS_INF    = 1,
    parameter integer ACC_EXP_W     = 6,
    parameter integer ACC_MAN_W     = 9,
    parameter integer ACC_BIAS      = 31,
    parameter integer ACC_NAN_STYLE = `FP_NAN_IEEE,
    parameter integer ACC_HAS_INF   = 1,
    parameter integer CASCADE       = 0,
    parameter integer PROD_EXP_W    = 5,
    parameter integer PROD_MAN_W    = 10,
    parameter integer PROD_BIAS     = 15,
    parameter integer PROD_NAN_STYLE = `FP_NAN_IEEE,
    parameter integer PROD_HAS_INF  = 1,
    parameter integer CHUNKED       = 0,
    parameter integer CHUNK         = 0,
    parameter integer SEC_EXP_W     = 6,
    parameter integer SEC_MAN_W     = 9,
    parameter integer SEC_BIAS      = 31,
    parameter integer SEC_NAN_STYLE = `FP_NAN_IEEE,
    parameter integer SEC_HAS_INF   = 1,
    parameter integer ALIGN_W       = 0,
    parameter integer STICKY        = 0,
    parameter integer SR_BITS       = 8,
    parameter integer USE_LFSR      = 0,
    parameter integer LFSR_WIDTH    = 32,
    parameter [31:0]  LFSR_TAPS     = 32'h0,
    parameter [31:0]  LFSR_SEED     = 32'h1
) (
    input  wire                           clk_i,
    input  wire                           rst_ni,
    input  wire                           in_valid_i,
    input  wire                           clear_i,
    input  wire                           last_i,
    input  wire [IN_EXP_W+IN_MAN_W:0]     a_i,
    input  wire [IN_EXP_W+IN_MAN_W:0]     b_i,
    input  wire [`FP_RM_W-1:0]            rm_i,
    input  wire [`FP_OVF_W-1:0]           ovf_i,
    input  wire [SR_BITS-1:0]             rand_prod_i,
    input  wire [SR_BITS-1:0]             rand_i,
    input  wire [SR_BITS-1:0]             rand_sum_i,
    input  wire                           lfsr_load_i,
    input  wire [LFSR_WIDTH-1:0]          lfsr_seed_i,
    output wire [ACC_EXP_W+ACC_MAN_W:0]   acc_o,
    output wire [SEC_EXP_W+SEC_MAN_W:0]   total_o,
    output wire [`FP_FLAGS_W-1:0]         flags_o,
    output reg                            out_valid_o,
    output wire [LFSR_WIDTH-1:0]          lfsr_o
);

    localparam integer ACC_W  = ACC_EXP_W + ACC_MAN_W + 1;
    localparam integer SEC_W  = SEC_EXP_W + SEC_MAN_W + 1;
    localparam integer P_IN   = IN_MAN_W + 1;
    localparam integer P_ACC  = ACC_MAN_W + 1;
    localparam integer P_PROD = PROD_MAN_W + 1;
    localparam integer P_SEC  = SEC_MAN_W + 1;
    localparam integer PP     = 2 * P_IN;                      // exact product significand
    localparam integer XS     = (CASCADE != 0) ? P_PROD : PP;  // what the accumulate adds to acc
    localparam integer E1     = (IN_EXP_W + 1 > ACC_EXP_W) ? IN_EXP_W + 1 : ACC_EXP_W;
    localparam integer E2     = (PROD_EXP_W > SEC_EXP_W) ? PROD_EXP_W : SEC_EXP_W;
    localparam integer EW     = `FP_EW((E1 > E2) ? E1 : E2);  // one exponent width for every stage
    localparam integer STEPS  = 1 + (CASCADE != 0) + (CHUNKED != 0);
    localparam integer STW    = $clog2(STEPS + 1);
    localparam integer CW     = $clog2(CHUNK + 2);             // count: 0..CHUNK
    localparam [31:0]  CHUNK_V = CHUNK;
    localparam [31:0]  ONE_V   = 1;
    localparam integer PROD_W = PROD_EXP_W + PROD_MAN_W + 1;

    // ------------------------------------------------------------------------------------------
    // The registers as this cycle sees them: clear empties them before the product
    // ------------------------------------------------------------------------------------------
    reg  [ACC_W-1:0]        acc_q;
    reg  [`FP_FLAGS_W-1:0]  flags_q;
    wire [SEC_W-1:0]        total_q;     // registers of the chunked unit (constants otherwise)
    wire [CW-1:0]           count_q;
    wire                    first_q;

    wire [ACC_W-1:0]       acc_c   = clear_i ? {ACC_W{1'b0}} : acc_q;
    wire [SEC_W-1:0]       total_c = clear_i ? {SEC_W{1'b0}} : total_q;
    wire [`FP_FLAGS_W-1:0] flags_c = clear_i ? {`FP_FLAGS_W{1'b0}} : flags_q;
    wire [CW-1:0]          count_c = clear_i ? {CW{1'b0}} : count_q;
    wire                   first_c = clear_i | first_q;

    wire commits = (CHUNKED != 0) & in_valid_i
                 & (last_i | ((CHUNK != 0) & ({{(32-CW){1'b0}}, count_c} + ONE_V == CHUNK_V)));

    // ------------------------------------------------------------------------------------------
    // Random integers: ports, or the LFSR stepped once per stochastic rounding in datapath order
    // ------------------------------------------------------------------------------------------
    wire [SR_BITS-1:0] r_prod, r_acc, r_sum;
    generate
        if (USE_LFSR != 0) begin : g_lfsr
            wire stochastic = in_valid_i & (rm_i == `FP_RM_SR);
            wire [STEPS*SR_BITS-1:0]    rnd;
            wire [STEPS*LFSR_WIDTH-1:0] ahead;
            wire [STW-1:0] nsteps = stochastic ? (ONE_V[STW-1:0] + ((CASCADE != 0) ? ONE_V[STW-1:0] : {STW{1'b0}})
                                                  + (commits ? ONE_V[STW-1:0] : {STW{1'b0}}))
                                               : {STW{1'b0}};
            lfsr #(.WIDTH(LFSR_WIDTH), .TAPS(LFSR_TAPS), .SEED(LFSR_SEED), .STEPS(STEPS), .RAND_W(SR_BITS)) u_lfsr (
                .clk_i(clk_i), .rst_ni(rst_ni), .load_i(lfsr_load_i), .load_state_i(lfsr_seed_i),
                .step_i(nsteps), .state_o(lfsr_o), .ahead_o(ahead), .rand_o(rnd)
            );
            localparam integer KA = (CASCADE != 0) ? 1 : 0;
            assign r_prod = rnd[0 +: SR_BITS];
            assign r_acc  = rnd[KA*SR_BITS +: SR_BITS];
            assign r_sum  = rnd[(STEPS-1)*SR_BITS +: SR_BITS];
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_lfsr = ^{ahead, rand_prod_i, rand_i, rand_sum_i};
            /* verilator lint_on UNUSEDSIGNAL */
        end else begin : g_ports
            assign r_prod = rand_prod_i;
            assign r_acc  = rand_i;
            assign r_sum  = rand_sum_i;
            assign lfsr_o = {LFSR_WIDTH{1'b0}};
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_load = ^{lfsr_load_i, lfsr_seed_i};
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate

    // ------------------------------------------------------------------------------------------
    // Product: exact, normalised (leading one at PP-1)
    // ------------------------------------------------------------------------------------------
    wire                 p_sign, p_nan, p_nv, p_inf, p_zero;
    wire signed [EW-1:0] p_exp;
    wire [PP-1:0]        p_sig;
    fp_mul_exact #(.EXP_W(IN_EXP_W), .MAN_W(IN_MAN_W), .BIAS(IN_BIAS), .NAN_STYLE(IN_NAN_STYLE),
                   .HAS_INF(IN_HAS_INF), .EW(EW))
        u_prod (.a_i(a_i), .b_i(b_i), .sign_o(p_sign), .nan_o(p_nan), .nv_o(p_nv), .inf_o(p_inf),
                .zero_o(p_zero), .exp_o(p_exp), .sig_o(p_sig));

    // ------------------------------------------------------------------------------------------
    // Cascaded: the product rounded into PROD (as convert), then unpacked again
    // ------------------------------------------------------------------------------------------
    wire                 x_sign, x_nan, x_nv, x_inf, x_zero;
    wire signed [EW-1:0] x_exp;
    wire [XS-1:0]        x_sig;
    wire [`FP_FLAGS_W-1:0] f_prod;
    generate
        if (CASCADE != 0) begin : g_cascade
            wire [PROD_W-1:0] prod_code;
            /* verilator lint_off UNUSEDSIGNAL */
            wire              unused_snan;
            /* verilator lint_on UNUSEDSIGNAL */
            fp_pack #(.EXP_W(PROD_EXP_W), .MAN_W(PROD_MAN_W), .BIAS(PROD_BIAS), .NAN_STYLE(PROD_NAN_STYLE),
                      .HAS_INF(PROD_HAS_INF), .SR_BITS(SR_BITS), .SIG_W(PP), .EW(EW))
                u_prod (.nan_i(p_nan), .nv_i(p_nv), .inf_i(p_inf), .zero_i(p_zero), .sign_i(p_sign),
                        .exp_i(p_exp), .sig_i(p_sig), .sticky_i(1'b0), .rm_i(rm_i), .ovf_i(ovf_i),
                        .rand_i(r_prod), .z_o(prod_code), .flags_o(f_prod));
            fp_unpack #(.EXP_W(PROD_EXP_W), .MAN_W(PROD_MAN_W), .BIAS(PROD_BIAS), .NAN_STYLE(PROD_NAN_STYLE),
                        .HAS_INF(PROD_HAS_INF), .EW(EW))
                u_unpack_p (.code_i(prod_code), .sign_o(x_sign), .nan_o(x_nan), .snan_o(unused_snan),
                            .inf_o(x_inf), .zero_o(x_zero), .exp_o(x_exp), .sig_o(x_sig));
            assign x_nv = 1'b0;   // a canonical NaN is quiet; the product's NV is in f_prod
        end else begin : g_fused
            assign {x_sign, x_nan, x_nv, x_inf, x_zero} = {p_sign, p_nan, p_nv, p_inf, p_zero};
            assign x_exp  = p_exp;
            assign x_sig  = p_sig;
            assign f_prod = {`FP_FLAGS_W{1'b0}};
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_prod = ^r_prod;
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate

    // ------------------------------------------------------------------------------------------
    // Accumulate: x + acc through the ALIGN_W adder, rounded into ACC
    // ------------------------------------------------------------------------------------------
    wire                 sc, nc, snc, ic, zc;
    wire signed [EW-1:0] ec;
    wire [P_ACC-1:0]     mc;
    fp_unpack #(.EXP_W(ACC_EXP_W), .MAN_W(ACC_MAN_W), .BIAS(ACC_BIAS), .NAN_STYLE(ACC_NAN_STYLE),
                .HAS_INF(ACC_HAS_INF), .EW(EW))
        u_unpack_acc (.code_i(acc_c), .sign_o(sc), .nan_o(nc), .snan_o(snc), .inf_o(ic), .zero_o(zc),
                      .exp_o(ec), .sig_o(mc));

    wire [ACC_W-1:0]       acc_new;
    wire [`FP_FLAGS_W-1:0] f_acc;
    fp_sum #(.EXP_W(ACC_EXP_W), .MAN_W(ACC_MAN_W), .BIAS(ACC_BIAS), .NAN_STYLE(ACC_NAN_STYLE),
             .HAS_INF(ACC_HAS_INF), .SR_BITS(SR_BITS), .XS(XS), .YS(P_ACC), .EW(EW),
             .ALIGN_W(ALIGN_W), .STICKY(STICKY))
        u_acc (.x_sign_i(x_sign), .x_nan_i(x_nan), .x_nv_i(x_nv), .x_inf_i(x_inf), .x_zero_i(x_zero),
               .x_exp_i(x_exp), .x_sig_i(x_sig),
               .y_sign_i(sc), .y_nan_i(nc), .y_nv_i(snc), .y_inf_i(ic), .y_zero_i(zc), .y_exp_i(ec), .y_sig_i(mc),
               .rm_i(rm_i), .ovf_i(ovf_i), .rand_i(r_acc), .z_o(acc_new), .flags_o(f_acc));

    wire [`FP_FLAGS_W-1:0] f_step = f_prod | f_acc;

    // ------------------------------------------------------------------------------------------
    // Registers
    // ------------------------------------------------------------------------------------------
    generate
        if (CHUNKED != 0) begin : g_chunked
            // Commit: the new chunk result loaded into SEC (first: + a zero of its own sign, which is
            // exactly convert) or added to the total, with one exact-adder rounding.
            wire                 sx, nx, snx, ix, zx, st, nt, snt, it, zt;
            wire signed [EW-1:0] ex, et;
            wire [P_ACC-1:0]     mx;
            wire [P_SEC-1:0]     mt;
            fp_unpack #(.EXP_W(ACC_EXP_W), .MAN_W(ACC_MAN_W), .BIAS(ACC_BIAS), .NAN_STYLE(ACC_NAN_STYLE),
                        .HAS_INF(ACC_HAS_INF), .EW(EW))
                u_unpack_x (.code_i(acc_new), .sign_o(sx), .nan_o(nx), .snan_o(snx), .inf_o(ix), .zero_o(zx),
                            .exp_o(ex), .sig_o(mx));
            fp_unpack #(.EXP_W(SEC_EXP_W), .MAN_W(SEC_MAN_W), .BIAS(SEC_BIAS), .NAN_STYLE(SEC_NAN_STYLE),
                        .HAS_INF(SEC_HAS_INF), .EW(EW))
                u_unpack_t (.code_i(total_c), .sign_o(st), .nan_o(nt), .snan_o(snt), .inf_o(it), .zero_o(zt),
                            .exp_o(et), .sig_o(mt));
            wire [SEC_W-1:0]       total_new;
            wire [`FP_FLAGS_W-1:0] f_sum;
            fp_sum #(.EXP_W(SEC_EXP_W), .MAN_W(SEC_MAN_W), .BIAS(SEC_BIAS), .NAN_STYLE(SEC_NAN_STYLE),
                     .HAS_INF(SEC_HAS_INF), .SR_BITS(SR_BITS), .XS(P_ACC), .YS(P_SEC), .EW(EW),
                     .ALIGN_W(0), .STICKY(1))
                u_commit (.x_sign_i(sx), .x_nan_i(nx), .x_nv_i(snx), .x_inf_i(ix), .x_zero_i(zx),
                          .x_exp_i(ex), .x_sig_i(mx),
                          .y_sign_i(first_c ? sx : st), .y_nan_i(~first_c & nt), .y_nv_i(~first_c & snt),
                          .y_inf_i(~first_c & it), .y_zero_i(first_c | zt), .y_exp_i(et), .y_sig_i(mt),
                          .rm_i(rm_i), .ovf_i(ovf_i), .rand_i(r_sum), .z_o(total_new), .flags_o(f_sum));

            reg [SEC_W-1:0] total_r;
            reg [CW-1:0]    count_r;
            reg             first_r;
            always @(posedge clk_i or negedge rst_ni) begin
                if (!rst_ni) begin
                    acc_q   <= {ACC_W{1'b0}};
                    total_r <= {SEC_W{1'b0}};
                    flags_q <= {`FP_FLAGS_W{1'b0}};
                    count_r <= {CW{1'b0}};
                    first_r <= 1'b1;
                end else if (in_valid_i) begin
                    if (commits) begin
                        acc_q   <= {ACC_W{1'b0}};
                        total_r <= total_new;
                        flags_q <= flags_c | f_step | f_sum;
                        count_r <= {CW{1'b0}};
                        first_r <= 1'b0;
                    end else begin
                        acc_q   <= acc_new;
                        total_r <= total_c;
                        flags_q <= flags_c | f_step;
                        count_r <= count_c + ONE_V[CW-1:0];
                        first_r <= first_c;
                    end
                end else begin
                    acc_q   <= acc_c;
                    total_r <= total_c;
                    flags_q <= flags_c;
                    count_r <= count_c;
                    first_r <= first_c;
                end
            end
            assign total_q = total_r;
            assign count_q = count_r;
            assign first_q = first_r;
        end else begin : g_single
            always @(posedge clk_i or negedge rst_ni) begin
                if (!rst_ni) begin
                    acc_q   <= {ACC_W{1'b0}};
                    flags_q <= {`FP_FLAGS_W{1'b0}};
                end else if (in_valid_i) begin
                    acc_q   <= acc_new;
                    flags_q <= flags_c | f_step;
                end else begin
                    acc_q   <= acc_c;
                    flags_q <= flags_c;
                end
            end
            assign total_q = {SEC_W{1'b0}};
            assign count_q = {CW{1'b0}};
            assign first_q = 1'b1;
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_single = ^{last_i, total_c, count_c, first_c, commits, r_sum};
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate

    assign acc_o   = acc_q;
    assign total_o = total_q;
    assign flags_o = flags_q;

    always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) out_valid_o <= 1'b0;
        else         out_valid_o <= in_valid_i;
    end

endmodule

`default_nettype wire

`endif  // FP_MAC_V
