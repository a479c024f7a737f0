"""Bidirectional GRU encoder + GRU decoder, with Bahdanau attention or without (the ablation).

As in the fast.ai translation lesson (Seq2SeqRNN -> Seq2SeqAttnRNN):

    src ids (B, S) -> emb (B, S, E) -> bi-GRU -> out (B, S, 2H)
                                               final fwd|bwd (B, 2H) -> bridge -> h0 (B, L, H)
    each target step t, previous word y_{t-1}, decoder state h_{t-1}:
      attention (Bahdanau et al. 2015, eq. 6):  e_s = v^T tanh(W_k out_s + W_q h_{t-1})   (B, S)
                                                a = softmax(e) over real source positions
                                                c = sum_s a_s out_s                         (B, 2H)
      h_t = GRU([emb(y_{t-1}); c], h_{t-1});  logits = W_o tanh(P [h_t; c])          (B, V)
    without attention the decoder sees only h0 (and c is absent): the whole verse has to
    squeeze through one vector, which is what attention was invented to avoid.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .config import ModelConfig
from .models import Seq2Seq, Tensors


class GRUSeq2Seq(Seq2Seq):
    def __init__(self, cfg: ModelConfig, src_vocab_size: int, trg_vocab_size: int, attention: bool = True) -> None:
        super().__init__()
        self.cfg, self.attention = cfg, attention
        E, H, L = cfg.emb_dim, cfg.hidden, cfg.layers
        inner_dropout = cfg.dropout if L > 1 else 0.0
        self.src_emb = nn.Embedding(src_vocab_size, E)
        self.trg_emb = nn.Embedding(trg_vocab_size, E)
        for emb in (self.src_emb, self.trg_emb):
            nn.init.normal_(emb.weight, std=0.1)
        self.drop = nn.Dropout(cfg.dropout)
        self.encoder = nn.GRU(E, H, L, batch_first=True, bidirectional=True, dropout=inner_dropout)
        self.bridge = nn.Linear(2 * H, L * H)
        ctx = 2 * H if attention else 0
        if attention:
            self.att_key = nn.Linear(2 * H, H, bias=False)
            self.att_query = nn.Linear(H, H)
            self.att_v = nn.Linear(H, 1, bias=False)
        self.decoder = nn.GRU(E + ctx, H, L, batch_first=True, dropout=inner_dropout)
        self.out_proj = nn.Linear(H + ctx, E)
        self.generator = nn.Linear(E, trg_vocab_size)
        if cfg.tie_output:
            self.generator.weight = self.trg_emb.weight

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Tensors:
        B, S = src.shape
        emb = self.drop(self.src_emb(src))  # (B, S, E)
        packed = pack_padded_sequence(emb, src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, h = self.encoder(packed)  # h (2L, B, H): last layer is h[-2] (fwd), h[-1] (bwd)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=S)  # (B, S, 2H)
        h0 = torch.tanh(self.bridge(torch.cat([h[-2], h[-1]], -1)))  # (B, L*H)
        memory = {"h0": h0.view(B, self.cfg.layers, self.cfg.hidden)}
        if self.attention:
            memory["out"] = out
            memory["keys"] = self.att_key(out)  # (B, S, H): W_k out_s, computed once per verse
            memory["mask"] = torch.arange(S, device=src.device)[None] < src_len[:, None].to(src.device)
        return memory

    def start(self, memory: Tensors) -> Tensors:
        return {"h": memory["h0"]}  # (B, L, H): batch first so a beam can reorder it

    def attend(self, memory: Tensors, query: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """query (B, H) -> context (B, 2H), weights (B, S)."""
        scores = self.att_v(torch.tanh(memory["keys"] + self.att_query(query)[:, None])).squeeze(-1)
        weights = F.softmax(scores.masked_fill(~memory["mask"], float("-inf")), dim=-1)
        return torch.bmm(weights[:, None], memory["out"]).squeeze(1), weights

    def step(self, memory: Tensors, state: Tensors, prev: torch.Tensor) -> tuple[torch.Tensor, Tensors]:
        h = state["h"].transpose(0, 1).contiguous()  # (L, B, H) for nn.GRU
        x = self.drop(self.trg_emb(prev))  # (B, E)
        if self.attention:
            context, _ = self.attend(memory, h[-1])
            x = torch.cat([x, context], -1)
        out, h = self.decoder(x[:, None], h)  # out (B, 1, H)
        feat = out[:, 0] if not self.attention else torch.cat([out[:, 0], context], -1)
        logits = self.generator(self.drop(torch.tanh(self.out_proj(self.drop(feat)))))  # (B, V)
        return logits, {"h": h.transpose(0, 1)}
