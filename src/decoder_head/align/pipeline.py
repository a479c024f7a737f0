"""`decoder-head align`: two word2vec files in, mapped vectors + lexicon + metrics.json out.

Each method is a plain function behind one signature, chosen by name from `METHODS`:

    method(x, z, src_words, trg_words, train_pairs, cfg) -> (xw, zw)

x, z are normalised (unit, centre, unit: Artetxe et al. 2018 sec. 3.1) before any method
sees them; xw, zw are the mapped spaces that retrieval compares.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from ..data.dictionary import read_muse
from ..errors import DecoderHeadError
from ..eval.bli import bli_scores, translate, write_lexicon
from ..eval.retrieval import normalize
from ..eval.vectors import read_word2vec, write_word2vec
from ..files import write_json
from .gromov import GromovConfig, gw_seed
from .procrustes import ProcrustesConfig, procrustes
from .seeds import dictionary_seed, identical_seed, similarity_seed
from .self_learning import SelfLearningConfig, self_learning

Pairs = dict[str, set[str]]


@dataclass(frozen=True)
class AlignConfig:
    """Everything `align` needs beyond the files: one sub-config per building block.

    init_vocab: words per side in the similarity-distribution initialisation (sec. 3.2, 4k).
    refine_rounds: CSLS re-induction + Procrustes rounds of `procrustes-refine` and after the
        GW seed (`procrustes` itself uses `procrustes.refine_rounds`, 0 by default).
    """

    self_learning: SelfLearningConfig = field(default_factory=SelfLearningConfig)
    procrustes: ProcrustesConfig = field(default_factory=ProcrustesConfig)
    gromov: GromovConfig = field(default_factory=GromovConfig)
    init_vocab: int = 4000
    refine_rounds: int = 5
    progress: bool = True

    def __post_init__(self) -> None:
        if self.init_vocab < 2:
            raise DecoderHeadError(f"init_vocab must be >= 2, got {self.init_vocab}")
        if self.refine_rounds < 0:
            raise DecoderHeadError(f"refine_rounds must be >= 0, got {self.refine_rounds}")


def _unsupervised(x, z, sw, tw, pairs, cfg: AlignConfig):
    """Artetxe et al. 2018: similarity-distribution seed -> robust self-learning."""
    src_idx, trg_idx = similarity_seed(x, z, cfg.init_vocab, cfg.self_learning.csls_knn, cfg.self_learning.candidates)
    r = self_learning(x, z, src_idx, trg_idx, cfg.self_learning, cfg.progress, words=(sw, tw))
    return r.xw, r.zw


def _identical(x, z, sw, tw, pairs, cfg: AlignConfig):
    """Identical strings as the seed -> the same self-learning loop."""
    src_idx, trg_idx = identical_seed(sw, tw)
    r = self_learning(x, z, src_idx, trg_idx, cfg.self_learning, cfg.progress, words=(sw, tw))
    return r.xw, r.zw


def _train_seed(sw, tw, pairs):
    if pairs is None:
        raise DecoderHeadError("supervised Procrustes needs --train-dict (a MUSE file of training pairs)")
    return dictionary_seed(sw, tw, pairs)


def _procrustes(x, z, sw, tw, pairs, cfg: AlignConfig):
    """Supervised orthogonal Procrustes on the train dictionary (MUSE/VecMap `--orthogonal`)."""
    return x @ procrustes(x, z, *_train_seed(sw, tw, pairs), cfg.procrustes), z


def _refined(x, z, src_idx, trg_idx, cfg: AlignConfig):
    """Seed -> Procrustes -> `refine_rounds` x (CSLS dictionary, Procrustes)."""
    refine = dataclasses.replace(cfg.procrustes, refine_rounds=cfg.refine_rounds)
    return x @ procrustes(x, z, src_idx, trg_idx, refine), z


def _procrustes_refine(x, z, sw, tw, pairs, cfg: AlignConfig):
    """Supervised Procrustes, then iterative refinement (Conneau et al. 2018, sec. 2.3)."""
    return _refined(x, z, *_train_seed(sw, tw, pairs), cfg)


def _gw(x, z, sw, tw, pairs, cfg: AlignConfig):
    """Gromov-Wasserstein coupling argmax as the seed -> Procrustes with CSLS refinement."""
    return _refined(x, z, *gw_seed(x, z, cfg.gromov), cfg)


Method = Callable[..., tuple[torch.Tensor, torch.Tensor]]
METHODS: dict[str, Method] = {
    "unsupervised": _unsupervised,
    "procrustes": _procrustes,
    "procrustes-refine": _procrustes_refine,
    "gw": _gw,
    "identical": _identical,
}


def align(
    method: str,
    src_words: list[str],
    x: torch.Tensor,
    trg_words: list[str],
    z: torch.Tensor,
    train_pairs: Pairs | None = None,
    cfg: AlignConfig = AlignConfig(),
) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalise both spaces, run `method`, return the mapped (xw, zw)."""
    if method not in METHODS:
        raise DecoderHeadError(f"unknown alignment method {method!r}; choose one of {', '.join(METHODS)}")
    if x.shape[1] != z.shape[1]:
        raise DecoderHeadError(f"source and target vectors differ in dimension: {x.shape[1]} vs {z.shape[1]}")
    if len(src_words) < 2 or len(trg_words) < 2:
        raise DecoderHeadError(f"need >= 2 vectors per side, got {len(src_words)} and {len(trg_words)}")
    x = normalize(x.float(), center=True)  # sec. 3.1: unit length, mean centring, unit length
    z = normalize(z.float(), center=True)
    return METHODS[method](x, z, src_words, trg_words, train_pairs, cfg)


def bli_block(
    method: str, dictionary: str, sw: list[str], xw: torch.Tensor, tw: list[str], zw: torch.Tensor,
    gold: Pairs, seconds: float,
) -> dict:
    """The `induce`-style metrics block: method, dictionary, coverage, nn/csls P@1/5/10, the
    cognate / non-cognate split, seconds."""
    return {"method": method, "dictionary": dictionary, **bli_scores(sw, xw, tw, zw, gold), "seconds": round(seconds, 2)}


def run_align(
    src: str,
    trg: str,
    method: str,
    out_dir: str | Path,
    train_dict: str | None = None,
    dictionary: str | None = None,
    cfg: AlignConfig = AlignConfig(),
) -> dict:
    """Read, align, write `src.mapped.vec`, `trg.mapped.vec`, `lexicon.tsv`, `metrics.json`.

    Input problems surface before any work: unreadable vectors (vectors.py), a dictionary that
    shares no pair with the vocabularies. Duplicate words keep their first vector; their count
    is in metrics["skipped_duplicates"].
    """
    out_dir = Path(out_dir)
    sw, x, src_stats = read_word2vec(src)
    tw, z, trg_stats = read_word2vec(trg, expected_dim=x.shape[1])
    pairs = read_muse(train_dict) if train_dict else None
    gold = read_muse(dictionary) if dictionary else None
    if gold is not None:
        dictionary_seed(sw, tw, gold, name=f"test dictionary {dictionary}")  # fail fast on no overlap
    start = time.perf_counter()
    xw, zw = align(method, sw, x, tw, z, pairs, cfg)
    seconds = time.perf_counter() - start
    write_word2vec(out_dir / "src.mapped.vec", sw, xw)
    write_word2vec(out_dir / "trg.mapped.vec", tw, zw)
    write_lexicon(out_dir / "lexicon.tsv", translate(sw, xw, tw, zw, k=5, method="csls"))
    if gold is not None:
        metrics = bli_block(method, str(dictionary), sw, xw, tw, zw, gold, seconds)
    else:
        metrics = {"method": method, "dictionary": None, "coverage": None, "nn": None, "csls": None,
                   "seconds": round(seconds, 2)}
    metrics["skipped_duplicates"] = {"src": src_stats["skipped_duplicates"], "trg": trg_stats["skipped_duplicates"]}
    write_json(out_dir / "metrics.json", metrics)
    return metrics
