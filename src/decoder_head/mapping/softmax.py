"""`softmax`: each word a row-softmax mixture of the frozen rows (the original "mixer").

    table = softmax(logits / tau, dim=1) @ E_frozen        # (V, V_t) @ (V_t, d)

Rows sum to 1, columns are free: nothing stops two words from choosing the same frozen
row, which is what `sinkhorn` adds. Cheapest of the mixtures (one log-softmax per step).
"""

from __future__ import annotations

import torch

from .base import register
from .mixture import LogMixture


@register("softmax")
class SoftmaxMapping(LogMixture):
    def __init__(
        self,
        vocab_size: int,
        dim: int,
        target: torch.Tensor,
        init: torch.Tensor | None = None,
        tau: float = 1.0,
        topk: int | None = None,
        normalize: bool = False,
        keep_scale: bool = False,
    ) -> None:
        super().__init__(vocab_size, dim, target, init, tau, topk, normalize, keep_scale)

    def normalise(self, log_alpha: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(log_alpha, dim=1)  # dense or sparse: a row is all its entries
