"""Bilingual lexicon induction metrics, MUSE protocol, with coverage always reported.

Protocol (Conneau et al. 2018, MUSE `evaluation/word_translation.py`):
  1. keep dictionary source words that are in the source vocabulary and have at least one
     gold translation in the target vocabulary (coverage = kept / dictionary source words);
  2. retrieve the top-k target words for each kept source word (NN, CSLS or isf);
  3. a word is a hit at k when *any* of its gold translations is among its top k.
Precision is over evaluated words only, so it must be read together with coverage.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Sequence

import torch

from ..errors import DecoderHeadError
from ..files import atomic_path
from .orthography import COGNATE_SIMILARITY, rerank, string_similarity
from .retrieval import topk

RERANK_POOL = 50  # candidates per word re-sorted when an orthography weight is given


def _index(words: Sequence[str], emb: torch.Tensor, side: str) -> dict[str, int]:
    """Word -> first row; checks the vocabulary and matrix agree."""
    if emb.dim() != 2 or emb.shape[0] != len(words):
        raise DecoderHeadError(
            f"{side}: {len(words)} words but embedding matrix has shape {tuple(emb.shape)}"
        )
    index: dict[str, int] = {}
    for i, w in enumerate(words):
        index.setdefault(w, i)
    return index


def _bucket_label(lo: int, hi: int | None) -> str:
    return f"{lo}+" if hi is None else f"{lo}-{hi}"


def _retrieve(src_emb: torch.Tensor, trg_emb: torch.Tensor, queries: Sequence[str], trg_words: Sequence[str],
              k: int, method: str, knn: int, rows: torch.Tensor, orthography: float,
              prior=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k by `method`; with an orthography weight or a prior (align.prior.PairPrior: a seed
    stage's p(target | source)), the top-RERANK_POOL re-sorted first by score + both bonuses."""
    with_prior = prior is not None and prior.weight > 0
    if not orthography and not with_prior:
        return topk(src_emb, trg_emb, k=k, method=method, knn=knn, rows=rows)
    scores, best = topk(src_emb, trg_emb, k=max(k, RERANK_POOL), method=method, knn=knn, rows=rows)
    scores, best = rerank(scores, best, queries, trg_words, orthography)
    if with_prior:
        scores = scores + prior.pair_scores(best, rows)
        scores, order = scores.sort(dim=1, descending=True)
        best = best.gather(1, order)
    return scores[:, :k], best[:, :k]


def evaluate_bli(
    src_words: list[str],
    src_emb: torch.Tensor,
    trg_words: list[str],
    trg_emb: torch.Tensor,
    gold: dict[str, set[str]],
    ks: Iterable[int] = (1, 5, 10),
    method: str = "csls",
    knn: int = 10,
    src_ranks: dict[str, int] | None = None,
    rank_buckets: Sequence[tuple[int, int | None]] = ((0, 1000), (1000, 3000), (3000, None)),
    orthography: float = 0.0,
    prior=None,
) -> dict:
    """P@k (percent) over evaluable dictionary words, coverage, and optionally P@k by source rank.

    `orthography` > 0 re-ranks the top candidates by string similarity (eval/orthography.py),
    a `prior` by a seed stage's scores as well (align/prior.py).
    Returns {"p_at_1", "p_at_5", ..., "coverage", "n_evaluated", "n_dictionary", "cognate",
    "non_cognate"} plus "by_rank" ({"0-1000": {"p_at_1", ..., "n"}, ...}) when `src_ranks` is
    given; a bucket with no word has n=0 and p_at_k None. Words absent from `src_ranks` are in
    no bucket. "cognate" / "non_cognate" ({"p_at_1", ..., "n"}) split the evaluated words by
    spelling: a word is a cognate when it spells alike (`orthography.COGNATE_SIMILARITY`) at
    least one of its gold translations in the target vocabulary; orthographic evidence can
    solve those, so P@1 on the rest shows what was learned beyond spelling (Kementchedjhieva
    et al. 2019, "Lost in Evaluation").
    """
    src_emb, trg_emb = torch.as_tensor(src_emb), torch.as_tensor(trg_emb)
    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 1:
        raise DecoderHeadError(f"ks must be positive integers, got {ks}")
    src_index = _index(src_words, src_emb, "source")
    trg_index = _index(trg_words, trg_emb, "target")

    # STEP 1: which dictionary entries can be evaluated at all.
    queries: list[str] = []
    gold_rows: list[set[int]] = []
    n_in_src = 0
    for word in sorted(gold):
        if word not in src_index:
            continue
        n_in_src += 1
        rows = {trg_index[t] for t in gold[word] if t in trg_index}
        if rows:
            queries.append(word)
            gold_rows.append(rows)
    n_dictionary = len(gold)
    if not queries:
        raise DecoderHeadError(
            f"dictionary and vocabularies share no pair: {n_dictionary} dictionary source words, "
            f"{n_in_src} in the source vocabulary ({len(src_index)} words), none with a gold "
            f"translation in the target vocabulary ({len(trg_index)} words)"
        )

    # STEP 2: retrieval; CSLS/isf statistics use the whole source vocabulary.
    rows = torch.tensor([src_index[w] for w in queries], dtype=torch.long)
    _, best = _retrieve(src_emb, trg_emb, queries, trg_words, ks[-1], method, knn, rows, orthography,
                        prior)  # (n_q, kmax)

    # STEP 3: rank of the first gold hit per word (kmax + 1 = no hit within kmax).
    first_hit = torch.full((len(queries),), ks[-1] + 1, dtype=torch.long)
    for i, (cands, golds) in enumerate(zip(best.tolist(), gold_rows)):
        for rank, j in enumerate(cands, start=1):
            if j in golds:
                first_hit[i] = rank
                break

    def precision(mask: torch.Tensor) -> dict[str, float | None]:
        n = int(mask.sum())
        return {
            f"p_at_{k}": (100.0 * float((first_hit[mask] <= k).sum()) / n if n else None)
            for k in ks
        }

    everyone = torch.ones(len(queries), dtype=torch.bool)
    result: dict = precision(everyone)
    result["coverage"] = len(queries) / n_dictionary
    result["n_evaluated"] = len(queries)
    result["n_dictionary"] = n_dictionary
    cognate = torch.tensor([is_cognate(w, [trg_words[j] for j in rows]) for w, rows in zip(queries, gold_rows)],
                           dtype=torch.bool)
    result["cognate"] = {**precision(cognate), "n": int(cognate.sum())}
    result["non_cognate"] = {**precision(~cognate), "n": int((~cognate).sum())}

    if src_ranks is not None:
        ranks = [src_ranks.get(w) for w in queries]
        by_rank = {}
        for lo, hi in rank_buckets:
            mask = torch.tensor(
                [r is not None and r >= lo and (hi is None or r < hi) for r in ranks],
                dtype=torch.bool,
            )
            by_rank[_bucket_label(lo, hi)] = {**precision(mask), "n": int(mask.sum())}
        result["by_rank"] = by_rank
    return result


def is_cognate(word: str, translations: Sequence[str]) -> bool:
    """True when `word` spells alike at least one translation (accent-stripped normalised
    Levenshtein similarity >= COGNATE_SIMILARITY): nación/nation 0.83, templo/temple 0.83; not
    profeta/prophet (0.57)."""
    return bool(translations) and float(string_similarity([word], list(translations)).max()) >= COGNATE_SIMILARITY


def bli_scores(
    src_words: list[str],
    src_emb: torch.Tensor,
    trg_words: list[str],
    trg_emb: torch.Tensor,
    gold: dict[str, set[str]],
    knn: int = 10,
    orthography: float = 0.0,
    src_ranks: dict[str, int] | None = None,
    prior=None,
) -> dict:
    """The BLI block every stage reports: coverage, P@1/5/10 by NN and CSLS, P@k by source
    frequency band (CSLS) and P@1 on cognate / non-cognate words (CSLS), with their counts."""
    scores = {m: evaluate_bli(src_words, src_emb, trg_words, trg_emb, gold, method=m, knn=knn,
                              src_ranks=src_ranks if m == "csls" else None, orthography=orthography,
                              prior=prior if m == "csls" else None)
              for m in ("nn", "csls")}
    csls = scores["csls"]
    pick = ("p_at_1", "p_at_5", "p_at_10")
    return {"coverage": csls["coverage"], "n_evaluated": csls["n_evaluated"],
            "nn": {k: scores["nn"][k] for k in pick}, "csls": {k: csls[k] for k in pick},
            "by_rank_csls": csls.get("by_rank", {}),
            "cognate": csls["cognate"], "non_cognate": csls["non_cognate"]}


def mutual_nn_share(src_emb: torch.Tensor, trg_emb: torch.Tensor, knn: int = 10, n: int | None = None) -> float:
    """Share of the first `n` source rows (the most frequent words) whose CSLS translation
    translates back to them: an unsupervised signal of how consistent a lexicon is."""
    src_emb, trg_emb = torch.as_tensor(src_emb).float(), torch.as_tensor(trg_emb).float()
    n = src_emb.shape[0] if n is None else min(n, src_emb.shape[0])
    if n == 0 or trg_emb.shape[0] == 0:
        return 0.0
    _, fwd = topk(src_emb, trg_emb, k=1, method="csls", knn=knn, rows=torch.arange(n))  # (n, 1)
    _, back = topk(trg_emb, src_emb, k=1, method="csls", knn=knn, rows=fwd[:, 0])  # (n, 1)
    return float((back[:, 0] == torch.arange(n)).float().mean())


def translate(
    src_words: list[str],
    src_emb: torch.Tensor,
    trg_words: list[str],
    trg_emb: torch.Tensor,
    k: int = 5,
    method: str = "csls",
    knn: int = 10,
    orthography: float = 0.0,
    prior=None,
) -> dict[str, list[tuple[str, float]]]:
    """Top-k target words with scores for every source word (the induced lexicon)."""
    src_emb, trg_emb = torch.as_tensor(src_emb), torch.as_tensor(trg_emb)
    src_index = _index(src_words, src_emb, "source")
    _index(trg_words, trg_emb, "target")
    rows = torch.tensor(list(src_index.values()), dtype=torch.long)
    scores, best = _retrieve(src_emb, trg_emb, list(src_index), trg_words, k, method, knn, rows, orthography,
                             prior)
    return {
        word: [(trg_words[j], float(s)) for j, s in zip(idx, sc)]
        for word, idx, sc in zip(src_index, best.tolist(), scores.tolist())
    }


def write_lexicon(path: str | os.PathLike, translations: dict[str, list[tuple[str, float]]]) -> None:
    """Write `src<TAB>rank<TAB>trg<TAB>score` (rank from 1, header line) atomically."""
    lines = ["src\trank\ttrg\tscore"]
    for src, cands in translations.items():
        for rank, (trg, score) in enumerate(cands, start=1):
            for w in (src, trg):
                if any(c in w for c in "\t\n\r"):
                    raise DecoderHeadError(f"{path}: word {w!r} contains a tab or newline")
            lines.append(f"{src}\t{rank}\t{trg}\t{score:.6f}")
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_lexicon(path: str | os.PathLike) -> dict[str, str]:
    """Rank-1 translations of a lexicon.tsv (`src rank trg score`, header; `write_lexicon`),
    in file order (the source vocabulary's frequency order)."""
    p = Path(path)
    if not p.is_file():
        raise DecoderHeadError(f"{p}: lexicon not found; `decoder-head induce` or `align` writes lexicon.tsv")
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise DecoderHeadError(f"{p}: not valid UTF-8; expected a lexicon.tsv") from None
    if not lines or lines[0].split("\t") != ["src", "rank", "trg", "score"]:
        raise DecoderHeadError(f"{p}: first line must be the header `src<TAB>rank<TAB>trg<TAB>score`")
    best: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines[1:], 2):
        fields = line.split("\t")
        if not line.strip():
            continue
        if len(fields) != 4 or not fields[1].isdigit():
            raise DecoderHeadError(f"{p}:{number}: expected `src<TAB>rank<TAB>trg<TAB>score`")
        src, rank, trg = fields[0], int(fields[1]), fields[2]
        if src not in best or rank < best[src][0]:
            best[src] = (rank, trg)
    if not best:
        raise DecoderHeadError(f"{p}: no lexicon entries below the header")
    return {s: t for s, (_, t) in best.items()}
