"""refmodel: bit-accurate reference model of low-precision deep-learning arithmetic."""

__version__ = "0.1.0"
