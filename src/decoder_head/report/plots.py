"""Plots for a run folder (PNG, written atomically, Agg backend: no screen needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..files import atomic_path  # noqa: E402


def _save(fig: Any, path: Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_hits_by_rank(recover: dict[str, Any], path: Path) -> None:
    """Grouped bars: hit@1/5/10 per frequency-rank bucket."""
    buckets = list(recover["hit_at_1_by_rank"])
    fig, ax = plt.subplots(figsize=(6, 3.5))
    width = 0.27
    for i, k in enumerate((1, 5, 10)):
        vals = [recover[f"hit_at_{k}_by_rank"].get(b, 0.0) for b in buckets]
        ax.bar([x + (i - 1) * width for x in range(len(buckets))], vals, width, label=f"hit@{k}")
    ax.set_xticks(range(len(buckets)), buckets)
    ax.set_xlabel("frequency rank of the word")
    ax.set_ylabel("hit rate")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Recovery [{recover['method']}]")
    ax.legend()
    _save(fig, path)


def plot_training_curves(metrics: dict[str, Any], path: Path) -> None:
    """Validation loss per epoch for each stage, and recovery hit@1 (top-1000) per epoch."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    for stage in ("lm", "recover", "induce"):
        hist = (metrics.get(stage) or {}).get("history", [])
        if hist:
            left.plot([h["steps"] for h in hist], [h["val_loss"] for h in hist], marker="o", label=stage)
    left.set_xlabel("steps (an EM round counts its forward windows)")
    left.set_ylabel("validation loss (nats/token)")
    left.legend()
    hist = (metrics.get("recover") or {}).get("history", [])
    right.plot([h["steps"] for h in hist], [h.get("hit_at_1_top1000", 0.0) for h in hist], marker="o")
    right.set_xlabel("steps (an EM round counts its forward windows)")
    right.set_ylabel("recovery hit@1, top-1000")
    right.set_ylim(0, 1.02)
    _save(fig, path)


def plot_recovery_methods(rows: list[dict[str, Any]], path: Path) -> None:
    """hit@1 per frequency-rank bucket, one line per mapping or `label` (mean over seeds, min-max band)."""
    by_method: dict[str, list[dict[str, float]]] = {}
    for r in rows:
        if r.get("hit_at_1_by_rank"):
            by_method.setdefault(r.get("label", r["mapping"]), []).append(r["hit_at_1_by_rank"])
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, runs in by_method.items():
        buckets = list(runs[0])
        vals = [[run.get(b, float("nan")) for b in buckets] for run in runs]
        cols = list(zip(*vals))
        mean = [sum(c) / len(c) for c in cols]
        xs = range(len(buckets))
        ax.plot(xs, mean, marker="o", label=f"{name} (n={len(runs)})")
        ax.fill_between(xs, [min(c) for c in cols], [max(c) for c in cols], alpha=0.15)
        ax.set_xticks(xs, buckets)
    ax.set_xlabel("frequency rank of the word")
    ax.set_ylabel("hit@1")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Recovery: re-learned mapping vs. the wiped one, by parametrisation")
    ax.legend(fontsize=8)
    _save(fig, path)


def plot_bli_by_band(blocks: dict[str, dict], path: Path) -> None:
    """P@1 (solid) and P@10 (light, hatched) per frequency band, one bar pair per label; empty bands left blank."""
    labels = list(blocks)
    bands = list(dict.fromkeys(b for by_band in blocks.values() for b in by_band))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.5 + len(bands) * (0.6 + 0.5 * len(labels))), 3.8))
    width = 0.8 / max(1, len(labels))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, label in enumerate(labels):
        xs = [x - 0.4 + (i + 0.5) * width for x in range(len(bands))]
        color = colors[i % len(colors)]
        for key, style in (("p_at_10", {"alpha": 0.3, "hatch": "//", "edgecolor": color, "linewidth": 0}),
                           ("p_at_1", {"alpha": 1.0})):
            vals = [blocks[label].get(b, {}).get(key) for b in bands]
            ax.bar(xs, [float("nan") if v is None else v for v in vals], width * 0.9, color=color,
                   label=f"{label} P@{key[5:]}", **style)
    ns = [max((blocks[lab].get(b, {}).get("n") or 0) for lab in labels) for b in bands]
    for x, b in enumerate(bands):
        if all(blocks[lab].get(b, {}).get("p_at_1") is None for lab in labels):
            ax.text(x, 2, "no words", ha="center", va="bottom", color="grey", fontsize=9)
    ax.set_xticks(range(len(bands)), [f"{b}\n(n={n})" for b, n in zip(bands, ns)])
    ax.set_xlabel("frequency rank of the source word")
    ax.set_ylabel("precision (%)")
    ax.set_xlim(-0.5, len(bands) - 0.5)
    ax.set_ylim(0, 100)
    ax.set_title("Induction by frequency band: P@1 (solid), P@10 (light)")
    ax.legend(fontsize=8, ncol=max(1, len(labels)), loc="upper right")
    _save(fig, path)
