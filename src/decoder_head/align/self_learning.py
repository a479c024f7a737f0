"""Robust self-learning (Artetxe, Labaka & Agirre 2018, "A robust self-learning method for
fully unsupervised cross-lingual mappings of word embeddings", ACL; the VecMap recipe).

    seed dictionary D0 (similarity distributions, identical strings, ...)
        |
        v
    +-> W = Procrustes(D)             (orthogonal, sec. 3.3 "M-step")
    |   D = CSLS union dictionary     (top `vocab_cutoff` words, each score dropped with
    |       under W, stochastic        prob 1 - keep_prob, sec. 3.3 "E-step")
    +-- objective stalled for `patience` iterations -> keep_prob *= 2; stop after keep_prob 1
        |
        v
    final symmetric re-weighting (sec. 3.4, Artetxe et al. 2018 AAAI framework):
    whiten -> orthogonal map -> re-weight by S^0.5 -> de-whiten

Embeddings are expected already normalised (unit, centre, unit; sec. 3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..errors import DecoderHeadError
from ..eval.orthography import CharacterProfiles
from ..eval.retrieval import shortlist_dtype
from .induction import induce_dictionary
from .prior import PairBonus, PairPrior
from .procrustes import one_thread, orthogonal_map


@dataclass(frozen=True)
class SelfLearningConfig:
    """Knobs of the robust self-learning loop (defaults = the paper's, except `patience`, `threshold`).

    vocab_cutoff: dictionary induction uses the most frequent words only (sec. 3.3, 20k).
    csls_knn: CSLS neighbourhood in dictionary induction (sec. 3.3, k = 10).
    keep_prob: initial keep probability of stochastic dictionary induction (0.1).
    keep_factor: multiply keep_prob by this when the objective stalls (2).
    patience: iterations without an improvement >= `threshold` that count as stalled.
    threshold: minimum objective improvement that resets the patience counter.
        VecMap uses patience 50 and threshold 1e-6 (150+ iterations on the Bibles). With
        patience 2 and threshold 1e-3 the schedule (0.1 -> 1 in five doublings) takes ~75
        iterations, with the same or better accuracy on the *train* dictionary (a search on
        train only; test untouched): 5/1e-6 155 its 40.9, 3/1e-6 117 its 40.4, 5/1e-4 133 its
        41.1, 2/1e-3 75 its 41.9, 1/1e-3 52 its 40.0, 2/3e-3 36 its 30.3 (P@1 CSLS, es->en
        word2vec on the whole Bibles). Stop too early and the dictionary is still poor.
    max_iters: hard stop (a safety net; the schedule normally ends long before).
    whiten / reweight: final symmetric re-weighting step (sec. 3.4); reweight 0.5 on both sides.
    seed: RNG seed of the stochastic dictionary induction.
    candidates: 0 = exact CSLS over the full similarity matrix (VecMap); K > 0 = CSLS over
        each word's K cosine-nearest (`induction.py`), several times faster. Must be >= csls_knn.
    orthography: weight of the character-bigram cosine added to every shortlisted pair in
        dictionary induction (`eval.orthography.CharacterProfiles`; needs the words). 0 = off
        (VecMap). Chosen on the train dictionary: 0.1 (0.3 is worse on train and test).
    bf16: compute the shortlist cosines with a bfloat16 matmul (only with candidates > 0);
        None (default) = only where the CPU has native bf16 (`eval.retrieval.shortlist_dtype`:
        emulated bf16 is ~7x slower than float32).
    """

    vocab_cutoff: int = 20000
    csls_knn: int = 10
    keep_prob: float = 0.1
    keep_factor: float = 2.0
    patience: int = 2
    threshold: float = 1e-3
    max_iters: int = 1000
    whiten: bool = True
    reweight: float = 0.5
    seed: int = 0
    candidates: int = 64
    orthography: float = 0.0
    bf16: bool | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.keep_prob <= 1.0:
            raise DecoderHeadError(f"keep_prob must be in (0, 1], got {self.keep_prob}")
        if self.keep_factor <= 1.0:
            raise DecoderHeadError(f"keep_factor must be > 1, got {self.keep_factor}")
        for name in ("vocab_cutoff", "patience", "max_iters"):
            if getattr(self, name) < 1:
                raise DecoderHeadError(f"{name} must be >= 1, got {getattr(self, name)}")
        if min(self.csls_knn, self.threshold, self.reweight, self.candidates, self.orthography) < 0:
            raise DecoderHeadError("csls_knn, threshold, reweight, candidates and orthography must be >= 0")
        if 0 < self.candidates < self.csls_knn:
            raise DecoderHeadError(f"candidates ({self.candidates}) must be 0 or >= csls_knn ({self.csls_knn})")


@dataclass(frozen=True)
class SelfLearningResult:
    """Mapped spaces plus the final dictionary and how the loop went."""

    xw: torch.Tensor  # (n_src, d)
    zw: torch.Tensor  # (n_trg, d)
    src_idx: torch.Tensor  # (m,) final dictionary
    trg_idx: torch.Tensor  # (m,)
    iterations: int
    objective: float


def _whitening(m: torch.Tensor) -> torch.Tensor:
    """W1 = (M^T M)^(-1/2) (d, d), so that (M W1)^T (M W1) = I (sec. 3.4 step 1).

    VecMap takes it from the SVD of the (n, d) M; the eigendecomposition of the (d, d) Gram
    matrix gives the same matrix (float64) as a small call that runs on one thread.
    """
    gram = m.T @ m  # (d, d)
    with one_thread():
        evals, evecs = torch.linalg.eigh(gram)
    return evecs @ torch.diag(evals.clamp_min(1e-16).rsqrt()) @ evecs.T


def reweight_map(
    x: torch.Tensor, z: torch.Tensor, src_idx: torch.Tensor, trg_idx: torch.Tensor, cfg: SelfLearningConfig
) -> tuple[torch.Tensor, torch.Tensor]:
    """Final symmetric mapping from a dictionary (Artetxe et al. 2018 AAAI, steps 1-4)."""
    x64, z64 = x.double(), z.double()  # (n, d); inverses and SVDs are better in float64
    eye = torch.eye(x.shape[1], dtype=torch.float64)
    wx1 = _whitening(x64[src_idx]) if cfg.whiten else eye  # STEP 1: whitening, each side
    wz1 = _whitening(z64[trg_idx]) if cfg.whiten else eye
    xw, zw = x64 @ wx1, z64 @ wz1
    # STEP 2: orthogonal mapping of both sides into a shared space: U S V^T = svd(Xd^T Zd).
    cross = xw[src_idx].T @ zw[trg_idx]  # (d, d)
    with one_thread():
        wx2, s, wz2t = torch.linalg.svd(cross)
    wz2 = wz2t.T
    xw, zw = xw @ wx2, zw @ wz2
    # STEP 3: re-weighting each dimension by its cross-lingual correlation S^p (p = 0.5 per side).
    xw = xw * s**cfg.reweight
    zw = zw * s**cfg.reweight
    # STEP 4: de-whitening, each side with its own inverse whitening expressed in the shared basis.
    with one_thread():
        dx, dz = wx2.T @ torch.linalg.inv(wx1) @ wx2, wz2.T @ torch.linalg.inv(wz1) @ wz2  # (d, d)
    xw, zw = xw @ dx, zw @ dz
    return xw.to(x.dtype), zw.to(z.dtype)


def self_learning(
    x: torch.Tensor,
    z: torch.Tensor,
    src_idx: torch.Tensor,
    trg_idx: torch.Tensor,
    cfg: SelfLearningConfig = SelfLearningConfig(),
    progress: bool = True,
    words: tuple[Sequence[str], Sequence[str]] | None = None,
    prior: PairPrior | None = None,
    anchors: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> SelfLearningResult:
    """Run the loop from a seed dictionary on normalised x (n_src, d), z (n_trg, d).

    `words` (source words, target words; row order) are needed when cfg.orthography > 0.
    `prior` (align.prior) adds a seed stage's p(z row | x row) to every dictionary induction;
    `anchors` (row pairs) join every Procrustes dictionary and the final re-weighting.
    """
    if x.shape[1] != z.shape[1]:
        raise DecoderHeadError(f"embedding dimensions differ: {x.shape[1]} vs {z.shape[1]}")
    profiles = None
    if cfg.orthography:
        if words is None or (len(words[0]), len(words[1])) != (x.shape[0], z.shape[0]):
            raise DecoderHeadError("self-learning with orthography needs the words of both spaces, one per row")
        profiles = CharacterProfiles.of(words[0], words[1], cfg.orthography).with_table(cfg.vocab_cutoff,
                                                                                          cfg.vocab_cutoff)
    bonus = PairBonus([profiles, prior])
    x, z = x.float(), z.float()
    anchored = (lambda s, t: (s, t)) if anchors is None else (
        lambda s, t: (torch.cat([s, anchors[0]]), torch.cat([t, anchors[1]])))
    gen = torch.Generator().manual_seed(cfg.seed)
    keep_prob = cfg.keep_prob
    best = float("-inf")
    objective = best
    last_improvement = 0
    it = 0
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  disable=not progress, transient=True) as bar:
        task = bar.add_task("self-learning")
        while it < cfg.max_iters:
            it += 1
            # Schedule (sec. 3.3): once the objective has stalled, keep more of the matrix;
            # stalling with keep_prob = 1 means convergence.
            if it - last_improvement > cfg.patience:
                if keep_prob >= 1.0:
                    break
                keep_prob = min(1.0, keep_prob * cfg.keep_factor)
                last_improvement = it
            s, t = anchored(src_idx, trg_idx)
            w = orthogonal_map(x[s], z[t])  # M-step: Procrustes on the current dictionary
            src_idx, trg_idx, objective = induce_dictionary(  # E-step: stochastic CSLS dictionary
                x @ w, z, cfg.vocab_cutoff, cfg.csls_knn, keep_prob, gen, cfg.candidates,
                shortlist_dtype(cfg.bf16), bonus=bonus,
            )
            if objective - best >= cfg.threshold:
                best, last_improvement = objective, it
            bar.update(task, description=f"self-learning it {it} keep {keep_prob:.2f} objective {objective:.4f}")
    xw, zw = reweight_map(x, z, *anchored(src_idx, trg_idx), cfg)
    return SelfLearningResult(xw, zw, src_idx, trg_idx, it, objective)
