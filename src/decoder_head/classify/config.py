"""Typed configuration of the verse classifier, one frozen dataclass per part.

    ClassifyConfig
      task:  TaskConfig   which verses, the held-out split by verse-id hash, the length cap
      head:  HeadConfig   concat pooling -> small MLP (sizes, dropout)
      train: FitConfig    optimiser, schedule, frozen body or gradual unfreezing

Loaded from an optional YAML file plus `section.key=value` overrides, like seq2seq's config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import from_dict, read_yaml_tree
from ..errors import DecoderHeadError


@dataclass(frozen=True)
class TaskConfig:
    """Verses of a SWORD Bible labelled by book group; valid and test verses chosen by a hash of
    the verse id (seq2seq.data.split_of), so the same ids are held out in every translation."""

    corpus: str = "sword:engKJV2006eb"
    valid_fraction: float = 0.05
    test_fraction: float = 0.10  # ~3,100 verses: ~40 of Revelation, the smallest group
    split_seed: int = 0  # changes which ids are held out; not the training seed
    max_len: int = 120  # words per verse fed to the body (the longest KJV verse has ~90)
    sword_dir: str = "/usr/share/sword"

    def __post_init__(self) -> None:
        if not (0 < self.valid_fraction < 0.5 and 0 < self.test_fraction < 0.5):
            raise ValueError("valid_fraction and test_fraction must be in (0, 0.5)")
        if self.valid_fraction + self.test_fraction >= 0.5:
            raise ValueError("valid_fraction + test_fraction must leave at least half for training")
        if self.max_len < 1:
            raise ValueError("max_len must be >= 1")


@dataclass(frozen=True)
class HeadConfig:
    """ULMFiT's classifier head: [last, max, mean] of the body's states -> hidden -> classes."""

    hidden: int = 200  # ULMFiT's 50 scored lower on KJV validation verses (macro-F1 0.612 vs 0.619)
    dropout: float = 0.3

    def __post_init__(self) -> None:
        if self.hidden < 1 or not 0 <= self.dropout < 1:
            raise ValueError("hidden must be >= 1 and dropout in [0, 1)")


@dataclass(frozen=True)
class FitConfig:
    """How the head (and, when unfrozen, the body) is trained.

    The word table is never trained: it is the interface a swapped (Spanish) table must match.
    unfreeze: body layer groups trained in the end, top first (0 = frozen body: the pooled
        features are computed once and only the head learns, seconds per epoch).
    unfreeze_every: epochs between unfreezing steps (ULMFiT: one more group per epoch).
    lr_decay: discriminative rates, group k below the head trains at lr / lr_decay**k
        (Howard & Ruder 2018, sec. 3.2: 2.6).
    balanced: class weights n / (classes * n_c) in the loss (off: on KJV validation verses it
        lowered macro-F1, 0.643 -> 0.619, trading precision for recall on small groups).
    """

    epochs: int = 30  # frozen body: ~1 s an epoch on cached states
    batch_size: int = 64
    lr: float = 5e-3
    schedule: str = "onecycle"  # as train.loop.lr_at
    warmup: float = 0.1
    weight_decay: float = 0.01
    clip: float = 1.0
    unfreeze: int = 0
    unfreeze_every: int = 1
    lr_decay: float = 2.6
    balanced: bool = False
    steps_per_epoch: int | None = None  # cap an epoch (the next one starts on fresh batches)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 2 or self.lr <= 0:
            raise ValueError("epochs >= 1, batch_size >= 2 (batch norm) and lr > 0")
        if self.schedule not in ("onecycle", "cosine", "constant"):
            raise ValueError(f"unknown schedule {self.schedule!r}")
        if self.unfreeze < 0 or self.unfreeze_every < 1 or self.lr_decay < 1:
            raise ValueError("unfreeze >= 0, unfreeze_every >= 1 and lr_decay >= 1")
        if self.steps_per_epoch is not None and self.steps_per_epoch < 1:
            raise ValueError("steps_per_epoch must be >= 1 (or null)")
        if self.weight_decay < 0 or self.clip < 0:
            raise ValueError("weight_decay and clip must be >= 0")


@dataclass(frozen=True)
class ClassifyConfig:
    name: str = "kjv-groups"
    task: TaskConfig = field(default_factory=TaskConfig)
    head: HeadConfig = field(default_factory=HeadConfig)
    train: FitConfig = field(default_factory=FitConfig)


_SECTIONS = {"task": TaskConfig, "head": HeadConfig, "train": FitConfig}


def config_from_dict(tree: Any) -> ClassifyConfig:
    """A nested mapping (YAML or config.json) -> ClassifyConfig; unknown keys are errors."""
    if not isinstance(tree, dict):
        raise DecoderHeadError(f"classify config must be a mapping, got {type(tree).__name__}")
    unknown = set(tree) - set(_SECTIONS) - {"name"}
    if unknown:
        raise DecoderHeadError(f"unknown classify config section(s): {', '.join(sorted(unknown))} "
                               f"(known: name, {', '.join(_SECTIONS)})")
    parts = {key: from_dict(cls, tree.get(key) or {}) for key, cls in _SECTIONS.items()}
    return ClassifyConfig(name=str(tree.get("name", ClassifyConfig.name)), **parts)


def load_classify_config(path: str | None = None, overrides: list[str] | tuple[str, ...] = ()) -> ClassifyConfig:
    """A YAML file (None: the dataclass defaults), then `section.key=value` overrides."""
    if path is not None and not Path(path).is_file():
        raise DecoderHeadError(f"{path}: classify config not found")
    tree = read_yaml_tree(None if path is None else Path(path), overrides)
    return config_from_dict(tree)
