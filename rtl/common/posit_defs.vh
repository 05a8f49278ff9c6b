// posit_defs.vh: widths shared by the posit datapaths (rtl/posit/*), as text macros of N and ES.
//
// A posit<N,ES> (docs/posits.md) has value (-1)^s (1 + f) 2^scale with |scale| <= MAXS = (N-2) 2^ES
// and at most FB = N-3-ES fraction bits. The modules exchange the decoded fields with these widths,
// so that a port width is a constant expression of the parameters (Verilog-2005 ANSI ports cannot
// use localparams). Plain macros with arguments, guarded against double inclusion; compile with
// -I rtl/common. The rounding-mode encoding is fp_defs.vh's (`FP_RM_RNE 0, `FP_RM_SR 6).
//
//   POSIT_MAXS(N,ES)     the largest scale, log2(maxpos) = (N-2) 2^ES
//   POSIT_FB(N,ES)       the most fraction bits a code holds, max(N-3-ES, 0)
//   POSIT_FW(N,ES)       the width of a decoded fraction field, max(FB, 1) (left-aligned)
//   POSIT_SW(N,ES)       a signed width that holds every decoded scale, with room for one carry
//   POSIT_REQ(N,ES,SR)   a safe count of fraction bits below the hidden one that posit_encode
//                        needs exactly (bits below them only as a sticky OR): it inspects FB + 1
//                        for rne; for sr with SR random bits FB + SR where the cut falls in the
//                        fraction and SR + 2^ES - 1 where it falls in exponent bits

`ifndef POSIT_DEFS_VH
`define POSIT_DEFS_VH

`define POSIT_MAXS(N,ES)   (((N) - 2) << (ES))
`define POSIT_FB(N,ES)     ((((N) - 3 - (ES)) > 0) ? ((N) - 3 - (ES)) : 0)
`define POSIT_FW(N,ES)     ((((N) - 3 - (ES)) > 1) ? ((N) - 3 - (ES)) : 1)
`define POSIT_SW(N,ES)     ($clog2(`POSIT_MAXS(N,ES) + 1) + 2)
`define POSIT_REQ(N,ES,SR) (`POSIT_FW(N,ES) + (SR) + (1 << (ES)))

`endif  // POSIT_DEFS_VH
