"""A classifier on the LM body: ULMFiT's concat pooling and a small MLP (Howard & Ruder 2018, sec. 3.3).

    emb (B, T, d) --body--> out (B, T, d) --concat pool--> [last | max | mean] (B, 3d) --MLP--> logits (B, C)

The classifier sees embeddings, never word ids: whichever table produced them (the English
LM's, the decoder head's induced Spanish table, a lexicon lookup) is the caller's choice, as
Hugging Face's `inputs_embeds`. The body is any module with `out, state = body(emb, state)`.
"""

from __future__ import annotations

import torch
from torch import nn


def concat_pool(out: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """out (B, T, d), lengths (B,) -> (B, 3d): the last real state, max and mean over real positions.

    The last state alone forgets the start of a long verse; max and mean keep it (ULMFiT)."""
    B, T, _ = out.shape
    mask = (torch.arange(T, device=out.device).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1)  # (B, T, 1)
    last = out[torch.arange(B, device=out.device), lengths - 1]  # (B, d)
    peak = out.masked_fill(~mask, float("-inf")).amax(1)  # (B, d)
    mean = (out * mask).sum(1) / lengths.unsqueeze(1).to(out.dtype)  # (B, d)
    return torch.cat([last, peak, mean], dim=-1)


class PoolingHead(nn.Module):
    """Pooled features (B, 3d) -> logits (B, C): two batch-normed, dropped-out linear blocks (fastai's
    PoolingLinearClassifier). Batch norm puts last, max and mean, of different scales, on one."""

    def __init__(self, dim: int, n_classes: int, hidden: int = 50, dropout: float = 0.2) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.BatchNorm1d(3 * dim), nn.Dropout(dropout), nn.Linear(3 * dim, hidden), nn.ReLU(),
            nn.BatchNorm1d(hidden), nn.Dropout(dropout), nn.Linear(hidden, n_classes),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features)


class Classifier(nn.Module):
    """body + concat pooling + head. `features` is separate so a frozen body's pooled states can
    be computed once and the head trained on them alone."""

    def __init__(self, body: nn.Module, head: PoolingHead) -> None:
        super().__init__()
        self.body = body
        self.head = head

    def features(self, emb: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        out, _ = self.body(emb, None)  # each verse on its own: no state carried in
        return concat_pool(out, lengths)

    def forward(self, emb: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(emb, lengths))
