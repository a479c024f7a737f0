"""`sinkhorn`: each word is a mixture over the frozen embedding rows, P @ E.

P (V, V_t) is made doubly stochastic by log-domain Sinkhorn iterations (Mena et al.
2018, without the Gumbel noise): rows sum to 1 and columns to V / V_t, so no target row
can be claimed by every word. This is the original repo's `P @ E`, made trainable with a
constraint instead of a penalty. Cost: V x V_t logits, `n_iter` log-sum-exps over them
per step, plus a (V, V_t) @ (V_t, d) product; with `topk=k` the same on V x k entries
(columns normalised by a scatter-logsumexp over the sparse support).
"""

from __future__ import annotations

import math

import torch

from .base import register
from .mixture import LogMixture, scatter_logsumexp


def log_sinkhorn(log_alpha: torch.Tensor, n_iter: int) -> torch.Tensor:
    """Alternate row/column log-normalisation of (V, V_t) logits; returns log P.

    Rows end summing to 1, columns to V / V_t (1 for square matrices). The last step
    normalises rows, so row sums are exact and columns converge with n_iter.
    """
    n_rows, n_cols = log_alpha.shape
    col_mass = math.log(n_rows / n_cols)
    for _ in range(n_iter):
        log_alpha = log_alpha - (torch.logsumexp(log_alpha, dim=0, keepdim=True) - col_mass)  # one V x V_t temp
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=1, keepdim=True)
    return log_alpha


def sparse_log_sinkhorn(log_alpha: torch.Tensor, support: torch.Tensor, n_cols: int, n_iter: int) -> torch.Tensor:
    """`log_sinkhorn` on a sparse support: log_alpha (V, k) holds the entries at columns
    support (V, k) of a V x n_cols matrix whose other entries are -inf. Returns log P (V, k).

    Same marginals as the dense version (equal to it when every row holds every column);
    a column that is in no row's support simply stays empty.
    """
    n_rows = log_alpha.size(0)
    col_mass = math.log(n_rows / n_cols)
    cols = support.flatten()
    for _ in range(n_iter):
        col_lse = scatter_logsumexp(log_alpha.flatten(), cols, n_cols)  # (n_cols,)
        log_alpha = log_alpha - (col_lse - col_mass)[support]
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=1, keepdim=True)
    return log_alpha


@register("sinkhorn")
class SinkhornMapping(LogMixture):
    """table = Sinkhorn(logits / tau) @ E_frozen."""

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        target: torch.Tensor,
        tau: float = 1.0,
        n_iter: int = 10,
        init: torch.Tensor | None = None,
        topk: int | None = None,
        normalize: bool = False,
        keep_scale: bool = False,
    ) -> None:
        if n_iter < 1:
            raise ValueError(f"n_iter must be >= 1, got {n_iter}")
        super().__init__(vocab_size, dim, target, init, tau, topk, normalize, keep_scale)
        self.n_iter = n_iter

    def normalise(self, log_alpha: torch.Tensor) -> torch.Tensor:
        if self.support is None:
            return log_sinkhorn(log_alpha, self.n_iter)
        return sparse_log_sinkhorn(log_alpha, self.support, self.n_target, self.n_iter)
