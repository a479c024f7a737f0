"""Train a classifier head on an LM folder's body: frozen, or gradually unfrozen (ULMFiT).

    LM folder --load_encoder--> body (frozen copy) + English Lexical (vocab, tied table)
    verses --split--> train | valid | test
    frozen body:  pooled states computed once (FeatureCache) -> only the head trains, per epoch
    unfreeze=k:   epoch e trains the head and the top min(k, e // unfreeze_every) layer groups,
                  group j below the head at lr / lr_decay**j (discriminative rates)

The word table is never trained: it is the interface a swapped table (the decoder head's
Spanish rows, a lexicon lookup) has to match. Per epoch: validation macro-F1 (the best epoch
is kept: model selection on English verses only) and a checkpoint (trainable state + optimizer
+ RNG + history), so a killed run resumes with the same numbers. It runs on the CPU: the frozen
path is one body pass and a small MLP (~1 minute for the KJV on one core). The classifier folder:

    config.json   ClassifyConfig          final/   best epoch's head (+ body when unfrozen), meta
    checkpoint/   last finished epoch     eval.json  what classify-eval measured
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from rich.markup import escape
from torch import nn

from ..errors import DecoderHeadError
from ..files import read_json, write_json
from ..seq2seq.data import sortish_batches
from ..train.checkpoint import has_checkpoint, load_checkpoint, load_module_state, save_checkpoint
from ..train.loop import TrainConfig, lr_at
from ..train.trainer import OptimConfig, Trainer
from ..train.pretrain import TrainedLM, frozen_body, load_lm, require_lm_folder
from .config import ClassifyConfig, FitConfig, config_from_dict
from .data import Lexical, Splits, Verse, embed, labels_of, read_labelled, split_verses
from .evaluate import FeatureCache, pooled, predict, progress_bar, scores
from .head import Classifier, PoolingHead
from .labels import LABELS


@dataclass
class Encoder:
    """An LM folder's body and table, loaded without its LM head (fastai's load_encoder)."""

    body: nn.Module  # frozen, dropout-free copy
    lexical: Lexical  # the LM's vocabulary and tied table: how its own language enters the body
    lm: TrainedLM


def load_encoder(lm_folder: str | Path) -> Encoder:
    lm = load_lm(require_lm_folder(lm_folder))
    return Encoder(frozen_body(lm.model), Lexical.from_vocab("lm", lm.vocab, lm.model.mapping.table().detach()), lm)


@dataclass
class TrainedClassifier:
    model: Classifier
    lexical: Lexical  # the table it was trained through
    config: ClassifyConfig
    folder: Path
    meta: dict[str, Any]  # lm, labels, history, best_epoch, valid, train_seconds


def layer_groups(body: nn.Module) -> list[nn.Module]:
    """Groups unfrozen one at a time, bottom to top: the body's `layers` (the AWD-LSTM's LSTMs),
    or the whole body as one group when it has none."""
    layers = getattr(body, "layers", None)
    return list(layers) if isinstance(layers, nn.ModuleList) else [body]


def class_weights(labels: torch.Tensor, balanced: bool) -> torch.Tensor | None:
    """n / (classes * n_c) per group (absent groups weigh 0), or None."""
    if not balanced:
        return None
    counts = torch.bincount(labels, minlength=len(LABELS)).float()
    return torch.where(counts > 0, labels.numel() / (len(LABELS) * counts.clamp(min=1)), torch.zeros(()))


def param_groups(model: Classifier, groups: list[nn.Module], cfg: FitConfig) -> list[dict[str, Any]]:
    """Head at lr; the top `unfreeze` body groups at lr / lr_decay**j (j = 1 for the top one)."""
    out = [{"params": list(model.head.parameters()), "lr_scale": 1.0}]
    for j, group in enumerate(reversed(groups[len(groups) - cfg.unfreeze:] if cfg.unfreeze else []), 1):
        out.append({"params": list(group.parameters()), "lr_scale": cfg.lr_decay ** -j})
    return out


def unfreeze_to(groups: list[nn.Module], n: int) -> None:
    """Gradients on in the top n groups, off below."""
    for i, group in enumerate(groups):
        for p in group.parameters():
            p.requires_grad_(i >= len(groups) - n)


def trainable_state(model: Classifier, cfg: FitConfig) -> dict[str, torch.Tensor]:
    """What a checkpoint holds: the head, and the body only when some of it trains."""
    state = {f"head.{k}": v for k, v in model.head.state_dict().items()}
    if cfg.unfreeze:
        state.update({f"body.{k}": v for k, v in model.body.state_dict().items()})
    return {k: v.detach().clone() for k, v in state.items()}


def load_trainable(model: Classifier, tensors: dict[str, torch.Tensor], prefix: str, where: str) -> None:
    load_module_state(model.head, tensors, f"{prefix}head.", where)
    if any(k.startswith(f"{prefix}body.") for k in tensors):
        load_module_state(model.body, tensors, f"{prefix}body.", where)


def train_classifier(cfg: ClassifyConfig, lm_folder: str | Path, folder: str | Path, cache_dir: str | Path | None,
                     resume: bool = True, cache: FeatureCache | None = None,
                     verses: list[Verse] | None = None) -> TrainedClassifier:
    """Train (or resume, or reuse a finished) classifier in `folder` on the body of `lm_folder`.

    cache: pooled states shared between calls on the same frozen body (the benchmark's seeds).
    verses: the labelled corpus, when the caller has read it already.
    """
    folder = Path(folder)
    encoder = load_encoder(lm_folder)
    fingerprint = json.loads(json.dumps({"config": asdict(cfg), "lm": encoder.lm.folder.name}))
    final = folder / "final"
    if resume and has_checkpoint(final) and load_checkpoint(final)[1].get("fingerprint") == fingerprint:
        return load_classifier(folder)
    if verses is None:
        verses = read_labelled(cfg.task.corpus, None if cache_dir is None else str(cache_dir), cfg.task.sword_dir)
    splits = split_verses(verses, cfg.task)
    torch.manual_seed(cfg.train.seed)
    model = Classifier(encoder.body, PoolingHead(encoder.lexical.dim, len(LABELS), cfg.head.hidden, cfg.head.dropout))
    t0 = time.perf_counter()
    history, best = _fit(model, encoder.lexical, splits, cfg, folder / "checkpoint", resume, fingerprint, cache)
    meta = {"lm": str(lm_folder), "labels": list(LABELS), "history": history, "best_epoch": best["epoch"],
            "valid": best["valid"], "train_seconds": time.perf_counter() - t0, "fingerprint": fingerprint,
            "sizes": {"train": len(splits.train), "valid": len(splits.valid), "test": len(splits.test)}}
    write_json(folder / "config.json", asdict(cfg))
    save_checkpoint(final, {f"model.{k}": v for k, v in best["state"].items()}, meta)
    load_trainable(model, {f"model.{k}": v for k, v in best["state"].items()}, "model.", str(final))
    model.eval()
    return TrainedClassifier(model, encoder.lexical, cfg, folder, meta)


def _fit(model: Classifier, lexical: Lexical, splits: Splits, cfg: ClassifyConfig, ckpt: Path, resume: bool,
         fingerprint: dict[str, Any], cache: FeatureCache | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The epochs; returns the history and the best epoch ({epoch, valid, state})."""
    fit, max_len = cfg.train, cfg.task.max_len
    groups = layer_groups(model.body)
    if fit.unfreeze > len(groups):
        raise DecoderHeadError(f"train.unfreeze={fit.unfreeze}: the body has only {len(groups)} layer group(s)")
    trainer = Trainer(model, param_groups(model, groups, fit),
                      OptimConfig(fit.lr, (0.8, 0.99), fit.weight_decay, fit.clip, decoupled=True),
                      ckpt_dir=ckpt, fingerprint=fingerprint, state_fn=lambda m: trainable_state(m, fit),
                      load_fn=load_trainable)
    y_train, y_valid = labels_of(splits.train), labels_of(splits.valid)
    weights = class_weights(y_train, fit.balanced)
    features = None
    if fit.unfreeze == 0:  # frozen body: its pooled states never change, compute them once
        cache = cache if cache is not None else FeatureCache()
        features = (cache.pooled(model, lexical, splits.train, max_len, desc="train verses"),
                    cache.pooled(model, lexical, splits.valid, max_len, desc="valid verses"))
    n_batches = len(splits.train) // fit.batch_size
    per_epoch = min(n_batches, fit.steps_per_epoch or n_batches)
    if per_epoch < 1:
        raise DecoderHeadError(f"{len(splits.train)} training verses make no batch of "
                               f"train.batch_size={fit.batch_size}")
    history: list[dict[str, Any]] = []
    best: dict[str, Any] = {"epoch": -1, "valid": {"macro_f1": -1.0}, "state": trainable_state(model, fit)}
    start = 0
    meta = trainer.resume() if resume else None
    if meta is not None:
        best = {"epoch": meta["best_epoch"], "valid": meta["best_valid"], "state": trainer.extra}
        history, start = meta["history"], meta["epoch"] + 1
    schedule = TrainConfig(lr=1.0, schedule=fit.schedule, warmup=fit.warmup)  # lr_at gives the factor
    total = per_epoch * fit.epochs
    with progress_bar() as progress:
        task = progress.add_task(escape(f"classify [{cfg.name}]"), total=total, completed=start * per_epoch)
        for epoch in range(start, fit.epochs):
            unfrozen = min(fit.unfreeze, epoch // fit.unfreeze_every)
            unfreeze_to(groups, unfrozen)
            t0 = time.perf_counter()
            loss = _train_epoch(model, lexical, splits.train, y_train, features, weights, trainer, cfg, epoch,
                                per_epoch, lambda step: lr_at(schedule, step, total),
                                lambda: progress.update(task, advance=1))
            valid_x = features[1] if features is not None else pooled(model, lexical, splits.valid, max_len,
                                                                       desc="valid verses")
            valid = scores(y_valid, predict(model, valid_x))
            row = {"epoch": epoch, "steps": (epoch + 1) * per_epoch, "unfrozen_groups": unfrozen, "train_loss": loss,
                   "valid_accuracy": valid["accuracy"], "valid_macro_f1": valid["macro_f1"],
                   "seconds": time.perf_counter() - t0}
            history.append(row)
            if valid["macro_f1"] > best["valid"]["macro_f1"]:
                best = {"epoch": epoch, "valid": valid, "state": trainable_state(model, fit)}
            progress.console.print(escape(
                f"classify [{cfg.name}] epoch {epoch + 1}/{fit.epochs}: train loss {loss:.3f}, valid accuracy "
                f"{valid['accuracy']:.3f} macro-F1 {valid['macro_f1']:.3f} ({unfrozen} body group(s) training)"))
            trainer.save({"epoch": epoch, "history": history, "best_epoch": best["epoch"],
                          "best_valid": best["valid"]}, extra=best["state"])
    return history, best


def _train_epoch(model: Classifier, lexical: Lexical, train: list[Verse], labels: torch.Tensor,
                 features: tuple[torch.Tensor, torch.Tensor] | None, weights: torch.Tensor | None,
                 trainer: Trainer, cfg: ClassifyConfig, epoch: int, steps: int, lr_factor: Any,
                 advance: Any) -> float:
    """One epoch of `steps` batches; the order depends on (seed, epoch) alone, so a resumed
    epoch sees the batches an uninterrupted one would. Returns the mean training loss."""
    fit = cfg.train
    model.train()
    seed = fit.seed * 100003 + epoch
    if features is not None:
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed)).tolist()
        batches = [order[i : i + fit.batch_size] for i in range(0, len(order) - fit.batch_size + 1, fit.batch_size)]
    else:
        lengths = [len(v.tokens) for v in train]
        batches = [b for b in sortish_batches(len(train), lengths, fit.batch_size, seed) if len(b) > 1]
    total = 0.0
    for i, idx in enumerate(batches[:steps]):
        if features is not None:
            logits = model.head(features[0][idx])
        else:
            emb, lengths = embed(lexical, [train[j] for j in idx], cfg.task.max_len)
            logits = model(emb, lengths)
        loss = F.cross_entropy(logits, labels[idx], weight=weights)
        trainer.step(loss, fit.lr * lr_factor(epoch * steps + i))
        total += loss.item()
        advance()
    return total / max(1, min(steps, len(batches)))


def load_classifier(folder: str | Path) -> TrainedClassifier:
    """Rebuild a finished classifier: its config, its LM's body and table, the saved head (+ body)."""
    folder = Path(folder)
    if not (folder / "config.json").is_file() or not has_checkpoint(folder / "final"):
        raise DecoderHeadError(f"{folder}: not a finished classifier (expected config.json and final/); "
                               "`decoder-head classify-train` makes one")
    cfg = config_from_dict(read_json(folder / "config.json"))
    tensors, meta = load_checkpoint(folder / "final")
    if not Path(meta["lm"]).is_dir():
        raise DecoderHeadError(f"{folder}: its LM folder {meta['lm']} (the body under the head) is gone")
    encoder = load_encoder(meta["lm"])
    model = Classifier(encoder.body, PoolingHead(encoder.lexical.dim, len(meta["labels"]), cfg.head.hidden,
                                                 cfg.head.dropout))
    load_trainable(model, tensors, "model.", str(folder / "final"))
    model.eval()
    return TrainedClassifier(model, encoder.lexical, cfg, folder, dict(meta))

