"""Seeds for mixture mappings: (word, frozen row) pairs that start out favoured.

    identical  words spelled the same in both vocabularies: numerals, names, loanwords
               (Artetxe et al. 2017; Smith et al. 2017)
    numerals   only the identical numerals (VecMap's `--init_numerals`), the safest subset
    a file     pairs a person knows (names, numerals, a word list) or that earlier runs agreed
               on (benchmarks/agreement.py), as a MUSE file: `B-word A-word` per line

`seed_logits` raises the seeded entries of an init matrix (the frequency-rank prior of
train/relearn.py, or noise) above everything else in their rows, so they dominate the
start of training and, with a sparse support, are sure to be in it. The string matching
itself is the alignment baselines' (align/seeds.py); this only adapts it to vocabularies.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import torch

from ..align.seeds import identical_seed
from ..data.dictionary import read_muse
from ..errors import DecoderHeadError

SEEDS = ("identical", "numerals")
NUMERAL = re.compile(r"^\d+([.,:]\d+)*$")


def seed_pairs(src_words: list[str], trg_words: list[str], kind: str = "identical",
               n_specials: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(rows, cols): ids of source words and of their identically spelled target words, or of
    the pairs in the MUSE file `kind` names.

    The first `n_specials` ids of either vocabulary (<unk>, <eos>) are left out: they are
    not words, and the rank prior already pairs them. Empty tensors when nothing matches.
    """
    if kind not in SEEDS:
        return _file_pairs(read_anchor_file(kind), src_words, trg_words, n_specials)
    try:
        rows, cols = identical_seed(src_words, trg_words)
    except DecoderHeadError:  # no shared string at all: an empty seed, the caller decides
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long)
    keep = (rows >= n_specials) & (cols >= n_specials)
    if kind == "numerals":
        keep &= torch.tensor([bool(NUMERAL.match(src_words[r])) for r in rows.tolist()], dtype=torch.bool)
    return rows[keep], cols[keep]


def read_anchor_file(path: str) -> dict[str, set[str]]:
    """The pairs of an anchors file (one clear error when it is neither a seed kind nor a readable file)."""
    if not Path(path).is_file():
        raise DecoderHeadError(f"unknown seed {path!r}: anchors are {', '.join(SEEDS)} or a file of "
                               "`B-word A-word` pairs, and no such file exists")
    return read_muse(path)


def anchor_digest(kind: str | None) -> dict[str, str]:
    """{"anchors_file": sha256} for an anchors file (its content, not its name, names a run); {} otherwise."""
    if kind is None or kind in SEEDS or not Path(kind).is_file():
        return {}
    return {"anchors_file": hashlib.sha256(Path(kind).read_bytes()).hexdigest()[:16]}


def _file_pairs(pairs: dict[str, set[str]], src_words: list[str], trg_words: list[str], n_specials: int
                ) -> tuple[torch.Tensor, torch.Tensor]:
    s_index = {w: i for i, w in enumerate(src_words) if i >= n_specials}
    t_index = {w: i for i, w in enumerate(trg_words) if i >= n_specials}
    found = sorted((s_index[s], t_index[t]) for s, ts in pairs.items() if s in s_index for t in ts if t in t_index)
    if not found:
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long)
    rows, cols = (torch.tensor(col) for col in zip(*found))
    return rows, cols


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
