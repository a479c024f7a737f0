"""Typed configuration of the supervised translator, one frozen dataclass per stage.

    Seq2SeqConfig
      data:    ParallelConfig   which Bibles, split by verse id, length cap, vocabularies
      model:   ModelConfig      gru_attention | gru (no attention) | transformer, sizes, init
      train:   Seq2SeqTrainConfig  optimiser, schedule, budget (CPU minutes or steps), teacher forcing
      decode:  DecodeConfig     greedy or beam, length penalty

Loaded from a YAML preset (configs/seq2seq.yaml) plus `section.key=value` overrides,
the same way `decoder-head run` presets are (decoder_head.config).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from ..config import from_dict, read_yaml_tree
from ..errors import DecoderHeadError

MODEL_KINDS = ("gru_attention", "gru", "transformer")


@dataclass(frozen=True)
class ParallelConfig:
    """Verse pairs joined by id; test and valid verses chosen by a hash of the id."""

    src: str = "sword:spaRV1909eb"  # corpus spec: sword:MODULE[:ot|nt] or text:PATH (id = line number)
    trg: str = "sword:engKJV2006eb"
    valid_fraction: float = 0.02
    test_fraction: float = 0.03
    split_seed: int = 0  # changes which ids are held out; not the training seed
    length_percentile: float = 99.0  # training pairs are cut at this length percentile (per side)
    src_vocab_size: int = 10000  # including <unk> and <eos>
    trg_vocab_size: int = 8000
    min_count: int = 2
    shared_vocab: bool = False  # one vocabulary for both sides (size src + trg)
    sword_dir: str = "/usr/share/sword"
    cache_dir: str = "runs/cache"

    def __post_init__(self) -> None:
        if not (0 <= self.valid_fraction < 0.5 and 0 < self.test_fraction < 0.5):
            raise ValueError("valid_fraction must be in [0, 0.5) and test_fraction in (0, 0.5)")
        if self.valid_fraction + self.test_fraction >= 0.5:
            raise ValueError("valid_fraction + test_fraction must leave at least half for training")
        if not 50 <= self.length_percentile <= 100:
            raise ValueError("length_percentile must be in [50, 100]")
        if self.src_vocab_size < 3 or self.trg_vocab_size < 3 or self.min_count < 1:
            raise ValueError("vocab sizes must be >= 3 and min_count >= 1")


@dataclass(frozen=True)
class ModelConfig:
    """Which translator and how big. GRU sizes: `hidden` per encoder direction and decoder;
    Transformer: d_model = emb_dim, `layers` each for encoder and decoder."""

    kind: str = "gru_attention"
    emb_dim: int = 256
    hidden: int = 256
    layers: int = 1
    heads: int = 4  # transformer only
    ff_dim: int = 512  # transformer only
    dropout: float = 0.2
    tie_output: bool = True  # output layer shares the target embedding matrix
    src_init: str | None = None  # word2vec text file or LM folder: initial source embeddings
    trg_init: str | None = None  # same for the target side
    freeze_init: bool = False  # keep initialised embeddings fixed

    def __post_init__(self) -> None:
        if self.kind not in MODEL_KINDS:
            raise ValueError(f"model kind {self.kind!r} unknown; use one of {', '.join(MODEL_KINDS)}")
        if min(self.emb_dim, self.hidden, self.layers, self.heads, self.ff_dim) < 1:
            raise ValueError("emb_dim, hidden, layers, heads and ff_dim must be positive")
        if self.kind == "transformer" and self.emb_dim % self.heads:
            raise ValueError(f"transformer emb_dim {self.emb_dim} must be divisible by heads {self.heads}")
        if not 0 <= self.dropout < 1:
            raise ValueError("dropout must be in [0, 1)")


@dataclass(frozen=True)
class Seq2SeqTrainConfig:
    """Optimisation and budget. Training stops at whichever of max_steps / max_minutes
    comes first; minutes are process CPU time (`budget_clock: cpu`), so a model trained on
    a busy machine gets the same compute as on an idle one, or wall time (`wall`)."""

    batch_size: int = 64
    lr: float = 2e-3
    schedule: str = "onecycle"  # as decoder_head.train.loop.lr_at, driven by budget fraction
    warmup: float = 0.05
    clip: float = 1.0
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    max_steps: int | None = None
    max_minutes: float | None = 10.0
    budget_clock: str = "cpu"
    teacher_forcing_start: float = 1.0  # probability of feeding the gold previous word (GRUs)
    teacher_forcing_end: float = 0.5  # decays linearly over the budget, as in the lesson
    eval_every: int = 200  # steps between validation loss + checkpoint
    valid_pairs: int = 300  # validation pairs scored each time
    seed: int = 0
    threads: int | None = None  # torch intra-op threads; None leaves torch's default. On a
    # shared, busy machine 1 thread wastes no CPU spinning at barriers (a CPU budget counts that)

    def __post_init__(self) -> None:
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be >= 1 (or null for torch's default)")
        if self.max_steps is None and self.max_minutes is None:
            raise ValueError("set max_steps or max_minutes (the training budget)")
        if (self.max_steps is not None and self.max_steps < 1) or (
            self.max_minutes is not None and self.max_minutes <= 0
        ):
            raise ValueError("max_steps and max_minutes must be positive")
        if self.budget_clock not in ("cpu", "wall"):
            raise ValueError("budget_clock must be 'cpu' or 'wall'")
        if self.schedule not in ("onecycle", "cosine", "constant"):
            raise ValueError(f"unknown schedule {self.schedule!r}")
        if self.batch_size < 1 or self.lr <= 0 or self.eval_every < 1 or self.valid_pairs < 1:
            raise ValueError("batch_size, lr, eval_every and valid_pairs must be positive")
        for p in (self.teacher_forcing_start, self.teacher_forcing_end, self.label_smoothing):
            if not 0 <= p <= 1:
                raise ValueError("teacher forcing ratios and label_smoothing must be in [0, 1]")


@dataclass(frozen=True)
class DecodeConfig:
    beam: int = 5  # 1 = greedy
    length_penalty: float = 1.0  # GNMT alpha: score / ((5 + len) / 6) ** alpha; 0 = none
    max_len_ratio: float = 2.0  # at most ratio * source length + 10 target words
    examples: int = 5  # example translations kept in the evaluation report

    def __post_init__(self) -> None:
        if self.beam < 1 or self.max_len_ratio <= 0 or self.length_penalty < 0 or self.examples < 0:
            raise ValueError("beam >= 1, max_len_ratio > 0, length_penalty >= 0, examples >= 0")


@dataclass(frozen=True)
class Seq2SeqConfig:
    name: str = "seq2seq"
    data: ParallelConfig = field(default_factory=ParallelConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: Seq2SeqTrainConfig = field(default_factory=Seq2SeqTrainConfig)
    decode: DecodeConfig = field(default_factory=DecodeConfig)


_SECTIONS = {"data": ParallelConfig, "model": ModelConfig, "train": Seq2SeqTrainConfig, "decode": DecodeConfig}


def config_from_dict(tree: Any) -> Seq2SeqConfig:
    """A nested mapping (YAML or config.json) -> Seq2SeqConfig; unknown keys are errors."""
    if not isinstance(tree, dict):
        raise DecoderHeadError(f"seq2seq config must be a mapping, got {type(tree).__name__}")
    unknown = set(tree) - set(_SECTIONS) - {"name"}
    if unknown:
        raise DecoderHeadError(f"unknown seq2seq config section(s): {', '.join(sorted(unknown))} "
                               f"(known: name, {', '.join(_SECTIONS)})")
    parts = {key: from_dict(cls, tree.get(key) or {}) for key, cls in _SECTIONS.items()}
    return Seq2SeqConfig(name=str(tree.get("name", "seq2seq")), **parts)


def load_seq2seq_config(path: str | None = None, overrides: list[str] | tuple[str, ...] = ()) -> Seq2SeqConfig:
    """A YAML file (None: the dataclass defaults), then `section.key=value` overrides."""
    if path is not None and not Path(path).is_file():
        raise DecoderHeadError(f"{path}: seq2seq config not found (e.g. configs/seq2seq.yaml)")
    tree = read_yaml_tree(None if path is None else Path(path), overrides)
    if path is not None:
        tree.setdefault("name", Path(path).stem)
    return config_from_dict(tree)
