"""The decoder-head experiments, top to bottom:

    LM A (train or reuse) -> recover (A through A's frozen body) -> induce (B through it)
                          -> evaluate (hit@k by rank, BLI P@k NN/CSLS) -> run folder

Each stage is a plain function returning a metrics dict; `run` chains them and writes
`runs/<name>/` (config, metrics.json, lexicon.tsv, emb.*.vec, plots, report.md).
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from .config import EvalConfig, RelearnConfig, RunConfig
from .data.dictionary import read_muse
from .device import pick_device
from .errors import DecoderHeadError
from .eval.bli import evaluate_bli, translate, write_lexicon
from .eval.recovery import recovery_hits, synonyms
from .eval.vectors import write_word2vec
from .files import write_json
from .train.pretrain import TrainedLM, train_lm
from .train.relearn import Relearned, relearn


def lm_metrics(lm: TrainedLM) -> dict[str, Any]:
    m = lm.meta
    return {"val_ppl": m["val_ppl"], "tokens_per_s": m["tokens_per_s"], "train_seconds": m["train_seconds"],
            "vocab_size": m["vocab_size"], "train_tokens": m["train_tokens"], "unk_rate_valid": m["unk_rate_valid"],
            "reused": m.get("reused", False), "folder": str(lm.folder), "history": m["history"]}


def frozen_table(lm: TrainedLM) -> torch.Tensor:
    return lm.model.mapping.table().detach()


def reference_table(r: Relearned, lm: TrainedLM) -> torch.Tensor:
    """The frozen rows a re-learned mapping mixes: its own (possibly normalised) copy, else the LM's."""
    target = getattr(r.mapping, "target", None)
    return target.detach() if isinstance(target, torch.Tensor) else frozen_table(lm)


def recover(lm: TrainedLM, cfg: RelearnConfig, ev: EvalConfig, workdir: Path, run_dir: Path,
            resume: bool = True) -> dict[str, Any]:
    """Wipe LM A's mapping and re-learn it on A's own corpus; score against the truth."""
    cfg = dataclasses.replace(cfg, corpus=lm.config.corpus)  # recovery is same-language by definition

    def track(r: Relearned) -> dict[str, Any]:
        hits = recovery_hits(r.mapping.table().detach(), reference_table(r, lm), lm.vocab, buckets=ev.rank_buckets)
        return {"hit_at_1_top1000": hits["hit_at_1_top1000"]}

    result = relearn(lm, cfg, workdir, run_dir / "checkpoints" / "recover", vocab=lm.vocab,
                     resume=resume, desc=f"recover [{cfg.mapping}]", on_epoch_end=track)
    learned, frozen = result.mapping.table().detach(), reference_table(result, lm)
    hits = recovery_hits(learned, frozen, lm.vocab, buckets=ev.rank_buckets)
    return {"method": cfg.mapping, "corpus": cfg.corpus, **hits,
            "synonyms": synonyms(learned, frozen, lm.vocab, ev.synonym_words),
            "seconds": result.seconds, "device": pick_device().type, "history": result.history}


def induce(lm: TrainedLM, cfg: RelearnConfig, ev: EvalConfig, workdir: Path, run_dir: Path,
           resume: bool = True) -> dict[str, Any]:
    """Language B through A's frozen body; B's learned rows retrieve A's words (NN and CSLS)."""
    gold = read_muse(ev.dictionary)
    result = relearn(lm, cfg, workdir, run_dir / "checkpoints" / "induce", resume=resume,
                     desc=f"induce [{cfg.mapping}]")
    t0 = time.perf_counter()
    s_words, s_emb = result.vocab.words, result.mapping.table().detach()[result.vocab.n_specials:]
    t_words, t_emb = lm.vocab.words, reference_table(result, lm)[lm.vocab.n_specials:]
    ranks = {w: i for i, w in enumerate(s_words)}
    scores = {m: evaluate_bli(s_words, s_emb, t_words, t_emb, gold, method=m, knn=ev.knn, src_ranks=ranks)
              for m in ("nn", "csls")}
    write_lexicon(run_dir / "lexicon.tsv", translate(s_words, s_emb, t_words, t_emb, k=5, method="csls", knn=ev.knn))
    write_word2vec(run_dir / "emb.es.vec", s_words, s_emb)
    write_word2vec(run_dir / "emb.en.vec", t_words, t_emb)
    pick = ("p_at_1", "p_at_5", "p_at_10")
    return {"method": cfg.mapping, "corpus": cfg.corpus, "dictionary": str(ev.dictionary),
            "coverage": scores["csls"]["coverage"], "n_evaluated": scores["csls"]["n_evaluated"],
            "nn": {k: scores["nn"][k] for k in pick}, "csls": {k: scores["csls"][k] for k in pick},
            "by_rank_csls": scores["csls"].get("by_rank", {}),
            "seconds": result.seconds + time.perf_counter() - t0, "device": pick_device().type,
            "history": result.history}


def point_latest(run_dir: Path) -> None:
    """runs/latest -> runs/<name>, replaced atomically."""
    link = run_dir.parent / "latest"
    tmp = run_dir.parent / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_dir.name)
    os.replace(tmp, link)


def run(cfg: RunConfig, workdir: Path, resume: bool = True) -> dict[str, Any]:
    """Everything `make run` does; returns the metrics written to runs/<name>/metrics.json."""
    from .report import write_report

    if not Path(cfg.eval.dictionary).is_file():
        raise DecoderHeadError(f"BLI dictionary not found: {cfg.eval.dictionary} (set eval.dictionary=PATH)")
    run_dir = workdir / cfg.name
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json(run_dir / "config.json", asdict(cfg))
    t0 = time.perf_counter()
    lm = train_lm(cfg.lm, workdir, resume=resume)
    metrics: dict[str, Any] = {"name": cfg.name, "lm": lm_metrics(lm)}
    metrics["recover"] = recover(lm, cfg.recover, cfg.eval, workdir, run_dir, resume)
    metrics["induce"] = induce(lm, cfg.induce, cfg.eval, workdir, run_dir, resume)
    metrics["wall_seconds"] = time.perf_counter() - t0
    write_json(run_dir / "metrics.json", metrics)
    write_report(run_dir, cfg, metrics)
    point_latest(run_dir)
    return metrics
