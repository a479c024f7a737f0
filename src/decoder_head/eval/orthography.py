"""Orthographic re-ranking of retrieval candidates (cognates: profeta -> prophet).

Spanish and English share many Latin-derived spellings, and Bible names are near-identical
across languages. Riley & Gildea (2018, "Orthographic features for bilingual lexicon
induction") add string similarity to the embedding score; we do the same on the top
candidates only: score + weight * normalised Levenshtein similarity of the accent-stripped,
lower-cased strings (rapidfuzz, in C). The weight is a hyperparameter: select it on the
train dictionary, report on test.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

import torch


def strip_accents(word: str) -> str:
    """`faraón` -> `faraon`: compare letters, not diacritics."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")


def string_similarity(src: Sequence[str], trg: Sequence[str]) -> torch.Tensor:
    """(len(src), len(trg)) normalised Levenshtein similarity in [0, 1] (1 = same letters)."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    a, b = [strip_accents(w) for w in src], [strip_accents(w) for w in trg]
    return torch.as_tensor(cdist(a, b, scorer=Levenshtein.normalized_similarity, workers=1), dtype=torch.float32)


def rerank(
    scores: torch.Tensor,
    indices: torch.Tensor,
    query_words: Sequence[str],
    trg_words: Sequence[str],
    weight: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Re-sort each row's candidates (n, K) by score + weight * string similarity."""
    if weight == 0 or indices.numel() == 0:
        return scores, indices
    from rapidfuzz.distance import Levenshtein

    bonus = torch.tensor([[Levenshtein.normalized_similarity(strip_accents(q), strip_accents(trg_words[j]))
                           for j in row] for q, row in zip(query_words, indices.tolist())], dtype=scores.dtype)
    combined = scores + weight * bonus
    order = combined.argsort(dim=1, descending=True)
    return combined.gather(1, order), indices.gather(1, order)
