"""Seeds for mixture mappings: (word, frozen row) pairs that start out favoured.

    identical  words spelled the same in both vocabularies: numerals, names, loanwords
               (Artetxe et al. 2017; Smith et al. 2017)
    numerals   only the identical numerals (VecMap's `--init_numerals`), the safest subset

`seed_logits` raises the seeded entries of an init matrix (the frequency-rank prior of
train/relearn.py, or noise) above everything else in their rows, so they dominate the
start of training and, with a sparse support, are sure to be in it. The string matching
itself is the alignment baselines' (align/seeds.py); this only adapts it to vocabularies.
"""

from __future__ import annotations

import re

import torch

from ..align.seeds import identical_seed
from ..errors import DecoderHeadError

SEEDS = ("identical", "numerals")
NUMERAL = re.compile(r"^\d+([.,:]\d+)*$")


def seed_pairs(src_words: list[str], trg_words: list[str], kind: str = "identical",
               n_specials: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(rows, cols): ids of source words and of their identically spelled target words.

    The first `n_specials` ids of either vocabulary (<unk>, <eos>) are left out: they are
    not words, and the rank prior already pairs them. Empty tensors when nothing matches.
    """
    if kind not in SEEDS:
        raise DecoderHeadError(f"unknown seed {kind!r}; known: {', '.join(SEEDS)}")
    try:
        rows, cols = identical_seed(src_words, trg_words)
    except DecoderHeadError:  # no shared string at all: an empty seed, the caller decides
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long)
    keep = (rows >= n_specials) & (cols >= n_specials)
    if kind == "numerals":
        keep &= torch.tensor([bool(NUMERAL.match(src_words[r])) for r in rows.tolist()], dtype=torch.bool)
    return rows[keep], cols[keep]


def seed_logits(init: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor, boost: float = 5.0) -> torch.Tensor:
    """A copy of the (V, V_t) init logits with entry (rows[i], cols[i]) set to its row's
    maximum + boost: each seeded word starts on its seeded row (by e^boost over the rest,
    before Sinkhorn's column normalisation)."""
    if rows.shape != cols.shape:
        raise ValueError(f"rows and cols must pair up, got {tuple(rows.shape)} and {tuple(cols.shape)}")
    out = init.clone()
    if rows.numel():
        out[rows, cols] = init[rows].max(dim=1).values + boost
    return out
