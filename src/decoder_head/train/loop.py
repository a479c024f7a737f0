"""One training loop for every stage: LM pre-training and re-learning through a frozen body.

The loop only sees a LanguageModel, the parameters to train and the module whose state is
checkpointed; it never asks which mapping or body it holds. Per epoch: train windows
(state carried, detached), validation loss, a checkpoint (model + optimizer + RNG), so an
interrupted run resumes from its last finished epoch with the same numbers.

The step itself, checkpoints and resume are the Trainer's (train.trainer), shared with the
seq2seq translator. Under torchrun (Runtime.distributed) each rank trains on its rows of the
global batch (Runtime.shard) and DDP averages the gradients, so N processes take the steps
one process takes with the same global batch.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..models import LanguageModel, detach_state
from ..runtime import Runtime, deterministic, on_device
from .batches import n_windows, window_at, windows
from .trainer import OptimConfig, Trainer


@dataclass(frozen=True)
class TrainConfig:
    """How to optimise; the same dataclass serves pre-training and re-learning."""

    epochs: int = 1
    batch_size: int = 32
    bptt: int = 70
    lr: float = 3e-3
    schedule: str = "onecycle"  # "onecycle" (linear warm-up, cosine down) | "cosine" | "constant"
    warmup: float = 0.1  # fraction of all steps spent warming up (onecycle)
    clip: float = 0.25  # gradient-norm clipping
    weight_decay: float = 0.0
    beta1: float = 0.8  # Adam momentum as in the original fastai recipe
    beta2: float = 0.99
    steps_per_epoch: int | None = None  # cap an epoch; the next epoch continues the stream
    valid_windows: int | None = 50  # windows of the validation stream scored per epoch
    seed: int = 0
    # Curriculum, frequent words first: only the mapping rows of the `curriculum_start` most
    # frequent words learn at first; the active set grows linearly to the whole vocabulary
    # over the first `curriculum` fraction of the steps (0 = off). Ids are frequency ranks.
    curriculum: float = 0.0
    curriculum_start: int = 200

    def __post_init__(self) -> None:
        if self.schedule not in ("onecycle", "cosine", "constant"):
            raise ValueError(f"unknown schedule {self.schedule!r}")
        if self.epochs < 1 or self.batch_size < 1 or self.bptt < 2 or self.lr <= 0:
            raise ValueError("epochs, batch_size, bptt and lr must be positive (bptt >= 2)")
        if not 0.0 <= self.curriculum <= 1.0 or self.curriculum_start < 1:
            raise ValueError("curriculum must be in [0, 1] and curriculum_start >= 1")


def lr_at(cfg: TrainConfig, step: int, total: int) -> float:
    """Learning rate as a pure function of the step, so resuming needs no scheduler state."""
    if cfg.schedule == "constant":
        return cfg.lr
    warm = int(cfg.warmup * total) if cfg.schedule == "onecycle" else 0
    if step < warm:
        return cfg.lr * (0.1 + 0.9 * step / warm)
    frac = (step - warm) / max(1, total - warm)
    return cfg.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))


def curriculum_rows(cfg: TrainConfig, progress: float, vocab_size: int) -> int:
    """How many of the most frequent words' rows train at `progress` (0..1) of the run."""
    if cfg.curriculum <= 0:
        return vocab_size
    grown = min(1.0, progress / cfg.curriculum)
    return min(vocab_size, int(cfg.curriculum_start + grown * (vocab_size - cfg.curriculum_start)))


def freeze_rows_beyond(mapping: torch.nn.Module, active: int) -> None:
    """Zero the gradient of every per-word parameter row >= active (rows are frequency ranks)."""
    vocab_size = getattr(mapping, "vocab_size", None)
    if vocab_size is None or active >= vocab_size:
        return
    for p in mapping.parameters():
        if p.grad is not None and p.dim() >= 1 and p.size(0) == vocab_size:
            p.grad[active:] = 0


@torch.no_grad()
def evaluate_loss(model: LanguageModel, batched: torch.Tensor, bptt: int, max_windows: int | None,
                  runtime: Runtime | None = None) -> float:
    """Mean cross-entropy (nats/token) over the first windows of a batched stream."""
    runtime = runtime or Runtime.local()
    model.eval()
    total, count, state = 0.0, 0, None
    with on_device(runtime.device, model, batched) as (batched,):
        for i, (x, y) in enumerate(windows(batched, bptt)):
            if max_windows is not None and i >= max_windows:
                break
            with runtime.autocast_context():
                logits, state = model(x, state)
            total += F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1),
                                     reduction="sum").item()
            count += y.numel()
    return total / max(1, count)


def fit(
    model: LanguageModel,
    train: torch.Tensor,
    valid: torch.Tensor,
    cfg: TrainConfig,
    saved: torch.nn.Module,
    ckpt_dir: str | Path | None = None,
    resume: bool = False,
    desc: str = "training",
    on_epoch_end: Callable[[int], dict[str, Any]] | None = None,
    fingerprint: dict[str, Any] | None = None,
    runtime: Runtime | None = None,
) -> list[dict[str, Any]]:
    """Train the parameters of `model` that require grad; checkpoint `saved` per epoch.

    train/valid: batched streams (B, N) from batches.batchify. Returns the history: one
    dict per epoch (train_loss, val_loss, val_ppl, tokens_per_s, seconds, and whatever
    on_epoch_end adds, e.g. recovery hit@1). `fingerprint` (the stage's whole config) is
    stored with each checkpoint; a checkpoint made under another config is not resumed.
    """
    # The CPU backward of an embedding lookup accumulates in a thread-dependent order;
    # deterministic kernels make "same seed, same numbers" hold.
    runtime = runtime or Runtime.local()
    deterministic(runtime.device)
    torch.manual_seed(cfg.seed + runtime.rank)  # ranks draw their own dropout masks
    with on_device(runtime.device, model, runtime.shard(train), valid) as (train, valid):
        return _fit_here(model, train, valid, cfg, saved, runtime, ckpt_dir, resume, desc, on_epoch_end,
                         fingerprint)


def _fit_here(model: LanguageModel, train: torch.Tensor, valid: torch.Tensor, cfg: TrainConfig,
              saved: torch.nn.Module, runtime: Runtime, ckpt_dir: str | Path | None, resume: bool,
              desc: str, on_epoch_end: Callable[[int], dict[str, Any]] | None,
              fingerprint: dict[str, Any] | None) -> list[dict[str, Any]]:
    """fit's body, with the model and this rank's streams already on the runtime's device."""
    device = runtime.device
    params = [p for p in model.parameters() if p.requires_grad]
    trainer = Trainer(model, params, OptimConfig(cfg.lr, (cfg.beta1, cfg.beta2), cfg.weight_decay, cfg.clip),
                      runtime, ckpt_dir, {"train_config": asdict(cfg), **(fingerprint or {})}, saved=saved)
    n_all = n_windows(train, cfg.bptt)
    per_epoch = n_all if cfg.steps_per_epoch is None else min(n_all, cfg.steps_per_epoch)
    total = per_epoch * cfg.epochs
    history: list[dict[str, Any]] = []
    start_epoch = 0
    meta = trainer.resume() if resume else None
    if meta is not None:
        history, start_epoch = meta["history"], meta["epoch"] + 1
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]:.3f}"), TimeRemainingColumn()]
    log_every = max(1, per_epoch // 4)
    with Progress(*columns, transient=False, disable=not runtime.is_main) as progress:
        # a resumed run shows its last epoch's train loss until a step runs (a finished one never runs one)
        last = history[-1]["train_loss"] if history else float("nan")
        task = progress.add_task(escape(desc), total=total, completed=start_epoch * per_epoch, loss=last)
        for epoch in range(start_epoch, cfg.epochs):
            model.train()
            t0, tokens, loss_sum, state = time.perf_counter(), 0, 0.0, None
            offset = (epoch * per_epoch) % n_all
            for i in range(per_epoch):
                j = (offset + i) % n_all
                if j == 0:
                    state = None  # the stream wrapped around: start fresh
                x, y = window_at(train, cfg.bptt, j)
                step = epoch * per_epoch + i
                model.mapping.set_progress(step / total)  # e.g. Gumbel-Sinkhorn's temperature schedule
                logits, state = trainer.forward(x, state)
                state = detach_state(state)
                loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1))
                active = curriculum_rows(cfg, step / total, model.mapping.vocab_size)
                trainer.step(loss + model.mapping.penalty(), lr_at(cfg, step, total),
                             after_backward=lambda: freeze_rows_beyond(model.mapping, active))
                loss_sum += loss.item()
                tokens += y.numel()
                progress.update(task, advance=1, loss=loss.item())
                if runtime.is_main and not progress.console.is_terminal and (i + 1) % log_every == 0:
                    # a log file gets plain lines
                    print(f"{desc} epoch {epoch + 1}/{cfg.epochs} step {i + 1}/{per_epoch} loss {loss.item():.3f}",
                          flush=True)
            seconds = time.perf_counter() - t0
            # Every rank scores the whole validation stream: the same number everywhere.
            val_loss = evaluate_loss(model, valid, cfg.bptt, cfg.valid_windows, runtime)
            loss_sum = float(runtime.all_sum(torch.tensor(loss_sum, dtype=torch.float64))) / runtime.world_size
            row: dict[str, Any] = {
                "epoch": epoch, "steps": (epoch + 1) * per_epoch, "train_loss": loss_sum / per_epoch,
                "val_loss": val_loss, "val_ppl": math.exp(min(val_loss, 50.0)),
                "tokens_per_s": tokens * runtime.world_size / seconds, "seconds": seconds,
            }
            if on_epoch_end is not None:  # hooks (recovery hit@1, ...) work on the CPU
                model.to("cpu")
                row.update(on_epoch_end(epoch))
                model.to(device)
            history.append(row)
            if runtime.is_main:
                progress.console.print(escape(
                    f"{desc} epoch {epoch + 1}/{cfg.epochs}: train {row['train_loss']:.3f} "
                    f"val ppl {row['val_ppl']:.1f}" + "".join(
                        f" {k} {v:.3f}" for k, v in row.items() if k.startswith("hit"))
                ))
            trainer.save({"epoch": epoch, "history": history})
    return history
