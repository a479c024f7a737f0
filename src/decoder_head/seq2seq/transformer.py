"""A small encoder-decoder Transformer (Vaswani et al. 2017) from torch.nn building blocks.

    src (B, S) -> emb * sqrt(d) + sinusoid -> encoder (pre-norm, L layers) -> memory (B, S, d)
    trg_in (B, T) -> emb * sqrt(d) + sinusoid -> decoder (causal self-attention,
                     cross-attention to memory) -> (B, T, d) -> tied output layer -> (B, T, V)

Training is one parallel, fully teacher-forced pass (the teacher-forcing ratio of the GRUs
does not apply). Decoding re-runs the decoder over the growing prefix at each step: no
key/value cache, which is fine for verse-length outputs (tens of words).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..errors import DecoderHeadError
from .config import ModelConfig
from .models import Seq2Seq, Tensors, sinusoid_table

MAX_POSITIONS = 1024


class TransformerSeq2Seq(Seq2Seq):
    def __init__(self, cfg: ModelConfig, src_vocab_size: int, trg_vocab_size: int) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.emb_dim
        self.src_emb = nn.Embedding(src_vocab_size, d)
        self.trg_emb = nn.Embedding(trg_vocab_size, d)
        for emb in (self.src_emb, self.trg_emb):
            nn.init.normal_(emb.weight, std=d**-0.5)  # times sqrt(d) at the input: unit scale
        self.register_buffer("positions", sinusoid_table(MAX_POSITIONS, d), persistent=False)
        self.drop = nn.Dropout(cfg.dropout)
        layer = dict(d_model=d, nhead=cfg.heads, dim_feedforward=cfg.ff_dim, dropout=cfg.dropout,
                     batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer), cfg.layers,
                                             norm=nn.LayerNorm(d), enable_nested_tensor=False)
        self.decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer), cfg.layers, norm=nn.LayerNorm(d))
        self.generator = nn.Linear(d, trg_vocab_size)
        if cfg.tie_output:
            self.generator.weight = self.trg_emb.weight

    def embed(self, table: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        T = ids.size(1)
        if T > MAX_POSITIONS:
            raise DecoderHeadError(f"sequence of {T} tokens exceeds the transformer's {MAX_POSITIONS} positions")
        return self.drop(table(ids) * math.sqrt(self.cfg.emb_dim) + self.positions[:T])  # (B, T, d)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Tensors:
        pad = torch.arange(src.size(1), device=src.device)[None] >= src_len[:, None].to(src.device)  # (B, S)
        memory = self.encoder(self.embed(self.src_emb, src), src_key_padding_mask=pad)
        return {"memory": memory, "pad": pad}

    def decode(self, memory: Tensors, trg_in: torch.Tensor) -> torch.Tensor:
        T = trg_in.size(1)
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=trg_in.device), 1)  # True = hidden
        out = self.decoder(self.embed(self.trg_emb, trg_in), memory["memory"], tgt_mask=causal,
                           memory_key_padding_mask=memory["pad"], tgt_is_causal=True)
        return self.generator(out)  # (B, T, V)

    def start(self, memory: Tensors) -> Tensors:
        B = memory["memory"].size(0)
        return {"prefix": torch.zeros(B, 0, dtype=torch.long, device=memory["memory"].device)}

    def step(self, memory: Tensors, state: Tensors, prev: torch.Tensor) -> tuple[torch.Tensor, Tensors]:
        prefix = torch.cat([state["prefix"], prev[:, None]], 1)  # (B, t)
        return self.decode(memory, prefix)[:, -1], {"prefix": prefix}

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, trg_in: torch.Tensor,
                teacher_forcing: float = 1.0) -> torch.Tensor:
        return self.decode(self.encode(src, src_len), trg_in)
