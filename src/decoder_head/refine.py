"""Refine: the decoder head's lexicon seeds robust self-learning on monolingual word vectors.

    lexicon of the decoder head (B word -> A word, CSLS top-1, B's frequent words first)
        + vectors of B's corpus and of A's corpus (align.spaces: fastText | PPMI-SVD)
        |
        v  seed = the first `seed_words` pairs whose words both have vectors
           (+ identical strings for the other words with `seed_identical`)
    self-learning (align.self_learning: Procrustes <-> stochastic CSLS dictionary,
                   orthography inside dictionary induction, final re-weighting;
                   `runs` of it under different RNG seeds, averaged: align.ensemble)
        |
        v  with `rounds` > 1: the averaged space's own top-1 lexicon seeds the next round's runs
    mapped spaces xw (B), zw (A): the refined lexicon is CSLS + orthographic re-ranking

The decoder head works on a small vocabulary through a frozen LM; its lexicon is a seed
that does not depend on the vector spaces being isomorphic. Self-learning carries it to
every word with vectors; with `prior` the stage's own scores stay inside the loop and the final
retrieval (align.prior). `decoder-head run`, the induction grid and the cost benchmark all
refine through `refine` here; `refine_spaces` is its loop on spaces made elsewhere, and
`refine_own` runs it on a shared body's own tables, whose result `refine.join` mixes into the
vectors' final retrieval (align.ensemble.join). The result is checkpointed (mapped spaces + words), so a
rerun with the same seed lexicon, corpora and config does not repeat the loop.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from .align.prior import PairPrior
from .align.ensemble import Space, ensemble_self_learning
from .align.self_learning import SelfLearningResult
from .align.spaces import build_in_processes, space_for
from .config import RefineConfig
from .errors import DecoderHeadError
from .eval.bli import translate
from .eval.retrieval import normalize
from .train.checkpoint import has_checkpoint, load_checkpoint, save_checkpoint

if TYPE_CHECKING:
    from .experiment import Lexicon  # the seed stage: B's and A's words and vectors


@dataclass
class Refined:
    src_words: list[str]
    xw: torch.Tensor  # (n_src, d) B's mapped vectors
    trg_words: list[str]
    zw: torch.Tensor  # (n_trg, d) A's mapped vectors
    seed_pairs: int
    iterations: int
    objective: float  # self-learning's final objective (mean best cosine, both directions)
    seconds: float
    prior: PairPrior | None = None  # the seed stage's scores on these spaces (refine.prior), for retrieval

    @property
    def space(self) -> Space:
        return self.src_words, self.xw, self.trg_words, self.zw


def seed_indices(lexicon: dict[str, str], src_words: list[str], trg_words: list[str], n: int,
                 identical: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `n` lexicon pairs (in the lexicon's order) as row indices of the two spaces,
    keeping only pairs whose words both have vectors. With `identical`, every identically spelled
    word whose source row those pairs leave free follows them (refine.seed_identical)."""
    s_index, t_index = {w: i for i, w in enumerate(src_words)}, {w: i for i, w in enumerate(trg_words)}
    pairs = [(s_index[s], t_index[t]) for s, t in list(lexicon.items())[:n] if s in s_index and t in t_index]
    if identical:
        taken = {i for i, _ in pairs}
        pairs += [(i, t_index[w]) for w, i in s_index.items() if w in t_index and i not in taken]
    if not pairs:
        raise DecoderHeadError("refine: no induced pair has both words in the vector vocabularies "
                               "(are the corpora in the languages the LM and the lexicon are?)")
    src_idx, trg_idx = (torch.tensor(col) for col in zip(*pairs))
    return src_idx, trg_idx


def _table_bytes(stage: Lexicon) -> bytes:
    return torch.cat([stage.src_emb.flatten(), stage.trg_emb.flatten()]).float().numpy().tobytes()


USED_NOT_MADE = ("join", "join_agreement")  # RefineConfig fields that say how a result is used, not what it is


def _key(lexicon: dict[str, str], corpora: tuple[str, str], cfg: RefineConfig, stage: Lexicon | None) -> str:
    # how vectors are built, and which stage made the lexicon (it is hashed itself), change nothing;
    # with a prior inside the loop the stage's whole tables count (keys without one stay as they were)
    outside = ("parallel", "seed_from", "prior", *USED_NOT_MADE)  # not what the result is made of
    spec = {k: v for k, v in asdict(cfg).items() if k not in outside}
    for name, default in (("seed_identical", False), ("runs", 1), ("keep_within", None), ("rounds", 1)):
        if spec[name] == default:
            del spec[name]
    parts: list = [list(lexicon.items())[: cfg.seed_words], list(corpora), spec]
    if cfg.prior.in_loop and stage is not None:
        parts += [asdict(cfg.prior), hashlib.sha256(_table_bytes(stage)).hexdigest(), stage.src_words,
                  stage.trg_words]
    blob = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def stage_prior(stage: Lexicon | None, sw: list[str], tw: list[str], cfg: RefineConfig) -> PairPrior | None:
    """The seed stage's p(A word | B word) on the spaces' rows, when refine.prior asks for it."""
    if stage is None or not cfg.prior.active:
        return None
    return PairPrior.of((stage.src_words, stage.src_emb), (stage.trg_words, stage.trg_emb), sw, tw, cfg.prior,
                        knn=cfg.self_learning.csls_knn)


def next_round(x: torch.Tensor, z: torch.Tensor, sw: list[str], tw: list[str],
               previous: tuple[torch.Tensor, torch.Tensor], cfg: RefineConfig, run_dir: Path | None, key: str,
               **loop) -> SelfLearningResult:
    """One more round of self-learning: `cfg.runs` runs (averaged as in the first round) seeded by the
    previous round's mapped spaces (xw, zw), each B word's CSLS top-1 there, as the first round was by
    the stage's lexicon.

    Averaged runs are a better space than any of them, so a loop started from its lexicon can settle in
    a basin none of them reached (README: "Restarts kept by their objective"). loop: `ensemble_self_learning`'s
    keyword arguments (progress, words, prior, anchors).
    """
    best = translate(sw, previous[0], tw, previous[1], k=1, knn=cfg.self_learning.csls_knn)
    src_idx, trg_idx = seed_indices({w: cands[0][0] for w, cands in best.items()}, sw, tw, cfg.seed_words,
                                    cfg.seed_identical)
    return ensemble_self_learning(x, z, src_idx, trg_idx, cfg.self_learning, cfg.runs, run_dir, key, cfg.keep_within,
                                  **loop)


def refine_spaces(lexicon: dict[str, str], spaces: Space,
                  cfg: RefineConfig, run_dir: Path | None = None, key: str = "", progress: bool = True,
                  stage: Lexicon | None = None) -> Refined:
    """refine's loop on spaces given as (B's words, B's vectors, A's words, A's vectors), whatever made
    them: the corpora's word vectors in `refine`, a shared body's own tables elsewhere (no word vectors).
    `run_dir`/`key`: where and under what hash each self-learning run is kept (align.ensemble)."""
    t0 = time.perf_counter()
    sw, x, tw, z = spaces
    src_idx, trg_idx = seed_indices(lexicon, sw, tw, cfg.seed_words, cfg.seed_identical)
    x, z = normalize(x.float(), center=True), normalize(z.float(), center=True)
    prior = stage_prior(stage, sw, tw, cfg)
    anchors = prior.anchors(cfg.prior.anchors) if prior is not None and cfg.prior.anchors else None
    loop = dict(progress=progress, words=(sw, tw), prior=prior if cfg.prior.induction else None, anchors=anchors)
    r = ensemble_self_learning(x, z, src_idx, trg_idx, cfg.self_learning, cfg.runs, run_dir, key, cfg.keep_within,
                               **loop)
    iterations = r.iterations
    for n in range(2, cfg.rounds + 1):
        r = next_round(x, z, sw, tw, (r.xw, r.zw), cfg, run_dir / f"round{n}" if run_dir is not None else None,
                       f"{key}.round{n}", **loop)
        iterations += r.iterations
    return Refined(sw, r.xw, tw, r.zw, len(src_idx), iterations, r.objective, time.perf_counter() - t0, prior)


def refine(lexicon: dict[str, str], corpora: tuple[str, str], workdir: Path, cfg: RefineConfig,
           ckpt_dir: Path | None = None, resume: bool = True, progress: bool = True,
           stage: Lexicon | None = None) -> Refined:
    """Self-learning from the lexicon's seed on the vectors of corpora = (B's corpus, A's corpus).

    `stage` (the seed stage's Lexicon) is what refine.prior reads its scores from.
    """
    key = _key(lexicon, corpora, cfg, stage)
    held = load_refined(ckpt_dir, key, cfg, stage) if resume else None
    if held is not None:
        return held
    t0 = time.perf_counter()
    if cfg.parallel:
        build_in_processes(corpora, workdir, cfg.vectors)
    sw, x = space_for(corpora[0], workdir, cfg.vectors)
    tw, z = space_for(corpora[1], workdir, cfg.vectors)
    run_dir = ckpt_dir / "runs" if ckpt_dir is not None else None
    out = refine_spaces(lexicon, (sw, x, tw, z), cfg, run_dir, key, progress, stage)
    out.seconds = time.perf_counter() - t0  # building the vectors included
    runs = f" in {cfg.runs} runs" if cfg.runs > 1 else ""
    runs += f", {cfg.rounds} rounds" if cfg.rounds > 1 else ""
    print(f"refine: self-learning from {out.seed_pairs} seed pairs, {out.iterations} iterations{runs}, "
          f"objective {out.objective:.4f} ({out.seconds:.0f} s)", flush=True)
    save_refined(ckpt_dir, key, out, cfg)
    return out


def refine_own(stage: Lexicon, seed: dict[str, str], cfg: RefineConfig, ckpt_dir: Path, resume: bool = True,
               progress: bool = True) -> Refined:
    """The same self-learning on a stage's own space (a shared body's tables: no word vectors), from
    `seed` (its own top-1 lexicon, or another's); kept in ckpt_dir under a hash of the space, the seed
    and the recipe. refine.join mixes its result into the vectors' retrieval."""
    spec = {k: v for k, v in asdict(cfg).items() if k not in USED_NOT_MADE}
    made_of = json.dumps([list(seed.items()), spec], sort_keys=True, default=str).encode()
    key = hashlib.sha256(made_of + _table_bytes(stage)).hexdigest()[:16]
    held = load_refined(ckpt_dir, key, cfg) if resume else None
    if held is not None:
        return held
    out = refine_spaces(seed, (stage.src_words, stage.src_emb, stage.trg_words, stage.trg_emb), cfg,
                        ckpt_dir / "runs", key, progress=progress)
    save_refined(ckpt_dir, key, out, cfg)
    return out


def load_refined(ckpt_dir: Path | None, key: str, cfg: RefineConfig, stage: Lexicon | None = None) -> Refined | None:
    """The result saved in ckpt_dir when it was made under `key` (else None: made again)."""
    if ckpt_dir is None or not has_checkpoint(ckpt_dir):
        return None
    tensors, meta = load_checkpoint(ckpt_dir)
    if meta.get("key") != key:
        return None
    return Refined(meta["src_words"], tensors["xw"], meta["trg_words"], tensors["zw"], meta["seed_pairs"],
                   meta["iterations"], meta["objective"], meta["seconds"],
                   stage_prior(stage, meta["src_words"], meta["trg_words"], cfg))


def save_refined(ckpt_dir: Path | None, key: str, out: Refined, cfg: RefineConfig) -> None:
    """The mapped spaces and words under `key`; the runs they combine (ckpt_dir/runs) are dropped."""
    if ckpt_dir is None:
        return
    save_checkpoint(ckpt_dir, {"xw": out.xw, "zw": out.zw},
                    {"key": key, "src_words": out.src_words, "trg_words": out.trg_words, "seed_pairs": out.seed_pairs,
                     "iterations": out.iterations, "objective": out.objective, "seconds": out.seconds,
                     "runs": cfg.runs})
    shutil.rmtree(ckpt_dir / "runs", ignore_errors=True)  # the runs live on in the combined checkpoint
