"""Wipe the word<->embedding mapping and re-learn it through the frozen body.

    corpus B --vocab B--> ids --[new mapping: learnable]--> emb --[frozen body of LM A]--> out
    logits = out @ new_table^T ; loss = next-word cross-entropy (+ the mapping's penalty)

Recovery: B = A (same corpus, same vocabulary), the truth is the identity.
Induction: B is another language; mixture mappings make each B word a mixture of A's
frozen rows, `free` learns B's rows from scratch in A's space.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from ..config import RelearnConfig, identity
from ..data.vocab import Vocab
from ..mapping import Mapping, build_mapping
from ..mapping.init import anchor_digest, seed_logits, seed_pairs
from ..models import LanguageModel
from ..runtime import Runtime
from .batches import batchify
from .loop import evaluate_loss, fit
from .em import em_round
from .pretrain import TrainedLM, frozen_body, token_streams


@dataclass
class Relearned:
    mapping: Mapping
    model: LanguageModel  # new mapping + frozen body
    vocab: Vocab
    history: list[dict[str, Any]]
    seconds: float


def rank_prior(n_src: int, n_trg: int, n_specials: int, scale: float) -> torch.Tensor:
    """(n_src, n_trg) logits favouring rows of similar frequency rank: -scale * |log r_s - log r_t|.

    Both vocabularies are sorted by frequency, so the id is the rank; specials face specials.
    """
    rs = torch.log1p(torch.arange(n_src, dtype=torch.float32)).unsqueeze(1)
    rt = torch.log1p(torch.arange(n_trg, dtype=torch.float32)).unsqueeze(0)
    prior = -scale * (rs - rt).abs()
    prior[:n_specials, :] = -scale * 10
    prior[:, :n_specials] = -scale * 10
    prior[:n_specials, :n_specials] = torch.where(
        torch.eye(n_specials, dtype=torch.bool), 0.0, -scale * 10)
    return prior


def new_mapping(cfg: RelearnConfig, lm: TrainedLM, vocab: Vocab, seed: int) -> Mapping:
    target = lm.model.mapping.table().detach()
    dim = target.size(1)
    kwargs: dict[str, Any] = dict(cfg.mapping_args)
    torch.manual_seed(seed)
    if cfg.mapping != "free":
        kwargs["target"] = target
        if cfg.init == "frequency":
            kwargs["init"] = rank_prior(len(vocab), target.size(0), vocab.n_specials, kwargs.pop("prior_scale", 1.0))
        else:
            kwargs.pop("prior_scale", None)
            kwargs["init"] = 0.01 * torch.randn(len(vocab), target.size(0))
        if cfg.anchors is not None:
            rows, cols = seed_pairs(vocab.itos, lm.vocab.itos, cfg.anchors, vocab.n_specials)
            kwargs["init"] = seed_logits(kwargs["init"], rows, cols)
    else:
        kwargs.setdefault("init_std", float(target.std()))
    return build_mapping(cfg.mapping, len(vocab), dim, **kwargs)


def relearn(
    lm: TrainedLM,
    cfg: RelearnConfig,
    workdir: Path,
    ckpt_dir: Path | None,
    vocab: Vocab | None = None,
    resume: bool = True,
    desc: str = "relearn",
    on_epoch_end: Callable[[Relearned], dict[str, Any]] | None = None,
    runtime: Runtime | None = None,
) -> Relearned:
    """Train a fresh mapping for `cfg.corpus` through LM A's frozen body."""
    vocab, train_ids, valid_ids = token_streams(cfg.corpus, workdir / "cache", 0.02, cfg.train.seed, cfg.vocab,
                                                vocab, cfg.stream)
    mapping = new_mapping(cfg, lm, vocab, cfg.train.seed)
    model = LanguageModel(mapping, frozen_body(lm.model), emb_dropout=0.0)
    train = batchify(train_ids, cfg.train.batch_size)
    valid = batchify(valid_ids, 8)
    out = Relearned(mapping, model, vocab, [], 0.0)
    hook = None if on_epoch_end is None else (lambda _epoch: on_epoch_end(out))
    t0 = time.perf_counter()
    out.history = fit(model, train, valid, cfg.train, saved=mapping, ckpt_dir=ckpt_dir,
                      resume=resume, desc=desc, on_epoch_end=hook,
                      fingerprint={"relearn": identity(cfg), **anchor_digest(cfg.anchors)}, runtime=runtime)
    steps = out.history[-1]["steps"]
    best = evaluate_loss(model, valid, cfg.train.bptt, cfg.train.valid_windows, runtime)
    for r in range(cfg.em_rounds):
        before = {k: v.clone() for k, v in mapping.state_dict().items()}
        row = {"stage": "em", "round": r, **em_round(model, train, cfg.train.bptt, cfg.em_tokens, runtime)}
        steps += row["windows"]
        row.update(steps=steps, val_loss=evaluate_loss(model, valid, cfg.train.bptt, cfg.train.valid_windows,
                                                       runtime))
        # Unsupervised model selection: a round is kept only if the frozen LM likes the new
        # mapping at least as much on held-out text; otherwise undo it and stop.
        row["accepted"] = row["val_loss"] <= best + 1e-4
        if not row["accepted"]:
            mapping.load_state_dict(before)
        else:
            best = row["val_loss"]
        if on_epoch_end is not None:
            row.update(on_epoch_end(out))
        if runtime is None or runtime.is_main:
            print(f"{desc} EM round {r + 1}/{cfg.em_rounds}: {row['changed']} words moved, val loss "
                  f"{row['val_loss']:.3f} ({'kept' if row['accepted'] else 'undone: worse than before'})")
        out.history.append(row)
        if not row["accepted"] or row["changed"] == 0:
            break
    out.seconds = time.perf_counter() - t0
    model.eval()
    return out

