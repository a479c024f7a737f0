"""Dictionary induction from two mapped spaces: the E-step of every self-learning loop.

Built on the shared retrieval (`eval.retrieval.topk`): each side's words are shortlisted
by cosine, and CSLS and the stochastic choice run on the shortlist:

    cos_f, idx_f = topk(xs, zs, K)       (S, K) each source's K nearest targets, by cosine
    cos_b, idx_b = topk(zs, xs, K)       (T, K) each target's K nearest sources
    r_src(i) = mean of cos_f[i, :knn]    CSLS hubness terms (= mean_topk_similarity)
    r_trg(j) = mean of cos_b[j, :knn]
    forward  i -> best j of cos(i, j) - r_trg(j)/2   (= CSLS up to terms constant in j)
    backward j -> best i of cos(i, j) - r_src(i)/2

With a `bonus` every shortlisted cos(i, j) gets + its pair score before the hubness terms and
the pick: weight * (character-bigram cosine of the two words) for orthography
(eval.orthography.CharacterProfiles; Riley & Gildea 2018), weight * p(j | i) of a seed stage
(align.prior.PairPrior), or their sum (align.prior.PairBonus). The shortlist stays the
embedding one, plus the prior's own candidates (`widen`): a pair the current mapping puts far
apart can only win if it is scored at all.

Stochastic dictionary induction (Artetxe et al. 2018, sec. 3.3) drops each similarity with
probability 1 - p before the argmax. The argmax over the kept entries is the first kept one
in descending score order, whose rank is geometric: P(rank = g) = (1 - p)^g p (g = 0, 1, ..).
So one geometric draw per word replaces an (S, T) random mask, with the same distribution
(entries dropped to -inf; VecMap multiplies them by 0, which differs only for rows whose kept
scores are all negative). A rank beyond the shortlist (probability (1 - p)^K: 0.1% for K = 64
at the initial p = 0.1) takes the shortlist's last entry.

`candidates` = K: 0 means the whole row (exact CSLS, float32, memory O(S T): tests, small
vocabularies); K > 0 also allows a bfloat16 cosine matmul (`matmul_dtype`; ~3x faster on
AVX512-BF16 CPUs, cosines good to ~1e-3, so near-ties may swap). The shortlist differs from
exact CSLS only when the CSLS winner is not among the K cosine-nearest.
"""

from __future__ import annotations

import torch

from ..eval.retrieval import topk


def stochastic_pick(scores: torch.Tensor, keep_prob: float, generator: torch.Generator | None) -> torch.Tensor:
    """Column of the best entry per row after dropping each entry with prob 1 - keep_prob. (n,)

    Implemented as the geometric rank of the first kept entry (see the module doc), clipped
    to the last column.
    """
    if keep_prob >= 1.0:
        return scores.argmax(dim=1)
    order = scores.argsort(dim=1, descending=True)  # (n, K)
    u = torch.rand(scores.shape[0], generator=generator, dtype=torch.float64).clamp_min(1e-300)
    rank = torch.floor(torch.log(u) / torch.log1p(torch.tensor(-keep_prob, dtype=torch.float64)))
    rank = rank.clamp(max=scores.shape[1] - 1).long()  # (n,)
    return order.gather(1, rank[:, None])[:, 0]


def widen(q: torch.Tensor, keys: torch.Tensor, cos: torch.Tensor, idx: torch.Tensor, extra: torch.Tensor | None,
          chunk: int = 2048) -> tuple[torch.Tensor, torch.Tensor]:
    """The shortlist (n, K) plus each row's `extra` columns (n, m; -1 = none) with their cosines.

    An extra column already shortlisted (or -1) gets cosine -inf, so it is never picked and
    sorts last; the result is sorted best first again.
    """
    if extra is None or extra.numel() == 0:
        return cos, idx
    new = (extra >= 0) & ~(extra[:, :, None] == idx[:, None, :]).any(dim=2)  # (n, m)
    extra_cos = torch.full(extra.shape, float("-inf"), dtype=cos.dtype)
    for start in range(0, q.shape[0], chunk):
        rows = slice(start, start + chunk)
        dots = torch.einsum("nd,nmd->nm", q[rows].float(), keys[extra[rows].clamp_min(0)].float())
        extra_cos[rows] = torch.where(new[rows], dots.to(cos.dtype), extra_cos[rows])
    cos, order = torch.cat([cos, extra_cos], dim=1).sort(dim=1, descending=True)
    return cos, torch.cat([idx, extra.clamp_min(0)], dim=1).gather(1, order)


def induce_dictionary(
    xw: torch.Tensor,
    zw: torch.Tensor,
    cutoff: int,
    knn: int = 10,
    keep_prob: float = 1.0,
    generator: torch.Generator | None = None,
    candidates: int = 0,
    matmul_dtype: torch.dtype | None = None,
    chunk: int = 2048,
    bonus=None,
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Bidirectional (union) CSLS dictionary on the `cutoff` most frequent words of each side.

    xw (n_src, d) and zw (n_trg, d) are compared by cosine. Returns (src_idx, trg_idx,
    objective): S + T pairs (every source word's best target, then every target word's best
    source) and the mean best cosine of both directions, the quantity whose stalling drives
    the keep-probability schedule.
    """
    xs, zs = xw[: min(cutoff, xw.shape[0])], zw[: min(cutoff, zw.shape[0])]
    s, t = xs.shape[0], zs.shape[0]
    k_f = t if candidates <= 0 else min(candidates, t)
    k_b = s if candidates <= 0 else min(candidates, s)
    dtype = matmul_dtype if candidates > 0 else None
    cos_f, idx_f = topk(xs, zs, k=k_f, method="nn", chunk=chunk, matmul_dtype=dtype)  # (S, K)
    cos_b, idx_b = topk(zs, xs, k=k_b, method="nn", chunk=chunk, matmul_dtype=dtype)  # (T, K)
    if bonus is not None and bonus.weight:  # anything with pair_scores(candidates) and swapped()
        if candidates > 0 and getattr(bonus, "candidates", None) is not None:  # e.g. a prior's pairs
            cos_f, idx_f = widen(xs, zs, cos_f, idx_f, bonus.candidates(s, t), chunk)
            cos_b, idx_b = widen(zs, xs, cos_b, idx_b, bonus.swapped().candidates(t, s), chunk)
        cos_f = cos_f + bonus.pair_scores(idx_f)  # rows 0..S-1 are the first source words
        cos_b = cos_b + bonus.swapped().pair_scores(idx_b)
        cos_f, order_f = cos_f.sort(dim=1, descending=True)  # keep "best first" for the terms below
        cos_b, order_b = cos_b.sort(dim=1, descending=True)
        idx_f, idx_b = idx_f.gather(1, order_f), idx_b.gather(1, order_b)
    r_src = cos_f[:, :knn].mean(dim=1) if knn > 0 else cos_f.new_zeros(s)  # (S,)
    r_trg = cos_b[:, :knn].mean(dim=1) if knn > 0 else cos_b.new_zeros(t)  # (T,)
    objective = 0.5 * (float(cos_f[:, 0].mean()) + float(cos_b[:, 0].mean()))
    pick_f = stochastic_pick(cos_f - r_trg[idx_f] / 2, keep_prob, generator)  # (S,)
    pick_b = stochastic_pick(cos_b - r_src[idx_b] / 2, keep_prob, generator)  # (T,)
    fwd = idx_f.gather(1, pick_f[:, None])[:, 0]
    bwd = idx_b.gather(1, pick_b[:, None])[:, 0]
    src_idx = torch.cat([torch.arange(s), bwd])
    trg_idx = torch.cat([fwd, torch.arange(t)])
    return src_idx, trg_idx, objective
