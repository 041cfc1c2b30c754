"""bf16 Linear layers on CPU with their weights reordered once, at load, for oneDNN.

torch runs a bf16 Linear on CPU through oneDNN (AMX or AVX512-BF16 kernels), and on every call
it first reorders the plain (out x in) weight into oneDNN's blocked layout. For the greedy
decoding step of an opus-mt model (64 rows) that reorder is a third of the time of each layer,
and the output layer (62,518 x 512) is reordered again at every step. Here each Linear is
replaced by one that holds the reordered weight, so the same oneDNN product runs without the
copy: the same kernel on the same numbers, so the same outputs (tested), 1.3-1.8x faster per
layer on these machines (docs/benchmarks.md). It is what torch.compile's weight freezing does
for CPU Linear layers (Inductor's mkldnn `_linear_pointwise`), without compiling anything.

Only for bf16 models on CPUs whose oneDNN has bf16 kernels; `JOBS_PACK_WEIGHTS=0` turns it off.
"""

from __future__ import annotations

import torch

from jobs.config import environment

# The row count oneDNN picks its blocking for: a decoding step's batch (64 rows per batch on CPU).
_ROWS_HINT = 64


def packing_wanted(device: str, dtype: str) -> bool:
    """Whether `pack_linear_layers` applies: a bf16 model on a CPU oneDNN can run bf16 on."""
    if device != "cpu" or dtype != "bf16":
        return False
    if not environment().pack_weights:
        return False
    return torch.backends.mkldnn.is_available() and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


class PackedLinear(torch.nn.Module):
    """An nn.Linear whose weight is held in oneDNN's layout (an opaque mkldnn tensor).

    Inference only: the packed weight is not a parameter and has no gradient.
    """

    def __init__(self, layer: torch.nn.Linear):
        super().__init__()
        self.in_features, self.out_features = layer.in_features, layer.out_features
        self.weight = torch.ops.mkldnn._reorder_linear_weight(layer.weight.detach(), _ROWS_HINT)
        self.bias = None if layer.bias is None else layer.bias.detach()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.product(x, self.bias)

    def product(self, x: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        """x @ weight.T + bias, with a bias of the caller's choosing (the greedy loop's fused one)."""
        return torch.ops.mkldnn._linear_pointwise(x, self.weight, bias, "none", [], "")

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, packed"


def pack_linear_layers(model: torch.nn.Module) -> int:
    """Replace every bf16 nn.Linear of `model` by a PackedLinear; returns how many were replaced.

    A weight tied to another module (Marian's and BART's output layer shares the embedding
    matrix) stays where it is for that module; the output layer gets its own packed copy.
    """
    replaced = 0
    with torch.no_grad():
        for module in list(model.modules()):
            for name, child in list(module.named_children()):
                if type(child) is torch.nn.Linear and child.weight.dtype == torch.bfloat16:
                    setattr(module, name, PackedLinear(child))
                    replaced += 1
    return replaced
