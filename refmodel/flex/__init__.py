"""Flexpoint (flex<N>+<E>, Koster et al. 2017): quantization, the MAC and requantizer, Autoflex.

docs/flexpoint.md is the contract. Mantissas travel as int64 arrays, exponents as ints in the
format's range [-(2^E - 1), 0]; `FlexTensor` pairs them.
"""

from .accumulator import max_exact_terms
from .autoflex import Autoflex, AutoflexParams, AutoflexTensor
from .mac import FlexMac, MacOutputs
from .matmul import dot, dot_mantissas, gemm
from .quantize import dequantize, quantize, quantize_mantissas, requantize
from .tensor import FlexTensor

__all__ = ["FlexTensor", "quantize", "quantize_mantissas", "dequantize", "requantize", "dot", "dot_mantissas",
           "gemm", "FlexMac", "MacOutputs", "Autoflex", "AutoflexParams", "AutoflexTensor", "max_exact_terms"]
