"""Flexpoint (flex<N>+<E>, Koster et al. 2017): quantization, the MAC and requantizer, Autoflex.

docs/flexpoint.md is the contract. Mantissas travel as int64 arrays, exponents as ints in the
format's range [-(2^E - 1), 0]; `FlexTensor` pairs them.
"""
