"""A shared body: one LM trained on the text of both languages, one tied table per language.

    A's stream --table A--\\                 /-- @ table A^T -> next A word
                            body (shared)
    B's stream --table B--/                 \\-- @ table B^T -> next B word

Each step takes one BPTT window of each language (each with its own carried state) and sums
the two losses. Nothing else ties the tables: the body reads both languages with one set of
weights, which pulls words that behave alike to the same place (Wada, Iwata & Matsumoto,
ACL 2019). B's rows then retrieve A's rows by CSLS: a lexicon from text alone, with no word
vectors.

Schedules between that paper and the decoder head (SharedConfig):
    start scratch, frozen 0   the paper: body and both tables from random
    start lm, frozen f        LM A's body and table; for the first f of the steps only B's table
                              learns, on B's text, through the body in eval mode (the decoder
                              head with a free table); then everything learns on both texts,
                              what came from LM A at thawed_lr x lr
    start lm, frozen 1        the decoder head with a free table throughout

Checkpoints per epoch (model + optimizer + RNG, Trainer), so a stopped run resumes.
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

from ..config import LMConfig, SharedConfig, identity
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from ..mapping import FreeMapping
from ..models import OneLanguage, SharedLM, build_body, detach_state
from ..runtime import Runtime, deterministic
from .batches import batchify, n_windows, window_at
from .loop import evaluate_loss, lr_at
from .pretrain import TrainedLM, token_streams
from .trainer import OptimConfig, Trainer

ROLES = ("a", "b")  # a = the LM's language (target words), b = the other (source words)


@dataclass
class SharedTrained:
    model: SharedLM
    vocabs: dict[str, Vocab]  # role -> vocabulary (ids = rows of that role's table)
    history: list[dict[str, Any]]
    seconds: float

    def table(self, role: str) -> torch.Tensor:
        """The role's word rows, specials dropped: row i is vocabs[role].words[i]."""
        return self.model.table(role).detach()[self.vocabs[role].n_specials:]


def start_model(cfg: SharedConfig, lm_cfg: LMConfig, vocabs: dict[str, Vocab], lm: TrainedLM | None) -> SharedLM:
    """Random body and tables, or (start lm) LM A's body and its rows for the words LM A has."""
    torch.manual_seed(cfg.train.seed)
    body = build_body(lm_cfg.body)
    tables = {role: FreeMapping(len(vocabs[role]), body.emb_dim) for role in ROLES}
    if cfg.start == "lm":
        if lm is None:
            raise DecoderHeadError("shared.start lm needs LM A")
        body.load_state_dict(lm.model.body.state_dict())
        known = lm.model.mapping.table().detach()
        std = float(known.std())
        with torch.no_grad():
            for role in ROLES:  # new rows drawn at the scale of the LM's rows
                tables[role].weight.normal_(0.0, std)
            rows = [(i, lm.vocab.stoi[w]) for i, w in enumerate(vocabs["a"].itos) if w in lm.vocab.stoi]
            mine, theirs = (torch.tensor(col) for col in zip(*rows))
            tables["a"].weight[mine] = known[theirs]
    return SharedLM(tables, body, cfg.emb_dropout, Vocab.n_specials if cfg.shared_specials else 0)


def train_shared(cfg: SharedConfig, lm_cfg: LMConfig, corpora: tuple[str, str], workdir: Path, ckpt_dir: Path | None,
                 lm: TrainedLM | None = None, resume: bool = True, runtime: Runtime | None = None,
                 on_epoch_end: Callable[[SharedTrained], dict[str, Any]] | None = None) -> SharedTrained:
    """Train the shared-body LM on corpora = (B's corpus, A's corpus). `on_epoch_end` adds its
    numbers (e.g. P@1 on a train dictionary) to each epoch's history row."""
    runtime = runtime or Runtime.local()
    if runtime.distributed:
        raise DecoderHeadError("the shared body trains in one process (a step leaves one table unused)")
    if lm_cfg.body.kind == "hf":
        raise DecoderHeadError("the shared body trains its body; an hf model folder is adopted as it is "
                               "(use lm.body.kind awd_lstm or transformer)")
    streams: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    vocabs: dict[str, Vocab] = {}
    for role, corpus in zip(("b", "a"), corpora):
        vocab, train_ids, valid_ids = token_streams(corpus, workdir / "cache", cfg.valid_fraction, cfg.train.seed,
                                                    cfg.vocab)
        vocabs[role] = vocab
        streams[role] = (batchify(train_ids, cfg.train.batch_size), batchify(valid_ids, 8))
    model = start_model(cfg, lm_cfg, vocabs, lm)
    out = SharedTrained(model, vocabs, [], 0.0)
    hook = None if on_epoch_end is None else (lambda: on_epoch_end(out))
    fingerprint = {"shared": identity(cfg), "body": identity(lm_cfg.body), "corpora": list(corpora),
                   "lm": str(lm.folder.name) if cfg.start == "lm" and lm is not None else None}
    t0 = time.perf_counter()
    deterministic(runtime.device)
    torch.manual_seed(cfg.train.seed)
    model.to(runtime.device)
    try:
        out.history = fit_shared(model, streams, cfg, runtime, ckpt_dir, resume, fingerprint, hook)
    finally:
        model.to("cpu")
    model.eval()
    out.seconds = time.perf_counter() - t0
    return out


def fit_shared(model: SharedLM, streams: dict[str, tuple[torch.Tensor, torch.Tensor]], cfg: SharedConfig,
               runtime: Runtime, ckpt_dir: Path | None, resume: bool, fingerprint: dict[str, Any],
               on_epoch_end: Callable[[], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The loop: per step one window of each language (B alone while frozen), summed losses."""
    tc, device = cfg.train, runtime.device
    streams = {r: (t.to(device), v.to(device)) for r, (t, v) in streams.items()}
    from_lm = [*model.body.parameters(), *model.tables["a"].parameters()]
    scale = cfg.thawed_lr if cfg.start == "lm" else 1.0
    own = [*model.tables["b"].parameters(), *([model.specials] if model.specials is not None else [])]
    groups = [{"params": from_lm, "lr_scale": scale}, {"params": own}]
    trainer = Trainer(model, groups, OptimConfig(tc.lr, (tc.beta1, tc.beta2), tc.weight_decay, tc.clip), runtime,
                      ckpt_dir, {"train_config": asdict(tc), **fingerprint}, saved=model)
    sizes = {r: n_windows(streams[r][0], tc.bptt) for r in ROLES}
    per_epoch = max(sizes.values()) if tc.steps_per_epoch is None else min(max(sizes.values()), tc.steps_per_epoch)
    total = per_epoch * tc.epochs
    thaw = int(cfg.frozen * total)
    history: list[dict[str, Any]] = []
    start_epoch = 0
    meta = trainer.resume() if resume else None
    if meta is not None:
        history, start_epoch = meta["history"], meta["epoch"] + 1

    def keep_frozen() -> None:  # while frozen, what came from LM A gets no update at all
        for p in from_lm:
            p.grad = None

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]:.3f}"), TimeRemainingColumn()]
    log_every = max(1, per_epoch // 4)
    with Progress(*columns, transient=False, disable=not runtime.is_main) as progress:
        task = progress.add_task("shared body", total=total, completed=start_epoch * per_epoch, loss=float("nan"))
        for epoch in range(start_epoch, tc.epochs):
            t0, tokens = time.perf_counter(), 0
            sums = {r: 0.0 for r in ROLES}
            counts = {r: 0 for r in ROLES}
            states: dict[str, Any] = {r: None for r in ROLES}
            for i in range(per_epoch):
                step = epoch * per_epoch + i
                frozen = step < thaw
                model.train()
                if frozen:
                    model.body.eval()  # the decoder head reads a dropout-free body
                loss = torch.zeros((), device=device)
                for role in (("b",) if frozen else ROLES):
                    j = step % sizes[role]
                    if j == 0:
                        states[role] = None  # the stream wrapped around: start fresh
                    x, y = window_at(streams[role][0], tc.bptt, j)
                    logits, states[role] = trainer.forward(x, role, states[role])
                    states[role] = detach_state(states[role])
                    part = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), y.reshape(-1))
                    loss = loss + part
                    sums[role] += part.item()
                    counts[role] += 1
                    tokens += y.numel()
                trainer.step(loss, lr_at(tc, step, total), after_backward=keep_frozen if frozen else None)
                progress.update(task, advance=1, loss=loss.item())
                if runtime.is_main and not progress.console.is_terminal and (i + 1) % log_every == 0:
                    print(f"shared body epoch {epoch + 1}/{tc.epochs} step {i + 1}/{per_epoch} loss {loss.item():.3f}"
                          + (" (body frozen)" if frozen else ""), flush=True)
            seconds = time.perf_counter() - t0
            row: dict[str, Any] = {"epoch": epoch, "steps": (epoch + 1) * per_epoch, "seconds": seconds,
                                   "tokens_per_s": tokens / seconds, "frozen_steps": max(0, min(thaw - epoch * per_epoch,
                                                                                                per_epoch))}
            for role in ROLES:
                val = evaluate_loss(OneLanguage(model, role), streams[role][1], tc.bptt, tc.valid_windows, runtime)
                row[f"train_loss_{role}"] = sums[role] / counts[role] if counts[role] else float("nan")
                row[f"val_loss_{role}"] = val
                row[f"val_ppl_{role}"] = math.exp(min(val, 50.0))
            if on_epoch_end is not None:  # hooks work on the CPU, in eval mode (evaluate_loss left it there)
                model.to("cpu")
                row.update(on_epoch_end())
                model.to(device)
            history.append(row)
            if runtime.is_main:
                progress.console.print(escape(f"shared body epoch {epoch + 1}/{tc.epochs}: val ppl B "
                                              f"{row['val_ppl_b']:.1f} A {row['val_ppl_a']:.1f}"))
            trainer.save({"epoch": epoch, "history": history})
    return history
