"""DeepLIFT that is exact on any PyTorch model: rules applied per torch-function call, not per module.

See :mod:`._mode` (the TorchFunctionMode), :mod:`._rules` (the rules as autograd), :mod:`._ops` (which call gets
which rule), :mod:`._decompose` (fused kernels rewritten as primitives) and :mod:`._run` (the two passes).
"""

from ._mode import DeepLiftWarning
from ._run import pair_multipliers

__all__ = ["DeepLiftWarning", "pair_multipliers"]
