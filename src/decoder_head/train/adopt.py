"""Adopt a pretrained causal LM folder as language A's LM: its word-level view, no training.

    corpus words (by frequency) --tokenizer: one token after a space?--> kept words
    table row of a kept word = that token's input embedding; <eos> = the end-of-text token's
    row; <unk> = the mean row (words the tokenizer splits carry no row of their own)

The body is the model itself (models.hf), frozen; the table is a FreeMapping initialised
from those rows, so recovery and induction wipe and re-learn it like any other table.
"""

from __future__ import annotations

from collections import Counter

import torch

from ..config import LMConfig
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from ..models import LanguageModel
from ..models.hf import end_of_text_row, word_rows
from .pretrain import build_lm


def adopt_hf(cfg: LMConfig, sentences: list[list[str]]) -> tuple[LanguageModel, Vocab]:
    """The HF model under a word table of the corpus's one-token words (at most vocab.max_size ids)."""
    counts = Counter(w for s in sentences for w in s)
    frequent = [w for w, c in counts.most_common() if c >= cfg.vocab.min_count]
    rows = word_rows(cfg.body.path, frequent)
    vocab = Vocab.from_counts(Counter({w: counts[w] for w in rows}), cfg.vocab.max_size, cfg.vocab.min_count)
    if len(vocab) <= vocab.n_specials:
        raise DecoderHeadError(f"{cfg.body.path}: its tokenizer spells none of the corpus's frequent words "
                               "as one token (is it a model of this language?)")
    model = build_lm(cfg, len(vocab))
    tokens = model.body.input_table  # (V_tokens, d)
    table = torch.empty(len(vocab), tokens.size(1))
    table[vocab.n_specials:] = tokens[[rows[w] for w in vocab.words]]
    table[vocab.unk_id] = tokens.mean(0)
    eos = end_of_text_row(cfg.body.path)
    table[vocab.eos_id] = tokens[eos] if eos is not None else tokens.mean(0)
    with torch.no_grad():
        model.mapping.weight.copy_(table)
    model.eval()
    return model, vocab
