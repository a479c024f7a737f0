"""A language model = mapping (word<->embedding, tied) + body (encoder over embeddings).

    ids (B, T) --mapping.table()[ids]--> emb (B, T, d) --body--> out (B, T, d)
    logits (B, T, V) = out @ table^T          # tied head, no per-word bias

The head has no bias on purpose: a bias indexed by word id would survive a wiped mapping
and leak word identity (and frequency) into recovery. With no bias the mapping is the
one and only lexical parameter, which is what decoder-head re-learns.
"""

from __future__ import annotations

import torch
from torch import nn

from ..mapping import Mapping
from .body import Body, State


def embedding_dropout(ids: torch.Tensor, vocab_size: int, p: float, training: bool) -> torch.Tensor | None:
    """Word-level dropout (Gal & Ghahramani 2016): one keep/drop decision per word type.

    Returns a (B, T, 1) scale for the looked-up embeddings, or None when inactive.
    """
    if not training or p == 0.0:
        return None
    keep = torch.empty(vocab_size, device=ids.device).bernoulli_(1 - p) / (1 - p)
    return keep[ids].unsqueeze(-1)


class LanguageModel(nn.Module):
    def __init__(self, mapping: Mapping, body: Body, emb_dropout: float = 0.05) -> None:
        super().__init__()
        if mapping.dim != body.emb_dim:
            raise ValueError(f"mapping dim {mapping.dim} != body emb_dim {body.emb_dim}")
        self.mapping = mapping
        self.body = body
        self.emb_dropout = emb_dropout

    def forward(self, ids: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """ids (B, T) -> (logits (B, T, V), new state)."""
        table = self.mapping.table()  # (V, d), computed once per step
        emb = table[ids]
        scale = embedding_dropout(ids, table.size(0), self.emb_dropout, self.training)
        if scale is not None:
            emb = emb * scale
        out, state = self.body(emb, state)
        return out @ table.t(), state

    def freeze_body(self) -> None:
        """Stop gradients into the body; dropout stays whatever train()/eval() says."""
        for p in self.body.parameters():
            p.requires_grad_(False)
