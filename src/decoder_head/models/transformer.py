"""Causal Transformer body: pre-norm blocks over the table's embeddings, tied head outside.

    emb (B, T, d) --in_proj--> (B, T, D) + sinusoid(position) --[pre-norm block] x L-->
        LayerNorm --out_proj--> out (B, T, d)          # logits = out @ table^T, no bias

Positions are fixed sinusoids added inside the body, never a row of the word table: the
table stays the only lexical parameter, so a re-learned mapping has words to learn and no
positions. The carried state is the last `memory` input embeddings (B, <=memory, D): the
next window attends over them as context (recomputed, Transformer-XL style without a key
cache), which is what lets BPTT windows and token-by-token generation see earlier words.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
from torch import nn

from .body import Body, freeze, register_body


@dataclass(frozen=True)
class TransformerConfig:
    """Shape and regularisation of the Transformer body."""

    kind: str = "transformer"
    emb_dim: int = 200  # size of the tied word table it reads and is scored against
    d_model: int = 256  # width inside the blocks
    n_layers: int = 4
    n_heads: int = 4
    ff_mult: int = 4  # feed-forward width = ff_mult * d_model
    dropout: float = 0.1  # attention, feed-forward and residual dropout
    memory: int = 64  # preceding embeddings carried as state into the next window (0 = none)

    def __post_init__(self) -> None:
        if self.kind != "transformer":
            raise ValueError(f"TransformerConfig.kind must be 'transformer', got {self.kind!r}")
        if min(self.emb_dim, self.d_model, self.n_layers, self.n_heads, self.ff_mult) < 1 or self.memory < 0:
            raise ValueError("emb_dim, d_model, n_layers, n_heads, ff_mult must be positive, memory >= 0")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model {self.d_model} is not divisible by n_heads {self.n_heads}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")


def sinusoids(length: int, dim: int, device: torch.device) -> torch.Tensor:
    """(length, dim) fixed positional signal (Vaswani et al. 2017, section 3.5)."""
    pos = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    freq = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
    out = torch.zeros(length, dim, device=device)
    out[:, 0::2] = torch.sin(pos * freq)
    out[:, 1::2] = torch.cos(pos * freq)[:, : dim // 2]
    return out


class TransformerBody(Body):
    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.in_proj = nn.Linear(cfg.emb_dim, cfg.d_model)
        block = nn.TransformerEncoderLayer(cfg.d_model, cfg.n_heads, cfg.ff_mult * cfg.d_model, cfg.dropout,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, cfg.n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(cfg.d_model)
        self.out_proj = nn.Linear(cfg.d_model, cfg.emb_dim)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, emb: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """emb (B, T, d) -> (out (B, T, d), the last `memory` projected inputs (B, M, D) or None)."""
        x = self.in_proj(emb)  # (B, T, D)
        if state is not None:
            x = torch.cat([state, x], dim=1)  # (B, M + T, D): earlier words as context
        n, t = x.size(1), emb.size(1)
        h = self.drop(x + sinusoids(n, self.cfg.d_model, x.device))
        mask = nn.Transformer.generate_square_subsequent_mask(n, device=x.device)
        h = self.blocks(h, mask=mask, is_causal=True)
        out = self.out_proj(self.norm(h[:, n - t:]))
        new_state = x[:, -self.cfg.memory:] if self.cfg.memory else None
        return out, new_state

    def frozen(self) -> "TransformerBody":
        body = TransformerBody(dataclasses.replace(self.cfg, dropout=0.0))
        body.load_state_dict(self.state_dict())
        return freeze(body)


register_body("transformer", TransformerConfig, TransformerBody)
