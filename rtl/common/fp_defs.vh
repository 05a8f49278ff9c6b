// fp_defs.vh: the shared encodings of the refmodel RTL (one place, as cvfpu's fpnew_pkg).
//
// Every datapath `includes this file (compile with -I rtl/common). The numbers are the public
// contract of ../../docs/numerics.md and refmodel/encodings.py; change them in all three places or
// not at all. Plain Verilog-2005 text macros, guarded against double inclusion, so that a module can
// use them in parameter defaults, case items and constant expressions without unused-parameter lint.
//
//   Rounding modes, 3 bits (RISC-V / fpnew order):      FP_RM_*
//   Exception flags, 5 bits (RISC-V / SoftFloat order): FP_FLAG_* (bit index), FP_FLAGS_W
//   Overflow policies, 2 bits:                          FP_OVF_*
//   NaN styles (format families), integer parameter:    FP_NAN_*
//   Exponent width of the datapaths:                    FP_EW(E)

`ifndef FP_DEFS_VH
`define FP_DEFS_VH

// ---- rounding modes (rm_i[2:0]) ---------------------------------------------------------------
`define FP_RM_W    3
`define FP_RM_RNE  3'd0   // nearest, ties to even
`define FP_RM_RTZ  3'd1   // toward zero
`define FP_RM_RDN  3'd2   // toward -infinity
`define FP_RM_RUP  3'd3   // toward +infinity
`define FP_RM_RNA  3'd4   // nearest, ties away from zero
`define FP_RM_ROD  3'd5   // to odd (sticky into the last place)
`define FP_RM_SR   3'd6   // stochastic, IEEE P3109 StochasticA: away iff floor(nu*2^N) + R >= 2^N
                          // 3'd7 is reserved; datapaths treat it as RNE

// ---- exception flags (flags_o[4:0]): bit indices and the field width --------------------------
`define FP_FLAGS_W   5
`define FP_FLAG_NV   4    // 0x10 invalid operation
`define FP_FLAG_DZ   3    // 0x08 divide by zero
`define FP_FLAG_OF   2    // 0x04 overflow
`define FP_FLAG_UF   1    // 0x02 underflow (tiny after rounding and inexact)
`define FP_FLAG_NX   0    // 0x01 inexact

// ---- overflow policies (ovf_i[1:0]) -----------------------------------------------------------
`define FP_OVF_W       2
`define FP_OVF_IEEE    2'd0   // Inf (or NaN, or max) per IEEE 754 7.4; directed modes toward zero give max
`define FP_OVF_SAT     2'd1   // clamp to +-max, infinite operands included (OCP SAT, P3109 SatFinite)
`define FP_OVF_SATPROP 2'd2   // clamp finite results, keep infinities (P3109 SatPropagate)
                              // 2'd3 is reserved; datapaths treat it as IEEE

// ---- NaN styles: which special encodings a format has (integer parameter NAN_STYLE) -----------
`define FP_NAN_IEEE  0    // IEEE-like: Inf at S.1..1.0..0, NaN at S.1..1.T (T != 0), sNaN when T's top
                          // bit is 0; canonical NaN 0.1..1.10..0 (e5m2 0x7E). Use with HAS_INF = 1.
`define FP_NAN_FN    1    // finite: no Inf, NaN only at S.1..1.1..1; canonical 0.1..1.1..1 (e4m3fn 0x7F)
`define FP_NAN_FNUZ  2    // finite, unsigned zero: no Inf, no -0, one NaN at 1.0..0.0..0 (0x80)
`define FP_NAN_NONE  3    // no Inf and no NaN at all (MX e2m3fn, e3m2fn, e2m1fn): every code is finite
`define FP_NAN_P3109 4    // signed IEEE P3109 v4 binary<K>p<P>s<e|f>: one zero (code 0, no -0), NaN only
                          // at 1.0..0 (0x80), subnormals at E = 0, bias 2^(EXP_W-1). With HAS_INF = 1
                          // (extended, `se`) +Inf is 0.1..1 (0x7F), -Inf 1.1..1 (0xFF), max finite
                          // 0.1..10 (0x7E); with HAS_INF = 0 (finite, `sf`) max finite is 0.1..1 (0x7F)
                          // and an overflow under the ieee policy clamps to +-max (SatNone: the NaN is not
                          // an overflow value). The unsigned P3109 formats (`u`) are not supported.

// ---- exponent width --------------------------------------------------------------------------
// A signed width that holds every unbiased exponent the datapaths form from EXP_W = E formats
// (products, sums, subnormal normalisation, alignment offsets), for biases up to 2^E and
// significands up to 62 bits.
`define FP_EW(E) ((E) + 8)

`endif  // FP_DEFS_VH
