"""Train a translator for a fixed budget (CPU minutes or steps), with periodic checkpoints.

Reuses the LM training pieces: the learning-rate curve (`train.loop.lr_at`, driven here by
the fraction of the budget spent, since a time budget has no known step count), and the one
Trainer (`train.trainer`: Adam, clipping, checkpoints with RNG state, resume by config). Every `eval_every` steps: validation loss and a resumable
checkpoint (model, optimizer, RNG, position in the epoch, budget spent). The teacher-forcing
ratio of the GRUs decays linearly from `teacher_forcing_start` to `_end` over the budget.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ..files import write_json
from ..train.loop import TrainConfig, lr_at
from ..train.trainer import OptimConfig, Trainer
from .config import Seq2SeqConfig, Seq2SeqTrainConfig
from .data import PAD_TARGET, ParallelData, build_parallel, make_batch, sortish_batches
from .models import Seq2Seq, build_model, init_embedding
from .translator import load_model_tensors, model_tensors, save_translator

_RESOLUTION = 10_000  # lr_at takes integer steps: the budget fraction in 1/10000ths


class Budget:
    """Fraction of the training budget spent: the larger of steps/max_steps and
    seconds/max_seconds. Only optimisation steps count (not validation or checkpoints);
    both clocks are kept, the configured one (process CPU or wall) decides."""

    def __init__(self, cfg: Seq2SeqTrainConfig, spent: dict[str, float] | None = None) -> None:
        self.cfg = cfg
        self.spent = dict(spent or {"cpu": 0.0, "wall": 0.0})
        self._since: dict[str, float] | None = None

    @staticmethod
    def _now() -> dict[str, float]:
        return {"cpu": time.process_time(), "wall": time.perf_counter()}

    def resume(self) -> None:
        self._since = self._now()

    def pause(self) -> None:
        if self._since is not None:
            now = self._now()
            for k in self.spent:
                self.spent[k] += now[k] - self._since[k]
            self._since = None

    def fraction(self, step: int) -> float:
        parts = []
        if self.cfg.max_steps is not None:
            parts.append(step / self.cfg.max_steps)
        if self.cfg.max_minutes is not None:
            parts.append(self.spent[self.cfg.budget_clock] / (60 * self.cfg.max_minutes))
        return max(parts)


def sequence_loss(logits: torch.Tensor, target: torch.Tensor, label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean cross-entropy over real target tokens: logits (B, T, V), target (B, T) with -100 pads."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1),
                           ignore_index=PAD_TARGET, label_smoothing=label_smoothing)


@torch.no_grad()
def validation_loss(model: Seq2Seq, data: ParallelData, n_pairs: int, batch_size: int) -> float | None:
    """Teacher-forced loss (nats/token) on the first n_pairs validation pairs (cut like training)."""
    pairs = data.valid[:n_pairs]
    if not pairs:
        return None
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(pairs), batch_size):
        b = make_batch(pairs[start : start + batch_size], data.src_vocab, data.trg_vocab,
                       data.max_src_len, data.max_trg_len)
        logits = model(b.src, b.src_len, b.trg_in)
        total += sequence_loss(logits, b.trg_out).item() * b.n_tokens
        count += b.n_tokens
    return total / count


def _fingerprint(cfg: Seq2SeqConfig) -> Any:
    return json.loads(json.dumps({k: v for k, v in asdict(cfg).items() if k != "name"}))


def train_seq2seq(cfg: Seq2SeqConfig, folder: str | Path, resume: bool = True,
                  progress: bool | None = None) -> dict[str, Any]:
    """Train the model `cfg` describes into `folder`; returns the final meta (also in final/)."""
    folder = Path(folder)
    tc = cfg.train
    wall0 = time.perf_counter()
    data = build_parallel(cfg.data)
    torch.use_deterministic_algorithms(True)  # same seed + same step budget -> same numbers
    if tc.threads is not None:
        torch.set_num_threads(tc.threads)
    torch.manual_seed(tc.seed)
    model = build_model(cfg.model, len(data.src_vocab), len(data.trg_vocab))
    init = {}
    for side, spec, emb, vocab in (("src", cfg.model.src_init, model.src_emb, data.src_vocab),
                                   ("trg", cfg.model.trg_init, model.trg_emb, data.trg_vocab)):
        if spec:
            init[side] = init_embedding(emb, vocab, spec, cfg.model.freeze_init)
    write_json(folder / "config.json", asdict(cfg))
    data.src_vocab.save(folder / "src_vocab.json")
    data.trg_vocab.save(folder / "trg_vocab.json")
    params = [p for p in model.parameters() if p.requires_grad]
    trainer = Trainer(model, params, OptimConfig(tc.lr, weight_decay=tc.weight_decay, clip=tc.clip),
                      ckpt_dir=folder / "checkpoint", fingerprint=_fingerprint(cfg),
                      state_fn=model_tensors, load_fn=load_model_tensors)
    schedule = TrainConfig(lr=tc.lr, schedule=tc.schedule, warmup=tc.warmup)
    step, epoch, position, history, spent = 0, 0, 0, [], None
    meta = trainer.resume() if resume else None
    if meta is not None:
        step, epoch, position = meta["step"], meta["epoch"], meta["position"]
        history, spent = meta["history"], meta["spent"]
    budget = Budget(tc, spent)

    def checkpoint() -> None:
        trainer.save({"step": step, "epoch": epoch, "position": position, "history": history,
                      "spent": budget.spent})

    def record(train_loss: float) -> None:
        val = validation_loss(model, data, tc.valid_pairs, tc.batch_size)
        history.append({"step": step, "epoch": epoch, "train_loss": train_loss, "val_loss": val,
                        "val_ppl": math.exp(min(val, 50.0)) if val is not None else None,
                        "cpu_seconds": budget.spent["cpu"], "wall_seconds": budget.spent["wall"]})

    show = progress if progress is not None else bool(os.isatty(2))
    columns = [TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}% step {task.fields[step]}"),
               TextColumn("loss {task.fields[loss]:.3f}"), TimeElapsedColumn()]
    run_loss, run_n = 0.0, 0
    with Progress(*columns, disable=not show) as bar:
        task = bar.add_task(escape(f"seq2seq {cfg.model.kind}"), total=_RESOLUTION, step=step, loss=float("nan"))
        finished = budget.fraction(step) >= 1.0
        while not finished:
            lengths = [len(p.src) for p in data.train]
            batches = sortish_batches(len(data.train), lengths, tc.batch_size, tc.seed * 100_003 + epoch)
            while position < len(batches):
                frac = budget.fraction(step)
                if frac >= 1.0:
                    finished = True
                    break
                budget.resume()
                model.train()
                forcing = tc.teacher_forcing_start + (tc.teacher_forcing_end - tc.teacher_forcing_start) * frac
                b = make_batch([data.train[i] for i in batches[position]], data.src_vocab, data.trg_vocab,
                               data.max_src_len, data.max_trg_len)
                loss = sequence_loss(trainer.forward(b.src, b.src_len, b.trg_in, forcing), b.trg_out,
                                     tc.label_smoothing)
                trainer.step(loss, lr_at(schedule, int(frac * _RESOLUTION), _RESOLUTION))
                budget.pause()
                step, position = step + 1, position + 1
                run_loss, run_n = run_loss + loss.item(), run_n + 1
                bar.update(task, completed=min(budget.fraction(step), 1.0) * _RESOLUTION, step=step, loss=loss.item())
                if step % tc.eval_every == 0:
                    record(run_loss / run_n)
                    run_loss, run_n = 0.0, 0
                    checkpoint()
            else:
                epoch, position = epoch + 1, 0
    if run_n or not history:
        record(run_loss / run_n if run_n else float("nan"))
    checkpoint()
    meta = {
        "max_src_len": data.max_src_len, "max_trg_len": data.max_trg_len, "steps": step,
        "epochs": step * tc.batch_size / max(1, len(data.train)),
        "budget": {"clock": tc.budget_clock, "max_minutes": tc.max_minutes, "max_steps": tc.max_steps},
        "train_seconds": budget.spent[tc.budget_clock], "train_cpu_seconds": budget.spent["cpu"],
        "train_wall_seconds": budget.spent["wall"], "wall_seconds": time.perf_counter() - wall0,
        "val_loss": history[-1]["val_loss"], "history": history, "data": data.stats, "init": init,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    save_translator(folder, model, meta)
    return meta
