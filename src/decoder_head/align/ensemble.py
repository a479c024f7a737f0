"""Several self-learning runs as one cross-lingual space: the loop's seed noise averaged out.

Self-learning's dictionary induction is stochastic (it keeps each pair with a probability that
starts at 0.1), so runs from one seed dictionary under different RNG seeds end in different
mappings, about a point of P@1 apart. Each run's mapped spaces are unit rows; concatenated (and
scaled by 1/sqrt(runs)) they give a space where every cosine is the mean of the runs' cosines, so
a translation wins where the runs agree. That space is then cut back to one run's dimension along
the top right singular vectors of both sides stacked (the best rank-d fit of all its dot
products), so vector files and retrieval cost stay as they were. With `run_dir` each finished run
is a checkpoint of its own, so a killed refine stage resumes at the run it was in. The choice is
the README's "Three self-learning runs, averaged" (train splits of five beds).

Where runs end in different basins (comparable text with no shared spelling: es-en.wiki.cipher),
the worse ones pull the average down. There the loop's own objective (mean best cosine) ranks the
runs as P@1 does, so `keep_within` leaves out every run whose objective is further than that below
the best (README: "Comparable text without spelling").
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any, Sequence

import torch

from ..eval.retrieval import normalize
from ..train.checkpoint import has_checkpoint, load_checkpoint, save_checkpoint
from .self_learning import SelfLearningConfig, SelfLearningResult, self_learning


def run_seed(seed: int, runs: int, i: int) -> int:
    """RNG seed of run i: seed s's runs never overlap seed s+1's, and one run keeps seed s itself."""
    return seed * runs + i


def combine(spaces: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Mapped spaces [(xw, zw), ...] of several runs -> one (xw, zw) at one run's dimension whose
    cosines approximate the mean of the runs' cosines (exact before the cut)."""
    if len(spaces) == 1:
        return spaces[0]
    dim = spaces[0][0].shape[1]
    scale = 1 / math.sqrt(len(spaces))
    x = torch.cat([normalize(xw) for xw, _ in spaces], dim=1) * scale
    z = torch.cat([normalize(zw) for _, zw in spaces], dim=1) * scale
    _, _, vh = torch.linalg.svd(torch.cat([x, z]), full_matrices=False)
    basis = vh[:dim].T  # (runs * dim, dim)
    return normalize(x @ basis), normalize(z @ basis)


Space = tuple[list[str], torch.Tensor, list[str], torch.Tensor]  # (B's words, B's rows, A's words, A's rows)


def join(spaces: Sequence[Space], weights: Sequence[float]) -> Space:
    """Cross-lingual spaces made apart (mapped word vectors, a shared body's self-learned tables) as one,
    on the first space's words: each space's rows are unit length and scaled by sqrt(its weight), so a
    word pair's cosine is the weighted mean of the spaces' cosines. A word a later space lacks has zeros
    there: that space says nothing of it. Unlike `combine`, nothing is cut (the spaces' words differ)."""
    if len(spaces) != len(weights) or not spaces:
        raise ValueError(f"join needs one weight per space, got {len(spaces)} spaces and {len(weights)} weights")
    if min(weights) < 0 or not math.isclose(sum(weights), 1.0, abs_tol=1e-6):
        raise ValueError(f"join's weights must be >= 0 and sum to 1, got {list(weights)}")
    src, trg = spaces[0][0], spaces[0][2]

    def block(words: list[str], held: list[str], rows: torch.Tensor, weight: float) -> torch.Tensor:
        index = {w: i for i, w in enumerate(held)}
        out = torch.zeros(len(words), rows.shape[1])
        mine = [i for i, w in enumerate(words) if w in index]
        out[mine] = normalize(rows.float())[[index[words[i]] for i in mine]]
        return out * math.sqrt(weight)

    x = torch.cat([block(src, sw, xs, w) for (sw, xs, _, _), w in zip(spaces, weights)], dim=1)
    z = torch.cat([block(trg, tw, zs, w) for (_, _, tw, zs), w in zip(spaces, weights)], dim=1)
    return src, x, trg, z


def kept_runs(results: Sequence[SelfLearningResult], within: float | None) -> list[SelfLearningResult]:
    """The runs whose objective is at most `within` under the best run's (all of them with None)."""
    if within is None:
        return list(results)
    best = max(r.objective for r in results)
    return [r for r in results if r.objective >= best - within]


def _saved_run(folder: Path | None, key: str) -> SelfLearningResult | None:
    """A finished run's checkpoint, if `folder` holds one made under `key`."""
    if folder is None or not has_checkpoint(folder):
        return None
    tensors, meta = load_checkpoint(folder)
    if meta.get("key") != key:
        return None
    return SelfLearningResult(tensors["xw"], tensors["zw"], tensors["src_idx"], tensors["trg_idx"],
                              meta["iterations"], meta["objective"])


def ensemble_self_learning(x: torch.Tensor, z: torch.Tensor, src_idx: torch.Tensor, trg_idx: torch.Tensor,
                           cfg: SelfLearningConfig, runs: int = 1, run_dir: Path | None = None, key: str = "",
                           keep_within: float | None = None, **kwargs: Any) -> SelfLearningResult:
    """`runs` self-learning loops from the same seed dictionary (RNG seeds `run_seed`), combined.

    The result's dictionary is the pairs every run's final dictionary holds, its iterations the
    runs' total and its objective their mean. With several runs and a `run_dir`, run i is saved to
    run_dir/run<i> under `key` (the caller's hash of everything that made it) and reused from
    there. With `keep_within`, only the runs `kept_runs` keeps are combined. kwargs go to
    `self_learning` (progress, words, ...).
    """
    if runs < 1:
        raise ValueError(f"self-learning runs must be >= 1, got {runs}")
    results = []
    for i in range(runs):
        folder = run_dir / f"run{i}" if run_dir is not None and runs > 1 else None
        saved = _saved_run(folder, key)
        if saved is not None:
            results.append(saved)
            continue
        if runs > 1 and kwargs.get("progress", True):
            print(f"self-learning run {i + 1}/{runs}", flush=True)
        r = self_learning(x, z, src_idx, trg_idx, dataclasses.replace(cfg, seed=run_seed(cfg.seed, runs, i)),
                          **kwargs)
        if folder is not None:
            save_checkpoint(folder, {"xw": r.xw, "zw": r.zw, "src_idx": r.src_idx, "trg_idx": r.trg_idx},
                            {"key": key, "iterations": r.iterations, "objective": r.objective})
        results.append(r)
    if runs == 1:
        return results[0]
    kept = kept_runs(results, keep_within)
    if len(kept) < runs and kwargs.get("progress", True):
        objectives = ", ".join(f"{r.objective:.4f}" for r in results)
        print(f"self-learning: objectives {objectives}; {len(kept)} of {runs} runs within {keep_within} of the best "
              "averaged", flush=True)
    results = kept
    xw, zw = combine([(r.xw, r.zw) for r in results])
    shared = set.intersection(*(set(zip(r.src_idx.tolist(), r.trg_idx.tolist())) for r in results))
    src, trg = (torch.tensor(col, dtype=torch.long) for col in zip(*sorted(shared))) if shared else (
        torch.empty(0, dtype=torch.long), torch.empty(0, dtype=torch.long))
    return SelfLearningResult(xw, zw, src, trg, sum(r.iterations for r in results),
                              sum(r.objective for r in results) / len(results))
