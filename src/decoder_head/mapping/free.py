"""`free`: a plain embedding table, learned from scratch.

Used twice: as the word table of the LM during pre-training, and as the re-learned
table through a frozen body (Artetxe et al. 2020; de Vries & Nissim 2021). Nothing ties
its rows to the frozen ones, so equal loss does not imply identity (RESEARCH.md): for
recovery it is the honest lower bound, for induction the standard approach.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import Mapping, register


@register("free")
class FreeMapping(Mapping):
    def __init__(self, vocab_size: int, dim: int, init_std: float = 0.1) -> None:
        super().__init__()
        self.vocab_size, self.dim = vocab_size, dim
        self.weight = nn.Parameter(torch.randn(vocab_size, dim) * init_std)

    def table(self) -> torch.Tensor:
        return self.weight
