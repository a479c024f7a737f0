"""`linear`: the original decoder-head parametrisation, table = P @ E with P free.

P (V, V_t) has no constraint; a penalty asks its rows and columns to sum to 1 (the
original repo's "aza loss", which sums absolute values, so negative entries count):

    penalty = weight * ( mean_w |1 - sum_j |P[w, j]|| + mean_j |V/V_t - sum_w |P[w, j]|| )

The original added 5/2000 * (sum over rows + sum over columns) at V = 2,000 words (and
scaled the cross-entropy by 1 - 5/2000); as means that is weight 5, the default here.
"""

from __future__ import annotations

import torch

from .base import register
from .mixture import MixtureMapping


@register("linear")
class LinearMapping(MixtureMapping):
    param_name = "p"

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        target: torch.Tensor,
        init: torch.Tensor | None = None,
        penalty_weight: float = 5.0,
        init_as: str = "softmax",
        topk: int | None = None,
        normalize: bool = False,
        keep_scale: bool = False,
    ) -> None:
        """init_as: "softmax" turns the init logits into P = row-softmax(init) (rows sum to 1,
        the rank prior stays a prior); "raw" uses them as P itself (e.g. Kaiming-style noise)."""
        if init_as not in ("softmax", "raw"):
            raise ValueError(f"init_as must be 'softmax' or 'raw', got {init_as!r}")
        if penalty_weight < 0:
            raise ValueError(f"penalty_weight must be >= 0, got {penalty_weight}")
        super().__init__(vocab_size, dim, target, init, topk, normalize, keep_scale)
        if init_as == "softmax":
            with torch.no_grad():
                self.p.copy_(torch.softmax(self.p, dim=1))
        self.penalty_weight = penalty_weight

    def weights(self, noise: bool | None = None) -> torch.Tensor:
        return self.p

    def hard_values(self) -> tuple[float, float]:
        return 0.0, 1.0

    def new_entry_value(self, values: torch.Tensor) -> torch.Tensor:
        return torch.zeros(values.size(0), 1)

    def penalty(self) -> torch.Tensor:
        rows, cols = self.row_col_sums(self.p, torch.abs)
        col_mass = self.vocab_size / self.n_target
        return self.penalty_weight * ((1 - rows).abs().mean() + (col_mass - cols).abs().mean())
