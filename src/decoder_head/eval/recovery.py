"""Recovery metrics: does the re-learned row of word w land on w's original row?

hit@k(w) = 1 if w's original id is among the k frozen rows nearest (cosine) to the
re-learned row of w. Reported overall for the top-N words and per frequency-rank bucket,
because frequent words are learnt first and rare ones last (or never).
"""

from __future__ import annotations

import torch

from ..data.vocab import Vocab
from .retrieval import topk


def bucket_label(lo: int, hi: int | None) -> str:
    return f"{lo}-{hi}" if hi is not None else f"{lo}+"


def recovery_hits(learned: torch.Tensor, frozen: torch.Tensor, vocab: Vocab, ks: tuple[int, ...] = (1, 5, 10),
                  buckets: tuple[int, ...] = (0, 100, 1000, 4000)) -> dict:
    """learned, frozen: (V, d) tables over the same vocabulary (specials excluded from scoring)."""
    s = vocab.n_specials
    words = torch.arange(s, len(vocab))
    _, idx = topk(learned[words], frozen[s:], k=max(ks), method="nn")  # (n, k) into frozen[s:]
    hit = idx == (words - s).unsqueeze(1)  # (n, k) bool
    ranks = words - s  # ids are frequency ranks shifted by the specials
    out: dict = {}
    for k in ks:
        hk = hit[:, :k].any(1).float()
        out[f"hit_at_{k}_top1000"] = hk[ranks < 1000].mean().item()
        out[f"hit_at_{k}_all"] = hk.mean().item()
        by = {}
        edges = list(buckets) + [None]
        for lo, hi in zip(edges[:-1], edges[1:]):
            sel = (ranks >= lo) & (ranks < hi if hi is not None else True)
            if sel.any():
                by[bucket_label(lo, hi)] = hk[sel].mean().item()
        out[f"hit_at_{k}_by_rank"] = by
    return out


def synonyms(learned: torch.Tensor, frozen: torch.Tensor, vocab: Vocab, words: tuple[str, ...], k: int = 5) -> dict[str, list[str]]:
    """Top-k original words nearest to the re-learned row of each sample word."""
    s = vocab.n_specials
    present = [w for w in words if w in vocab.stoi]
    if not present:
        return {}
    rows = torch.tensor([vocab.stoi[w] for w in present])
    _, idx = topk(learned[rows], frozen[s:], k=k, method="nn")
    return {w: [vocab.itos[int(j) + s] for j in r] for w, r in zip(present, idx)}
