"""Stateful, cycle-level models of hardware units (docs/units.md): the FP MAC (fused or cascaded,
alignment width, chunk-based accumulation), dot products on it, the stochastic-rounding adder and
the LFSR that feeds stochastic rounding, and the posit quire MAC. The RTL mirrors their ports and state."""

from .dot import DotResult, dot
from .fp_mac import ChunkedMac, ChunkTrace, FpMac, MacConfig, MacTrace
from .lfsr import MAXIMAL_TAPS, Lfsr
from .quire_mac import QuireMAC
from .sr_adder import SrAdder, SrAddTrace

__all__ = ["FpMac", "ChunkedMac", "MacConfig", "MacTrace", "ChunkTrace", "dot", "DotResult", "SrAdder", "SrAddTrace",
           "Lfsr", "MAXIMAL_TAPS", "QuireMAC"]
