"""`gumbel-sinkhorn`: Sinkhorn with Gumbel noise and an annealed temperature (Mena et al. 2018).

    training:   log P = Sinkhorn((logits + noise_factor * g) / tau),  g ~ Gumbel(0, 1) i.i.d.
    evaluation: no noise; `hard_assignment()` rounds P to a permutation (Hungarian)

As tau -> 0, Sinkhorn(X / tau) approaches the permutation that maximises <P, X>, so the
noisy soft matrix is a relaxed sample of a random permutation (the Gumbel-Matching
distribution). tau follows a geometric schedule from tau_start to tau_end as the training
loop reports its progress (`set_progress(step / total)`); the progress is a buffer, so a
checkpoint restores the temperature. Low tau needs more iterations (n_iter default 20, as
in the paper's experiments) and gives high-variance gradients: anneal, do not start there.
"""

from __future__ import annotations

import torch

from .base import register
from .sinkhorn import SinkhornMapping


@register("gumbel-sinkhorn")
class GumbelSinkhornMapping(SinkhornMapping):
    def __init__(
        self,
        vocab_size: int,
        dim: int,
        target: torch.Tensor,
        init: torch.Tensor | None = None,
        tau_start: float = 1.0,
        tau_end: float = 0.1,
        noise_factor: float = 1.0,
        n_iter: int = 20,
        topk: int | None = None,
        normalize: bool = False,
        keep_scale: bool = False,
    ) -> None:
        if tau_start <= 0 or tau_end <= 0:
            raise ValueError(f"tau_start and tau_end must be > 0, got {tau_start}, {tau_end}")
        if noise_factor < 0:
            raise ValueError(f"noise_factor must be >= 0, got {noise_factor}")
        super().__init__(vocab_size, dim, target, tau_start, n_iter, init, topk, normalize, keep_scale)
        self.tau_start, self.tau_end, self.noise_factor = tau_start, tau_end, noise_factor
        self.register_buffer("progress", torch.zeros(()))  # fraction of training done, in [0, 1]

    def set_progress(self, fraction: float) -> None:
        self.progress.fill_(min(max(float(fraction), 0.0), 1.0))

    def temperature(self) -> float:
        """tau_start * (tau_end / tau_start) ** progress: geometric annealing."""
        return self.tau_start * (self.tau_end / self.tau_start) ** float(self.progress)
