// fp_defs_ext.vh: additions to fp_defs.vh used by the adder and MAC datapaths (fp_unpack, fp_round,
// fp_pack, fp_sum, fp_add, fp_mac). Backward compatible: it only adds names, so fp_mul.v and every
// other user of fp_defs.vh are unaffected. Proposed for a later merge into fp_defs.vh.
//
//   FP_NAN_P3109   NAN_STYLE of the signed IEEE P3109 v4 formats binary<K>p<P>s<e|f> (docs/numerics.md):
//                  one zero (code 0, no -0), NaN only at 1.0..0 (0x80), subnormals at E = 0, bias
//                  2^(EXP_W-1). With HAS_INF = 1 (extended, `se`) +Inf is 0.1..1 (0x7F), -Inf 1.1..1
//                  (0xFF) and max finite 0.1..10 (0x7E); with HAS_INF = 0 (finite, `sf`) max finite is
//                  0.1..1 (0x7F), and an overflow under the ieee policy clamps to +-max (SatNone: the
//                  NaN is not an overflow value). The unsigned P3109 formats (`u`) are not supported.
//   FP_EW(E)       a signed exponent width that holds every unbiased exponent the datapaths form
//                  from EXP_W = E formats (products, sums, subnormal normalisation, alignment
//                  offsets), for biases up to 2^E and significands up to 62 bits.

`ifndef FP_DEFS_EXT_VH
`define FP_DEFS_EXT_VH

`include "fp_defs.vh"

`ifndef FP_NAN_P3109
`define FP_NAN_P3109 4
`endif

`define FP_EW(E) ((E) + 8)

`endif  // FP_DEFS_EXT_VH
