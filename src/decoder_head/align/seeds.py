"""Seed dictionaries: where each aligner's first mapping comes from.

  train dictionary   supervised pairs looked up in both vocabularies (Procrustes)
  identical strings  words spelled the same on both sides (Artetxe et al. 2017; Smith et al. 2017)
  similarity dists   fully unsupervised: words whose *monolingual* similarity distributions
                     look alike (Artetxe et al. 2018, sec. 3.2)
The Gromov-Wasserstein seed lives in `gromov.py`.
"""

from __future__ import annotations

import torch

from ..errors import DecoderHeadError
from ..eval.retrieval import normalize
from .induction import induce_dictionary


def _index(words: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, w in enumerate(words):
        index.setdefault(w, i)
    return index


def dictionary_seed(
    src_words: list[str], trg_words: list[str], pairs: dict[str, set[str]], name: str = "train dictionary"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Row index pairs for every dictionary pair with both words in the vocabularies.

    An empty overlap is bad input (wrong language direction, wrong files), not a crash.
    """
    s_index, t_index = _index(src_words), _index(trg_words)
    src, trg = [], []
    for s in sorted(pairs):
        if s not in s_index:
            continue
        for t in sorted(pairs[s]):
            if t in t_index:
                src.append(s_index[s])
                trg.append(t_index[t])
    if not src:
        n_src = sum(s in s_index for s in pairs)
        raise DecoderHeadError(
            f"{name} shares no pair with the vocabularies: {len(pairs)} source words, {n_src} in the "
            f"source vocabulary ({len(src_words)} words), none with a translation in the target "
            f"vocabulary ({len(trg_words)} words); check the language direction"
        )
    return torch.tensor(src, dtype=torch.long), torch.tensor(trg, dtype=torch.long)


def identical_seed(src_words: list[str], trg_words: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Pairs of identically spelled words (numerals, names, loanwords): a free weak dictionary."""
    t_index = _index(trg_words)
    pairs = [(i, t_index[w]) for i, w in enumerate(_index(src_words)) if w in t_index]
    if not pairs:
        raise DecoderHeadError(
            f"no identical strings shared by the vocabularies ({len(src_words)} and {len(trg_words)} words); "
            "use --method unsupervised instead"
        )
    src, trg = zip(*pairs)
    return torch.tensor(src, dtype=torch.long), torch.tensor(trg, dtype=torch.long)


def similarity_signature(x: torch.Tensor, n: int) -> torch.Tensor:
    """Sorted sqrt-similarity rows of the n most frequent words (n, n), unit-centre-unit normalised.

    Artetxe et al. 2018, sec. 3.2: if two spaces are isometric, a word and its translation
    have the same *distribution* of similarities to all other words, only permuted; sorting
    each row removes the permutation. sqrt(M) with M = X X^T (computed as U S U^T from
    X = U S V^T) sharpens the distributions, which the paper found to work better than M.
    """
    u, s, _ = torch.linalg.svd(x[:n], full_matrices=False)  # (n, d), (d,)
    sim = (u * s) @ u.T  # (n, n) = sqrt(X X^T)
    sim, _ = sim.sort(dim=1)
    return normalize(sim, center=True)


def similarity_seed(
    x: torch.Tensor, z: torch.Tensor, n: int = 4000, knn: int = 10, candidates: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Unsupervised initial dictionary: CSLS nearest neighbours between similarity signatures, both directions.

    Sec. 3.2 retrieves the initial pairs with CSLS (not plain nearest neighbours), in both
    directions: the same E-step as self-learning, without dropout, on the signatures.
    """
    n = min(n, x.shape[0], z.shape[0])
    if n < 2:
        raise DecoderHeadError(f"unsupervised initialisation needs >= 2 words on each side, got {n}")
    src_idx, trg_idx, _ = induce_dictionary(
        similarity_signature(x, n), similarity_signature(z, n), cutoff=n, knn=knn, candidates=candidates
    )
    return src_idx, trg_idx
