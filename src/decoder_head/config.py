"""Typed configuration, one dataclass per stage, loaded from YAML presets.

    RunConfig
      lm:       LMConfig       corpus, vocabulary, body shape, pre-training
      recover:  RelearnConfig  same corpus, mapping wiped and re-learned (null: skipped)
      induce:   RelearnConfig  other-language corpus through the frozen body
      refine:   RefineConfig   the induced lexicon seeds self-learning on word vectors (null: skipped)
      shared:   SharedConfig   one body trained on both languages, a table each (null: skipped)
      eval:     EvalConfig     BLI dictionary (null: unsupervised signals only), retrieval

Configs are frozen: a run never mutates them. Presets live in decoder_head/presets/*.yaml;
`load_run_config(name_or_path, overrides)` merges CLI `key.sub=value` overrides.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml

from .align.prior import PriorConfig
from .align.self_learning import SelfLearningConfig
from .errors import DecoderHeadError
from .models import AWDLSTMConfig, HFBodyConfig, TransformerConfig, body_config_class
from .train.loop import TrainConfig

PRESETS = Path(__file__).parent / "presets"


NO_IDENTITY = ("stream",)  # how a corpus is read: the same ids either way


def identity(cfg: Any) -> dict[str, Any]:
    """A config as the dict that names its results (LM folders, checkpoints, grid rows): fields
    that cannot change a number are left out, and so is the body kind `awd_lstm`, so LMs and
    rows made before bodies had kinds keep their names."""
    def strip(x: Any) -> Any:
        return {k: strip(v) for k, v in x.items() if k not in NO_IDENTITY} if isinstance(x, dict) else x

    tree = strip(asdict(cfg))
    body = tree.get("body")
    if isinstance(body, dict) and body.get("kind") == "awd_lstm":
        del body["kind"]
    return tree


@dataclass(frozen=True)
class VocabConfig:
    max_size: int = 8000  # including <unk> and <eos>
    min_count: int = 3

    def __post_init__(self) -> None:
        if self.max_size < 3 or self.min_count < 1:
            raise ValueError("vocab max_size must be >= 3 and min_count >= 1")


BodyConfig = Union[AWDLSTMConfig, TransformerConfig, HFBodyConfig]  # `kind` picks one (models.body registry)


@dataclass(frozen=True)
class LMConfig:
    """The language model of language A: what it reads and how it is trained."""

    corpus: str = "sword:engKJV2006eb"
    vocab: VocabConfig = field(default_factory=VocabConfig)
    body: BodyConfig = field(default_factory=AWDLSTMConfig)
    emb_dropout: float = 0.05
    valid_fraction: float = 0.05
    train: TrainConfig = field(default_factory=TrainConfig)
    stream: bool = False  # a text/wikitext file larger than memory: counted and encoded in chunks (data.stream)

    def key(self) -> str:
        """Content hash: a second run with the same config and corpus reuses the LM."""
        blob = json.dumps(identity(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


@dataclass(frozen=True)
class RelearnConfig:
    """Re-learning the mapping through the frozen body (recover or induce)."""

    corpus: str = "sword:engKJV2006eb"
    vocab: VocabConfig = field(default_factory=VocabConfig)
    mapping: str = "sinkhorn"
    mapping_args: dict[str, Any] = field(default_factory=dict)  # e.g. {"tau": 0.1, "n_iter": 10}
    init: str = "random"  # "random" | "frequency" (rank prior: frequent words on frequent rows)
    # "identical" | "numerals": identically spelled words start on each other's rows; any other value is a
    # file of `B-word A-word` pairs (MUSE format) that start on each other's rows (mapping/init.py)
    anchors: str | None = None
    train: TrainConfig = field(default_factory=TrainConfig)
    em_rounds: int = 0  # hard-EM refinement rounds after gradient training (mixture mappings)
    em_tokens: int | None = None  # tokens scored per EM round (None: the whole corpus)
    stream: bool = False  # read the corpus in chunks into memory-mapped ids (data.stream), as LMConfig.stream

    def __post_init__(self) -> None:
        if self.init not in ("random", "frequency"):
            raise ValueError(f"init must be 'random' or 'frequency', got {self.init!r}")
        if self.em_rounds < 0:
            raise ValueError("em_rounds must be >= 0")
        if self.anchors is not None and not (isinstance(self.anchors, str) and self.anchors.strip()):
            raise ValueError(f"anchors must be identical, numerals, a pair file or null, got {self.anchors!r}")
        if self.anchors and self.mapping == "free":
            raise ValueError("anchors need a mixture mapping (the free table has no rows to start on)")
        if self.em_rounds and self.mapping == "free":
            raise ValueError("em_rounds needs a mixture mapping (the free table has no rows to assign)")


def _default_vectors() -> tuple[dict[str, Any], ...]:
    return ({"method": "fasttext", "window": 10, "workers": 1}, {"method": "ppmi"})


@dataclass(frozen=True)
class RefineConfig:
    """The decoder head's lexicon seeds robust self-learning on monolingual vectors of both corpora.

    vectors: specs of the spaces concatenated per word (align.spaces; default fastText
        window 10 | PPMI-SVD, the best recipe on the train dictionary).
    seed_words: the seed is the decoder head's top-1 CSLS translation of B's most frequent words.
    seed_identical: identically spelled words (names, numerals, loanwords) join the seed for every
        B word those pairs leave out: the orthographic seed where the stage's lexicon is weak.
    self_learning: the loop's settings (orthography 0.1 inside dictionary induction).
    runs: self-learning loops under different RNG seeds, their spaces averaged (align.ensemble).
    keep_within: average only the runs whose objective is at most this under the best run's
        (None: all; for runs that end in different basins, align.ensemble).
    rounds: with 2 or more, each round after the first runs `runs` loops again, seeded by the previous
        round's averaged space (its own CSLS top-1 lexicon, refine.next_round).
    rerank: weight of the final orthographic re-ranking (0 = off).
    parallel: build each corpus's vectors in a process of its own (two cores, same files).
    seed_from: the stage whose lexicon seeds it: "induce" (the decoder head) | "shared" (the shared body).
    prior: how much of that stage's scores stays inside self-learning and the final retrieval
        (align.prior; default none: the stage is only the seed).
    join: weight of the shared body's own tables in the final retrieval, after the same self-learning
        on them from their own lexicon (refine.refine_own; each pair's cosine the weighted mean of the
        vectors' and the tables'; 0 = vectors only; needs a shared section).
    join_agreement: the share of B's most frequent words on whose top-1 the two self-learned spaces
        must agree for them to be joined. Below it they found different alignments (the non-parallel
        Bible halves: 0.00-0.01; en-es.bible: 0.45), and the final retrieval uses alone the space
        whose self-learning kept more of its own seed (0 = always join).
    """

    vectors: tuple[dict[str, Any], ...] = field(default_factory=_default_vectors)
    seed_words: int = 1000
    seed_identical: bool = False
    self_learning: SelfLearningConfig = field(default_factory=lambda: SelfLearningConfig(orthography=0.1))
    runs: int = 1
    keep_within: float | None = None
    rounds: int = 1
    rerank: float = 0.5
    parallel: bool = True
    seed_from: str = "induce"
    prior: PriorConfig = field(default_factory=PriorConfig)
    join: float = 0.0
    join_agreement: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.join < 1.0:
            raise ValueError(f"refine.join must be in [0, 1), got {self.join}")
        if not 0.0 <= self.join_agreement <= 1.0:
            raise ValueError(f"refine.join_agreement must be in [0, 1], got {self.join_agreement}")
        if self.seed_from not in ("induce", "shared"):
            raise ValueError(f"refine.seed_from must be 'induce' or 'shared', got {self.seed_from!r}")
        if not self.vectors:
            raise ValueError("refine.vectors needs at least one vector spec")
        if min(self.seed_words, self.runs, self.rounds) < 1 or self.rerank < 0 or (self.keep_within or 0) < 0:
            raise ValueError("refine.seed_words, refine.runs and refine.rounds must be >= 1, "
                             "refine.rerank and refine.keep_within >= 0")
        from .align.embed import vectors_config

        for spec in self.vectors:
            if not isinstance(spec, dict):
                raise ValueError(f"refine.vectors entries must be mappings, got {spec!r}")
            vectors_config(spec)  # a bad spec fails here, before any training


@dataclass(frozen=True)
class SharedConfig:
    """A shared body: one LM trained on the text of both languages, one tied table per language
    (Wada, Iwata & Matsumoto 2019); B's table retrieves A's words, no word vectors needed.

    vocab: each language's vocabulary (counted on its own corpus; ids are frequency ranks).
    start: "scratch" (body and both tables random, as the paper) | "lm" (LM A's body, and A's
        table for the words LM A has; B's table and A's other rows random). The body's shape
        is always lm.body's.
    frozen: fraction of the steps during which only B's table learns, on B's text, through
        the start body in eval mode (the decoder head with a free table); then everything
        learns on both texts. 0 = joint from the first step; 1 = never thaws (start lm only).
    thawed_lr: lr scale of what came from LM A (body, A's table) once it thaws (start lm).
    shared_specials: <unk> and <eos> are one row for both languages (the one anchor text gives).
    train: steps, windows, lr schedule; an epoch is one pass over the longer of the two streams.
    """

    vocab: VocabConfig = field(default_factory=lambda: VocabConfig(max_size=10002, min_count=3))
    start: str = "scratch"
    frozen: float = 0.0
    thawed_lr: float = 1.0
    shared_specials: bool = False
    emb_dropout: float = 0.05
    valid_fraction: float = 0.02
    train: TrainConfig = field(default_factory=TrainConfig)  # a YAML train block starts from these too

    def __post_init__(self) -> None:
        if self.start not in ("scratch", "lm"):
            raise ValueError(f"shared.start must be 'scratch' or 'lm', got {self.start!r}")
        if not 0.0 <= self.frozen <= 1.0 or (self.start == "scratch" and self.frozen > 0):
            raise ValueError("shared.frozen must be in [0, 1], and 0 when starting from scratch "
                             "(a random body has nothing to keep)")
        if self.thawed_lr <= 0:
            raise ValueError("shared.thawed_lr must be > 0")


@dataclass(frozen=True)
class EvalConfig:
    dictionary: str | None = "data/bli/es-en.bible.test.txt"  # None: no P@k, unsupervised signals only
    knn: int = 10  # CSLS neighbourhood
    rank_buckets: tuple[int, ...] = (0, 100, 1000, 4000)
    synonym_words: tuple[str, ...] = ("two", "king", "water", "said", "good", "father", "day", "land")


@dataclass(frozen=True)
class RunConfig:
    name: str = "default"
    languages: tuple[str, str] = ("es", "en")  # (B = induce corpus, A = LM corpus): file names and labels
    lm: LMConfig = field(default_factory=LMConfig)
    recover: RelearnConfig | None = field(default_factory=RelearnConfig)
    induce: RelearnConfig = field(default_factory=lambda: RelearnConfig(corpus="sword:spaRV1909eb"))
    refine: RefineConfig | None = field(default_factory=RefineConfig)
    shared: SharedConfig | None = None
    eval: EvalConfig = field(default_factory=EvalConfig)

    def __post_init__(self) -> None:
        if len(self.languages) != 2 or not all(re.fullmatch(r"[A-Za-z0-9_-]+", x) for x in self.languages):
            raise ValueError(f"languages must be two short codes like [es, en], got {self.languages!r}")
        if self.refine is not None and self.refine.seed_from == "shared" and self.shared is None:
            raise ValueError("refine.seed_from shared needs a shared section")
        if self.refine is not None and self.refine.join > 0 and self.shared is None:
            raise ValueError("refine.join needs a shared section (its tables are what is joined)")


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Build a (nested) frozen dataclass from a dict, rejecting unknown keys by name."""
    if not isinstance(data, dict):
        raise DecoderHeadError(f"config for {cls.__name__} must be a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields)
    if unknown:
        raise DecoderHeadError(f"unknown config key(s) for {cls.__name__}: {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        ftype = fields[name].type
        ftype = ftype if isinstance(ftype, str) else getattr(ftype, "__name__", "")
        sub = _DATACLASSES.get(ftype.removesuffix(" | None"))
        if value is None and ftype.endswith(" | None"):
            kwargs[name] = None  # an optional stage switched off (`refine: null`)
        elif ftype in _FACTORIES:
            kwargs[name] = _FACTORIES[ftype](value)
        elif sub is not None:
            kwargs[name] = from_dict(sub, value)
        elif isinstance(value, list):
            kwargs[name] = tuple(value)
        elif value is None and fields[name].default is not None and not ftype.endswith(" | None"):
            raise DecoderHeadError(f"{cls.__name__}.{name} cannot be null")
        else:
            kwargs[name] = value
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise DecoderHeadError(f"bad {cls.__name__} config: {exc}") from None


_DATACLASSES = {c.__name__: c for c in (VocabConfig, LMConfig, TrainConfig, RelearnConfig, EvalConfig,
                                         RefineConfig, SelfLearningConfig, SharedConfig, PriorConfig)}


def body_from_dict(data: dict[str, Any]) -> Any:
    """The body config its `kind` names (default awd_lstm, as presets from before kinds)."""
    if not isinstance(data, dict):
        raise DecoderHeadError(f"config for the LM body must be a mapping, got {type(data).__name__}")
    try:
        body_cls = body_config_class(data.get("kind", "awd_lstm"))
    except ValueError as exc:
        raise DecoderHeadError(f"lm.body: {exc}") from None
    return from_dict(body_cls, data)


_FACTORIES = {"BodyConfig": body_from_dict}


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    node = tree
    *parents, leaf = dotted.split(".")
    for p in parents:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise DecoderHeadError(f"override {dotted}: {p} is not a section")
    node[leaf] = value


class _Loader(yaml.SafeLoader):
    """YAML 1.1 reads `1e-4` as a string (its floats need a dot); configs mean the number."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"))


def parse_yaml(text: str) -> Any:
    """yaml.safe_load, with exponent-only floats (1e-4) read as floats."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def read_yaml_tree(path: Path | None, overrides: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """A YAML mapping (None: empty), then `a.b=value` overrides (values parsed as YAML)."""
    tree: dict[str, Any] = {}
    if path is not None:
        try:
            tree = parse_yaml(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DecoderHeadError(f"{path}: invalid YAML ({str(exc).splitlines()[0]})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DecoderHeadError(f"{path}: cannot read ({exc.__class__.__name__})") from None
        if not isinstance(tree, dict):
            raise DecoderHeadError(f"{path}: expected a mapping of sections, got {type(tree).__name__}")
    return overridden(tree, overrides)


def overridden(tree: dict[str, Any], overrides: list[str] | tuple[str, ...]) -> dict[str, Any]:
    for item in overrides:
        if "=" not in item:
            raise DecoderHeadError(f"override {item!r} must look like key.sub=value")
        key, raw = item.split("=", 1)
        _set(tree, key, parse_yaml(raw))
    return tree


def laid_over(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """`top`'s keys over `base`'s, mappings merged key by key (anything else replaced whole)."""
    out = dict(base)
    for key, value in top.items():
        out[key] = laid_over(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def preset_tree(preset: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A preset's mapping (presets/<name>.yaml, or a YAML path). With `base: NAME` it is laid over that
    preset's, so a preset that changes one stage says only that."""
    path = Path(preset) if preset.endswith((".yaml", ".yml")) else PRESETS / f"{preset}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PRESETS.glob("*.yaml")))
        raise DecoderHeadError(f"no preset {preset!r} (known: {known}; or give a .yaml path)")
    tree = read_yaml_tree(path)
    tree.setdefault("name", path.stem)
    base = tree.pop("base", None)
    if base is None:
        return tree
    if str(base) in (*seen, preset):
        raise DecoderHeadError(f"{path}: presets based on each other ({' -> '.join((*seen, preset, str(base)))})")
    return laid_over(preset_tree(str(base), (*seen, preset)), tree)


def load_run_config(preset: str = "default", overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """A preset (preset_tree), then `a.b=value` overrides."""
    return from_dict(RunConfig, overridden(preset_tree(preset), overrides))
