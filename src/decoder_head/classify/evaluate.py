"""Score a classifier on verses through any Lexical: accuracy, macro-F1, F1 per book group.

A frozen body gives each verse the same pooled states whatever head sits on top, so a
`FeatureCache` computes them once per (table, verses) and every seed's head and every
evaluation reuses them: the body pass is the only costly part of a frozen-body run.
"""

from __future__ import annotations

import hashlib
from typing import Any, Sequence

import torch
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sklearn.metrics import f1_score

from .data import Lexical, Verse, embed, labels_of, length_batches
from .head import Classifier
from .labels import LABELS


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    transient=False)


@torch.no_grad()
def pooled(model: Classifier, lexical: Lexical, verses: Sequence[Verse], max_len: int, batch_size: int = 128,
           desc: str = "body") -> torch.Tensor:
    """(N, 3d) concat-pooled body states of the verses, in their order."""
    was_training = model.training
    model.eval()
    out = torch.empty(len(verses), 3 * lexical.dim)
    batches = list(length_batches(verses, batch_size))
    with progress_bar() as progress:
        task = progress.add_task(escape(f"{desc} [{lexical.name}]"), total=len(batches))
        for idx in batches:
            emb, lengths = embed(lexical, [verses[i] for i in idx], max_len)
            out[idx] = model.features(emb, lengths)
            progress.update(task, advance=1)
    model.train(was_training)
    return out


class FeatureCache:
    """Pooled states of one frozen body, keyed by the table and the verses. Hand a cache to
    one body only: the key does not see the body's weights."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], torch.Tensor] = {}

    @staticmethod
    def key(lexical: Lexical, verses: Sequence[Verse], max_len: int) -> tuple[str, str]:
        """What the body reads: the row ids of every verse and the rows (two lookups into one
        table differ in their ids, two tables under one vocabulary in their rows)."""
        ids = hashlib.sha1(" ".join(",".join(map(str, lexical.encode(v.tokens, max_len))) for v in verses).encode())
        table = hashlib.sha1(lexical.table.detach().contiguous().numpy().tobytes())
        return ids.hexdigest(), table.hexdigest()

    def pooled(self, model: Classifier, lexical: Lexical, verses: Sequence[Verse], max_len: int,
               desc: str = "body") -> torch.Tensor:
        key = self.key(lexical, verses, max_len)
        if key not in self._items:
            self._items[key] = pooled(model, lexical, verses, max_len, desc=desc)
        return self._items[key]


@torch.no_grad()
def predict(model: Classifier, features: torch.Tensor) -> torch.Tensor:
    """Pooled features (N, 3d) -> predicted group (N,), head in eval mode."""
    was_training = model.training
    model.eval()
    pred = torch.cat([model.head(features[i : i + 1024]).argmax(-1) for i in range(0, len(features), 1024)])
    model.train(was_training)
    return pred


def scores(gold: torch.Tensor, pred: torch.Tensor) -> dict[str, Any]:
    """Accuracy, and macro-F1 over the groups in the gold labels or the predictions (sklearn's
    rule: a group never predicted scores F1 0; a corpus without Revelation is not marked down for it)."""
    labels = sorted(set(gold.tolist()) | set(pred.tolist()))
    per_group = f1_score(gold.numpy(), pred.numpy(), labels=labels, average=None, zero_division=0)
    return {"n": int(gold.numel()), "accuracy": float((gold == pred).float().mean()),
            "macro_f1": float(f1_score(gold.numpy(), pred.numpy(), labels=labels, average="macro", zero_division=0)),
            "f1": {LABELS[i]: float(f) for i, f in zip(labels, per_group)}}


def evaluate(model: Classifier, lexical: Lexical, verses: Sequence[Verse], max_len: int,
             cache: FeatureCache | None = None) -> dict[str, Any]:
    """Scores of the classifier on verses entering its body through `lexical` (+ that table's <unk> rate)."""
    features = (cache.pooled(model, lexical, verses, max_len, desc="score") if cache is not None
                else pooled(model, lexical, verses, max_len, desc="score"))
    return {"lexical": lexical.name, **scores(labels_of(verses), predict(model, features)),
            "unk_rate": lexical.unk_rate(verses, max_len)}
