"""Orthographic evidence for lexicon induction (cognates: profeta -> prophet).

Spanish and English share many Latin-derived spellings, and Bible names are near-identical
across languages. Riley & Gildea (2018, "Orthographic features for bilingual lexicon
induction") add string similarity to the embedding score. Two uses here:

  rerank            final retrieval: the top candidates re-sorted by score + weight *
                    normalised Levenshtein similarity of the accent-stripped, lower-cased
                    strings (rapidfuzz, in C);
  CharacterProfiles inside self-learning: every dictionary-induction step adds weight *
                    cosine of the two words' character-bigram profiles to the embedding
                    cosine of each shortlisted pair, so cognates pull the dictionary (and
                    with it the mapping) their way from the first iteration on.

Weights are hyperparameters: select them on the train dictionary, report on test.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp
import torch


COGNATE_SIMILARITY = 0.7  # a gold pair at or above this string similarity counts as a cognate (eval/bli.py)


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


ALPHABET = "abcdefghijklmnopqrstuvwxyz"
BOUNDARY = len(ALPHABET)  # '#' before the first and after the last letter


def bigram_profiles(words: Sequence[str]) -> sp.csr_matrix:
    """(n, 27^2) unit-length counts of character bigrams, word boundaries included.

    `profeta` -> #p pr ro of fe et ta a#; accents are stripped first and other characters
    dropped, so the profile of a word with no Latin letter is the single bigram `##`.
    """
    base = len(ALPHABET) + 1
    letter = {c: i for i, c in enumerate(ALPHABET)}
    rows, cols = [], []
    for r, word in enumerate(words):
        ids = [BOUNDARY, *(letter[c] for c in strip_accents(word) if c in letter), BOUNDARY]
        rows.extend([r] * (len(ids) - 1))
        cols.extend(a * base + b for a, b in zip(ids, ids[1:]))
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(words), base * base))
    counts.sum_duplicates()
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1), dtype=np.float32)).ravel()
    return sp.diags(1.0 / np.maximum(norms, 1e-12)) @ counts


TABLE_LIMIT = 120_000_000  # pairs (480 MB in float32) up to which `with_table` keeps every pair's cosine


@dataclass(frozen=True)
class CharacterProfiles:
    """Bigram profiles of a source and a target vocabulary, and the weight of their cosine.

    `table` (optional, from `with_table`): every (source, target) cosine of the first rows,
    computed once, so that self-learning's ~60 dictionary inductions gather their candidates'
    scores instead of multiplying profiles again (the same float32 numbers either way).
    `transposed`: the table is read as (target, source), for the backward direction.
    """

    src: sp.csr_matrix  # (n_src, F), unit rows
    trg: sp.csr_matrix  # (n_trg, F)
    weight: float
    table: torch.Tensor | None = None  # (S, T) cosines of the first S source and T target words
    transposed: bool = False

    @classmethod
    def of(cls, src_words: Sequence[str], trg_words: Sequence[str], weight: float) -> CharacterProfiles:
        return cls(bigram_profiles(src_words), bigram_profiles(trg_words), weight)

    def swapped(self) -> CharacterProfiles:
        return CharacterProfiles(self.trg, self.src, self.weight, self.table, not self.transposed)

    def with_table(self, n_src: int, n_trg: int) -> CharacterProfiles:
        """A copy that holds the cosines of the first n_src x n_trg pairs (if within TABLE_LIMIT)."""
        n_src, n_trg = min(n_src, self.src.shape[0]), min(n_trg, self.trg.shape[0])
        if n_src * n_trg > TABLE_LIMIT or self.transposed:
            return self
        table = torch.from_numpy(self._cosines(self.src[:n_src], self.trg[:n_trg].T.tocsc()))
        return CharacterProfiles(self.src, self.trg, self.weight, table)

    @staticmethod
    def _cosines(src: sp.csr_matrix, trg_t: sp.csc_matrix, chunk: int = 2048) -> np.ndarray:
        out = np.empty((src.shape[0], trg_t.shape[1]), dtype=np.float32)
        for start in range(0, src.shape[0], chunk):
            out[start:start + chunk] = (src[start:start + chunk] @ trg_t).toarray()
        return out

    def pair_scores(self, candidates: torch.Tensor, chunk: int = 2048) -> torch.Tensor:
        """weight * cos(profile(i), profile(candidates[i, k])) for source rows i = 0.. (S, K).

        From the table when it covers the rows; else sparse (chunk, F) @ (F, n_trg) blocks,
        so no (S, K, F) tensor is ever built.
        """
        n = candidates.shape[0]
        if self.table is not None:
            rows, cols = (self.table.shape[1], self.table.shape[0]) if self.transposed else self.table.shape
            if n <= rows and (candidates.numel() == 0 or int(candidates.max()) < cols):
                if self.transposed:  # table is (target, source): entry [candidate, row]
                    return self.weight * self.table[candidates, torch.arange(n)[:, None]]
                return self.weight * self.table[:n].gather(1, candidates)
        idx = candidates.numpy()
        out = np.empty(idx.shape, dtype=np.float32)
        trg_t = self.trg[: int(idx.max()) + 1].T.tocsc() if idx.size else self.trg.T
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)  # candidates may cover only the first rows (a cut-off)
            out[start:stop] = np.take_along_axis(self._cosines(self.src[start:stop], trg_t), idx[start:stop], axis=1)
        return self.weight * torch.from_numpy(out)
