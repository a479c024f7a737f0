"""A seed stage's own scores inside self-learning, not only its top-1 as the seed.

The decoder head reads B's text through A's frozen body; its evidence does not depend on the
two vector spaces being isomorphic, which is exactly what fails on non-parallel text. Used
only as a seed, that evidence is gone after the first Procrustes step. `PairPrior` keeps it:

    stage lexicon (B rows, A rows in one space: the decoder head's or the shared body's)
        CSLS top-`top` candidates of each B word, softmax at `temperature`   p(a | b)
        re-indexed onto the vector spaces' rows (words the stage lacks: no entry)
        |
        +-> inside every dictionary induction: + weight * p(a | b) on each shortlisted pair,
        |   its own candidates added to the cosine shortlist (beside the orthographic bonus;
        |   `induction.induce_dictionary`)
        +-> at the final retrieval: + weight * p(a | b) on each re-ranked candidate
        +-> anchors: pairs with p >= `anchors` stay in every Procrustes dictionary

Entries are a sorted key table (key = src_row * n_trg + trg_row), so a lookup is a
searchsorted over at most `top` entries per stage word: no (S, T) matrix at 10k words a side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from ..errors import DecoderHeadError


@dataclass(frozen=True)
class PriorConfig:
    """How much of the seed stage's scores self-learning keeps (weight 0, anchors 0: none, the seed only).

    weight: added weight * p(a | b) in dictionary induction and final retrieval.
    temperature: softmax temperature over the stage's CSLS scores (its top `top` per word).
    anchors: pairs whose p(a | b) is at least this stay in every Procrustes dictionary (0 = none).
    induction: False = the weight applies to the final retrieval only (self-learning runs as without).
    """

    weight: float = 0.0
    temperature: float = 0.05
    top: int = 10
    anchors: float = 0.0
    induction: bool = True

    def __post_init__(self) -> None:
        if self.weight < 0 or self.temperature <= 0 or self.top < 1 or not 0 <= self.anchors <= 1:
            raise DecoderHeadError("prior: weight >= 0, temperature > 0, top >= 1 and anchors in [0, 1] needed")

    @property
    def active(self) -> bool:
        return self.weight > 0 or self.anchors > 0

    @property
    def in_loop(self) -> bool:
        """Whether self-learning itself changes (not only the final retrieval)."""
        return (self.weight > 0 and self.induction) or self.anchors > 0


@dataclass(frozen=True)
class PairPrior:
    """p(a | b) of a seed stage on the rows of two vector spaces, and its weight."""

    keys: torch.Tensor  # (m,) sorted src_row * n_trg + trg_row
    values: torch.Tensor  # (m,) p(a | b)
    n_trg: int
    weight: float
    top: int = 10  # entries per row that `candidates` hands to dictionary induction
    transposed: bool = False  # pair_scores' rows are target rows, its candidates source rows

    @classmethod
    def of(cls, stage_src: tuple[Sequence[str], torch.Tensor], stage_trg: tuple[Sequence[str], torch.Tensor],
           src_words: Sequence[str], trg_words: Sequence[str], cfg: PriorConfig, knn: int = 10) -> PairPrior:
        """From a stage's (words, vectors) of B and A onto the spaces with words src_words, trg_words."""
        from ..eval.retrieval import topk

        (sw, sx), (tw, tz) = stage_src, stage_trg
        scores, best = topk(sx.float(), tz.float(), k=cfg.top, method="csls", knn=knn)  # (n_b, top)
        probs = torch.softmax(scores / cfg.temperature, dim=1)
        s_index = {w: i for i, w in reversed(list(enumerate(src_words)))}
        t_index = {w: i for i, w in reversed(list(enumerate(trg_words)))}
        s_rows = torch.tensor([s_index.get(w, -1) for w in sw])  # (n_b,) stage word -> space row (-1: none)
        t_rows = torch.tensor([t_index.get(w, -1) for w in tw])
        rows, cols = s_rows[:, None].expand_as(best), t_rows[best]  # (n_b, top)
        keep = (rows >= 0) & (cols >= 0)
        keys = rows[keep] * len(trg_words) + cols[keep]
        keys, order = keys.sort()
        if keys.numel() > 1 and bool((keys[1:] == keys[:-1]).any()):
            raise DecoderHeadError("prior: the stage's vocabularies repeat a word")
        return cls(keys, probs[keep][order], len(trg_words), cfg.weight, cfg.top)

    def __len__(self) -> int:
        return int(self.keys.numel())

    def swapped(self) -> PairPrior:
        return PairPrior(self.keys, self.values, self.n_trg, self.weight, self.top, not self.transposed)

    def lookup(self, src_rows: torch.Tensor, trg_rows: torch.Tensor) -> torch.Tensor:
        """p(a | b) of each (src_rows[i], trg_rows[i]) pair (broadcast), 0 where the stage has none."""
        query = src_rows * self.n_trg + trg_rows
        if self.keys.numel() == 0:
            return torch.zeros(query.shape)
        pos = torch.searchsorted(self.keys, query).clamp(max=self.keys.numel() - 1)
        return torch.where(self.keys[pos] == query, self.values[pos], torch.zeros(()))

    def pair_scores(self, candidates: torch.Tensor, rows: torch.Tensor | None = None) -> torch.Tensor:
        """weight * p for each row's candidates (n, K); rows default to 0..n-1 (as CharacterProfiles)."""
        rows = (torch.arange(candidates.shape[0]) if rows is None else rows)[:, None]
        pairs = (candidates, rows) if self.transposed else (rows, candidates)
        return self.weight * self.lookup(*pairs)

    def candidates(self, n_rows: int, n_cols: int) -> torch.Tensor:
        """(n_rows, top) each row's entries among the first n_cols columns (targets; sources when
        transposed), most probable first, -1 where a row has fewer: dictionary induction adds them
        to its cosine shortlist, so the prior can speak for pairs the current mapping puts far apart."""
        rows, cols = self.keys // self.n_trg, self.keys % self.n_trg
        if self.transposed:
            rows, cols = cols, rows
        keep = (rows < n_rows) & (cols < n_cols)
        rows, cols, values = rows[keep], cols[keep], self.values[keep]
        order = torch.argsort(values, descending=True, stable=True)
        order = order[torch.argsort(rows[order], stable=True)]  # by row, most probable first within a row
        rows, cols = rows[order], cols[order]
        first = torch.searchsorted(rows, rows, side="left")
        rank = torch.arange(rows.numel()) - first
        width = max(1, int(rank.max()) + 1) if rank.numel() else 1
        out = torch.full((n_rows, min(width, self.top)), -1, dtype=torch.long)
        fit = rank < out.shape[1]
        out[rows[fit], rank[fit]] = cols[fit]
        return out

    def anchors(self, min_prob: float) -> tuple[torch.Tensor, torch.Tensor]:
        """(src_rows, trg_rows) of the pairs with p >= min_prob."""
        pick = self.keys[self.values >= min_prob]
        return pick // self.n_trg, pick % self.n_trg


class PairBonus:
    """Several pair scorers (orthography, a prior) summed: what dictionary induction adds to each pair."""

    def __init__(self, parts: Sequence) -> None:
        self.parts = [p for p in parts if p is not None and p.weight]
        self.weight = float(bool(self.parts))

    def swapped(self) -> PairBonus:
        return PairBonus([p.swapped() for p in self.parts])

    def pair_scores(self, candidates: torch.Tensor) -> torch.Tensor:
        return sum(p.pair_scores(candidates) for p in self.parts)

    def candidates(self, n_rows: int, n_cols: int) -> torch.Tensor | None:
        """The parts' own candidates side by side (None: none of them has any)."""
        own = [p.candidates(n_rows, n_cols) for p in self.parts if hasattr(p, "candidates")]
        return torch.cat(own, dim=1) if own else None
