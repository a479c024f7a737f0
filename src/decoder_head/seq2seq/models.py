"""One interface for every translator; models are built by name (MODEL_KINDS).

    memory = model.encode(src (B, S), src_len (B,))         # dict of tensors, batch on dim 0
    state  = model.start(memory)                            # dict of tensors, batch on dim 0
    logits, state = model.step(memory, state, prev (B,))    # logits (B, V): next target word
    logits = model(src, src_len, trg_in (B, T), teacher_forcing) -> (B, T, V)   # training

Decoding (greedy, beam) and training only use these four calls; a beam reorders memory
and state with `select` (batch on dim 0 everywhere), so no decoder asks which model it has.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from .config import ModelConfig

Tensors = dict[str, torch.Tensor]


def select(tensors: Tensors, index: torch.Tensor) -> Tensors:
    """Rows `index` (along the batch dim 0) of every tensor: how a beam follows its parents."""
    return {k: v.index_select(0, index) for k, v in tensors.items()}


class Seq2Seq(nn.Module):
    """Base class. Subclasses define encode/start/step; forward defaults to a step loop."""

    cfg: ModelConfig
    src_emb: nn.Embedding
    trg_emb: nn.Embedding

    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Tensors:
        raise NotImplementedError

    def start(self, memory: Tensors) -> Tensors:
        raise NotImplementedError

    def step(self, memory: Tensors, state: Tensors, prev: torch.Tensor) -> tuple[torch.Tensor, Tensors]:
        raise NotImplementedError

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, trg_in: torch.Tensor,
                teacher_forcing: float = 1.0) -> torch.Tensor:
        """Logits (B, T, V). With probability 1 - teacher_forcing a step reads the model's own
        previous guess instead of the gold word (one coin per step for the whole batch, as
        the lesson did), so training sees the inputs decoding will see."""
        memory = self.encode(src, src_len)
        state = self.start(memory)
        prev, outputs = trg_in[:, 0], []
        for t in range(trg_in.size(1)):
            logits, state = self.step(memory, state, prev)
            outputs.append(logits)
            if t + 1 < trg_in.size(1):
                use_gold = teacher_forcing >= 1.0 or bool(torch.rand(()) < teacher_forcing)
                prev = trg_in[:, t + 1] if use_gold else logits.argmax(-1).detach()
        return torch.stack(outputs, 1)


def build_model(cfg: ModelConfig, src_vocab_size: int, trg_vocab_size: int) -> Seq2Seq:
    from .gru import GRUSeq2Seq
    from .transformer import TransformerSeq2Seq

    if cfg.kind == "transformer":
        return TransformerSeq2Seq(cfg, src_vocab_size, trg_vocab_size)
    return GRUSeq2Seq(cfg, src_vocab_size, trg_vocab_size, attention=cfg.kind == "gru_attention")


def _vectors(spec: str) -> tuple[list[str], torch.Tensor]:
    """Words and rows of a word2vec text file, or of an LM folder's embedding table."""
    path = Path(spec)
    if path.is_dir():
        from ..train.pretrain import load_lm, require_lm_folder

        lm = load_lm(require_lm_folder(path))
        return list(lm.vocab.itos), lm.model.mapping.table().detach()
    from ..eval.vectors import read_word2vec

    words, emb, _ = read_word2vec(path)
    return words, emb


@torch.no_grad()
def init_embedding(emb: nn.Embedding, vocab: Vocab, spec: str, freeze: bool = False) -> dict[str, float]:
    """Copy pretrained rows into `emb` for the words `vocab` shares with them.

    The copied rows are rescaled to the standard deviation the random init already has,
    so a pretrained word is neither louder nor quieter than a random one. Returns the
    fraction of vocabulary ids initialised.
    """
    words, rows = _vectors(spec)
    if rows.size(1) != emb.embedding_dim:
        raise DecoderHeadError(f"{spec}: vectors have dim {rows.size(1)} but model.emb_dim is "
                               f"{emb.embedding_dim}; set model.emb_dim={rows.size(1)}")
    index = {w: i for i, w in enumerate(words)}
    ids = [i for i, w in enumerate(vocab.itos) if w in index]
    if not ids:
        raise DecoderHeadError(f"{spec}: no word in common with the model vocabulary; wrong language?")
    src_rows = rows[[index[vocab.itos[i]] for i in ids]].float()
    scale = emb.weight.std() / src_rows.std().clamp_min(1e-8)
    emb.weight[ids] = src_rows * scale
    if freeze:
        emb.weight.requires_grad_(False)
    return {"coverage": len(ids) / len(vocab), "spec": spec}


def sinusoid_table(n_positions: int, dim: int) -> torch.Tensor:
    """(n, dim) fixed sin/cos positions (Vaswani et al. 2017, section 3.5)."""
    pos = torch.arange(n_positions, dtype=torch.float32).unsqueeze(1)
    freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(n_positions, dim)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq)[:, : dim // 2]
    return table
