"""Dictionary induction from two mapped spaces: the E-step of every self-learning loop.

Why not `eval.retrieval.topk`: self-learning needs CSLS scores with random entries dropped
(stochastic dictionary induction, Artetxe et al. 2018 sec. 3.3) in both directions, every
iteration, and those have to be computed from the same cosines. `tests/align` checks the
scores here against `eval.retrieval.pairwise_scores(..., "csls")`.

    r_src(i) = mean cos of source i to its k nearest targets      (S,)
    r_trg(j) = mean cos of target j to its k nearest sources      (T,)
    forward  i -> argmax_j  cos(i, j) - r_trg(j)/2   (= CSLS up to terms constant in j)
    backward j -> argmax_i  cos(i, j) - r_src(i)/2
    dropout: each score is excluded with probability 1 - keep_prob before the argmax

Two ways to get there (`candidates`):
  0  exact: the full (S, T) float32 cosine block, one matmul (VecMap's computation).
  K  fast: a bfloat16 matmul per direction shortlists each word's K most similar words
     (S, K) with its bf16 cosines, and CSLS, dropout and argmax run on the shortlist. bf16
     matmul is ~3x faster on CPUs with AVX512-BF16 and the shortlist makes every later op
     ~T/K times cheaper. It differs from the exact rule only
     when the CSLS winner is not among the K cosine nearest, or when dropout removes all K
     (probability (1 - keep_prob)^K: 0.1% for K = 64 at the paper's initial 0.1; then the
     undropped best is taken), and where bf16 rounding (~1e-3) swaps near-ties.
"""

from __future__ import annotations

import torch


def csls_halves(sims: torch.Tensor, knn: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(r_src (S,), r_trg (T,)): mean cosine to the k nearest on the other side (CSLS hubness terms)."""
    r_src = sims.topk(min(knn, sims.shape[1]), dim=1).values.mean(dim=1)
    r_trg = sims.topk(min(knn, sims.shape[0]), dim=0).values.mean(dim=0)
    return r_src, r_trg


def _stochastic_argmax(
    scores: torch.Tensor, keep_prob: float, generator: torch.Generator | None
) -> torch.Tensor:
    """argmax per row after excluding each entry with prob 1 - keep_prob (all excluded -> plain argmax)."""
    if keep_prob >= 1.0:
        return scores.argmax(dim=1)
    drop = torch.rand(scores.shape, generator=generator) >= keep_prob
    masked = scores.masked_fill(drop, float("-inf"))
    best = masked.argmax(dim=1)
    none_kept = drop.all(dim=1)
    if none_kept.any():
        best[none_kept] = scores[none_kept].argmax(dim=1)
    return best


def _shortlist(q: torch.Tensor, keys: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(cosines (n, k), indices (n, k)) of each query's k nearest keys from one bfloat16 matmul.

    The cosines keep bf16's ~3 significant digits (inputs are rounded, products summed in
    float32): near-ties may swap, which matters little in a loop that adds noise on purpose.
    Recomputing them exactly (a gather of n * k * d floats) cost more than the matmul.
    """
    k = min(k, keys.shape[0])
    best = (q.bfloat16() @ keys.bfloat16().T).topk(k, dim=1)  # (n, k)
    return best.values.float(), best.indices


def induce_dictionary(
    xw: torch.Tensor,
    zw: torch.Tensor,
    cutoff: int,
    knn: int = 10,
    keep_prob: float = 1.0,
    generator: torch.Generator | None = None,
    candidates: int = 0,
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Bidirectional (union) CSLS dictionary on the `cutoff` most frequent words of each side.

    Returns (src_idx, trg_idx, objective): S + T pairs (every source word's best target, then
    every target word's best source) and the mean best cosine of both directions, the
    quantity whose stalling drives the keep-probability schedule.
    """
    xs, zs = xw[: min(cutoff, xw.shape[0])], zw[: min(cutoff, zw.shape[0])]
    s, t = xs.shape[0], zs.shape[0]
    if candidates <= 0 or candidates >= min(s, t):
        sims = xs @ zs.T  # (S, T) cosines (rows are unit length)
        if knn > 0:
            r_src, r_trg = csls_halves(sims, knn)
        else:
            r_src, r_trg = sims.new_zeros(s), sims.new_zeros(t)
        objective = 0.5 * (float(sims.max(dim=1).values.mean()) + float(sims.max(dim=0).values.mean()))
        fwd = _stochastic_argmax(sims - r_trg[None, :] / 2, keep_prob, generator)  # (S,)
        bwd = _stochastic_argmax((sims - r_src[:, None] / 2).T, keep_prob, generator)  # (T,)
    else:
        cos_f, idx_f = _shortlist(xs, zs, candidates)  # (S, K): sorted by approximate cosine
        cos_b, idx_b = _shortlist(zs, xs, candidates)  # (T, K)
        k = min(knn, candidates)
        r_src = cos_f.topk(k, dim=1).values.mean(dim=1) if knn > 0 else cos_f.new_zeros(s)
        r_trg = cos_b.topk(k, dim=1).values.mean(dim=1) if knn > 0 else cos_b.new_zeros(t)
        objective = 0.5 * (float(cos_f.max(dim=1).values.mean()) + float(cos_b.max(dim=1).values.mean()))
        pick_f = _stochastic_argmax(cos_f - r_trg[idx_f] / 2, keep_prob, generator)
        pick_b = _stochastic_argmax(cos_b - r_src[idx_b] / 2, keep_prob, generator)
        fwd = idx_f.gather(1, pick_f[:, None])[:, 0]
        bwd = idx_b.gather(1, pick_b[:, None])[:, 0]
    src_idx = torch.cat([torch.arange(s), bwd])
    trg_idx = torch.cat([fwd, torch.arange(t)])
    return src_idx, trg_idx, objective
