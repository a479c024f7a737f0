"""`autoshuffle`: a doubly stochastic P pushed to a permutation by an exact penalty
(Lyu et al. 2019, AutoShuffleNet, arXiv 1901.08624).

    P = Sinkhorn(logits / tau)                                 # doubly stochastic, as `sinkhorn`
    penalty = weight * ( sum_rows (||p||_1 - ||p||_2) + sum_cols (||p||_1 - ||p||_2) )

On the doubly stochastic matrices the L1 - L2 penalty is >= 0 and is 0 exactly at the
permutation matrices (a nonnegative vector with ||p||_1 = ||p||_2 has one non-zero entry),
and it is Lipschitz, so SGD can use it; the paper found the relaxation without it "leads to
poor performance", and rounds to the nearest permutation at the end (`harden()`). The
paper keeps P feasible by its own projection; here Sinkhorn does that job, so one code path
serves dense and sparse supports. The penalty is a sum over rows and columns (as in the
paper), so it grows with V: scale `penalty_weight` ~ 1/V to keep it comparable to the LM loss.
With V != V_t columns carry V/V_t each and the column term cannot reach 0.
"""

from __future__ import annotations

import torch

from .base import register
from .sinkhorn import SinkhornMapping


def l1_l2_penalty(row_l1: torch.Tensor, row_sq: torch.Tensor, col_l1: torch.Tensor,
                  col_sq: torch.Tensor) -> torch.Tensor:
    """sum(||.||_1 - ||.||_2) over rows and columns, from their L1 norms and squared L2 norms.

    The clamp keeps sqrt differentiable at an empty (all-zero) column; it changes nothing
    where a column holds any mass above 1e-15.
    """
    l2 = lambda sq: sq.clamp_min(1e-30).sqrt()  # noqa: E731
    return (row_l1 - l2(row_sq)).sum() + (col_l1 - l2(col_sq)).sum()


@register("autoshuffle")
class AutoShuffleMapping(SinkhornMapping):
    def __init__(
        self,
        vocab_size: int,
        dim: int,
        target: torch.Tensor,
        init: torch.Tensor | None = None,
        tau: float = 1.0,
        n_iter: int = 10,
        penalty_weight: float = 1e-3,
        topk: int | None = None,
        normalize: bool = False,
        keep_scale: bool = False,
    ) -> None:
        if penalty_weight < 0:
            raise ValueError(f"penalty_weight must be >= 0, got {penalty_weight}")
        super().__init__(vocab_size, dim, target, tau, n_iter, init, topk, normalize, keep_scale)
        self.penalty_weight = penalty_weight

    def penalty(self) -> torch.Tensor:
        if self.penalty_weight == 0:
            return torch.zeros(())
        w = self.current_weights()  # the P of this step's table(), not a second Sinkhorn
        row_l1, col_l1 = self.row_col_sums(w, torch.abs)
        row_sq, col_sq = self.row_col_sums(w, torch.square)
        return self.penalty_weight * l1_l2_penalty(row_l1, row_sq, col_l1, col_sq)
