"""eugene.interpret: attributions, filter motifs, layer analyses and in silico perturbation."""

from ._engine import predict

__all__ = ["predict"]
