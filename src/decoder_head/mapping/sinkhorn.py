"""`sinkhorn`: each word is a mixture over the frozen embedding rows, P @ E.

P (V, V_t) is made doubly stochastic by log-domain Sinkhorn iterations (Mena et al.
2018, without the Gumbel noise): rows sum to 1 and columns to V / V_t, so no target row
can be claimed by every word. This is the original repo's `P @ E`, made trainable with a
constraint instead of a penalty. Cost: V x V_t logits, `n_iter` log-sum-exps over them
per step, plus a (V, V_t) @ (V_t, d) product.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .base import Mapping, register


def log_sinkhorn(log_alpha: torch.Tensor, n_iter: int) -> torch.Tensor:
    """Alternate row/column log-normalisation of (V, V_t) logits; returns log P.

    Rows end summing to 1, columns to V / V_t (1 for square matrices). The last step
    normalises rows, so row sums are exact and columns converge with n_iter.
    """
    n_rows, n_cols = log_alpha.shape
    col_mass = math.log(n_rows / n_cols)
    for _ in range(n_iter):
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=0, keepdim=True) + col_mass
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=1, keepdim=True)
    return log_alpha


@register("sinkhorn")
class SinkhornMapping(Mapping):
    """table = Sinkhorn(logits / tau) @ E_frozen."""

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        target: torch.Tensor,
        tau: float = 1.0,
        n_iter: int = 10,
        init: torch.Tensor | None = None,
        **_: object,
    ) -> None:
        super().__init__()
        if target.dim() != 2 or target.size(1) != dim:
            raise ValueError(f"target table must be (V_t, {dim}), got {tuple(target.shape)}")
        if tau <= 0 or n_iter < 1:
            raise ValueError("tau must be > 0 and n_iter >= 1")
        self.vocab_size, self.dim = vocab_size, dim
        self.tau, self.n_iter = tau, n_iter
        self.register_buffer("target", target.detach().clone())  # (V_t, d), frozen
        logits = torch.zeros(vocab_size, target.size(0)) if init is None else init.clone()
        self.logits = nn.Parameter(logits)  # (V, V_t)

    def log_p(self) -> torch.Tensor:
        return log_sinkhorn(self.logits / self.tau, self.n_iter)

    def table(self) -> torch.Tensor:
        return self.log_p().exp() @ self.target  # (V, V_t) @ (V_t, d) -> (V, d)

    def scores(self) -> torch.Tensor:
        return self.log_p().detach()

    @torch.no_grad()
    def assign(self, rows: torch.Tensor, cols: torch.Tensor) -> None:
        """Logits of a (near) permutation: e^-30 of the mass off the assigned entries."""
        self.logits[rows] = -30.0 * self.tau
        self.logits[rows, cols] = 0.0
