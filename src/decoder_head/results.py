"""The induction results grid: every method x setting x direction x seed, one JSON row each.

    for seed, setting in (parallel, nonparallel), direction in (es-en, en-es):
        LM A on the target side's corpus (trained once, then reused) e.g. KJV (whole / OT)
        for method:
            induce: B's text through A's frozen body -> B rows       e.g. RV1909 (whole / NT)
            [refine: the induced lexicon seeds self-learning on monolingual vectors of A and B]
            score on the test dictionary (inverted for en-es) -> row

Settings follow shared/DATA.md: *parallel content* = whole English vs whole Spanish Bible
(the verse alignment is never used), *non-parallel* = English Old Testament vs Spanish New
Testament. The LM of each setting x direction is trained once (seed 0) and shared by every
method and seed: the seeds measure the spread of the re-learning, the part being compared.
Rows are written after each run (atomically), and a finished row is not run again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .config import EvalConfig, RefineConfig, RelearnConfig, RunConfig, identity, load_run_config, read_yaml_tree
from .data.dictionary import invert, read_muse, write_muse
from .runtime import Runtime
from .errors import DecoderHeadError
from .experiment import induce, refine_stage
from .files import read_json, write_json
from .train.pretrain import TrainedLM, train_lm

# "setting/direction" -> [LM corpus = target language A, text corpus = source language B]
BIBLE_CORPORA: dict[str, tuple[str, str]] = {
    "parallel/es-en": ("sword:engKJV2006eb", "sword:spaRV1909eb"),
    "parallel/en-es": ("sword:spaRV1909eb", "sword:engKJV2006eb"),
    "nonparallel/es-en": ("sword:engKJV2006eb:ot", "sword:spaRV1909eb:nt"),
    "nonparallel/en-es": ("sword:spaRV1909eb:nt", "sword:engKJV2006eb:ot"),
}
ROW_KEYS = ("method", "setting", "direction", "seed", "p_at_1_nn", "p_at_1_csls", "p_at_5_csls",
            "p_at_10_csls", "coverage", "seconds")


@dataclass(frozen=True)
class MethodSpec:
    """One row label of the grid: a parametrisation and how it is trained and refined.

    refine: after induction, the lexicon (top-1 CSLS of B's frequent words) seeds robust
    self-learning on monolingual vectors of both corpora: the pipeline's `refine` stage
    (`refine_config`); the row is then scored on the mapped vector spaces (larger
    vocabularies, so larger coverage).
    """

    name: str
    mapping: str = "sinkhorn"
    mapping_args: dict[str, Any] = field(default_factory=dict)
    init: str = "frequency"
    anchors: str | None = None  # "identical" | "numerals" (RelearnConfig.anchors)
    em_rounds: int = 0
    refine: bool = False
    seed_words: int = 1000  # refine: the seed uses B's most frequent words only
    self_learning: dict[str, Any] = field(default_factory=dict)  # SelfLearningConfig overrides
    orthography: float = 0.0  # > 0: re-rank candidates by string similarity (eval/orthography.py)
    vectors: dict[str, Any] | list[dict[str, Any]] | None = None  # refine: overrides the grid's `vectors`
    train: dict[str, Any] = field(default_factory=dict)  # TrainConfig overrides, e.g. {curriculum: 0.5}

    def __post_init__(self) -> None:
        if self.orthography and not self.refine:
            raise ValueError(f"method {self.name}: orthography re-ranking applies to refine rows only")


@dataclass(frozen=True)
class ResultsConfig:
    """What `decoder-head results` runs; LM and training settings come from `preset`."""

    preset: str = "grid"  # presets/grid.yaml: the LM and training settings every row was measured with
    methods: tuple[MethodSpec, ...] = ()
    settings: tuple[str, ...] = ("parallel", "nonparallel")
    directions: tuple[str, ...] = ("es-en", "en-es")
    seeds: tuple[int, ...] = (0, 1, 2)
    dictionary: str = "data/bli/es-en.bible.test.txt"  # es-en; inverted for en-es
    train_overrides: dict[str, Any] = field(default_factory=dict)  # e.g. {"epochs": 4}
    corpora: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(BIBLE_CORPORA))
    # refine rows: a results.vectors_for spec, or a list of them (spaces concatenated per word)
    vectors: dict[str, Any] | tuple[dict[str, Any], ...] = field(default_factory=dict)
    out: str = "results/induction.json"

    def __post_init__(self) -> None:
        for s in self.settings:
            for d in self.directions:
                if f"{s}/{d}" not in self.corpora:
                    raise ValueError(f"no corpora for {s}/{d}; known: {', '.join(sorted(self.corpora))}")
                if d not in ("es-en", "en-es"):
                    raise ValueError(f"direction must be es-en or en-es (the dictionary is es-en), got {d!r}")
        from .align.embed import vectors_config

        for given in (self.vectors, *(m.vectors for m in self.methods if m.vectors is not None)):
            for spec in [given] if isinstance(given, dict) else given:
                vectors_config(spec)  # a bad spec fails here, not after the first induction
        names = [m.name for m in self.methods]
        if not names or len(set(names)) != len(names):
            raise ValueError("methods must be a non-empty list with unique names")


def load_results_config(path: str | Path) -> ResultsConfig:
    """YAML -> ResultsConfig (methods as a list of dicts)."""
    p = Path(path)
    if not p.is_file():
        raise DecoderHeadError(f"{p}: results config not found (e.g. configs/induction.yaml)")
    tree = read_yaml_tree(p)
    try:
        methods = tuple(MethodSpec(**m) for m in tree.pop("methods", []))
        tree = {k: tuple(v) if isinstance(v, list) else v for k, v in tree.items()}
        return ResultsConfig(methods=methods, **tree)
    except (TypeError, ValueError) as exc:
        raise DecoderHeadError(f"{p}: bad results config ({str(exc).splitlines()[0]})") from None


def vectors_of(cfg: ResultsConfig, method: MethodSpec) -> dict[str, Any] | tuple[dict[str, Any], ...]:
    """The vector spec(s) a refine row uses: its own, else the grid's."""
    return cfg.vectors if method.vectors is None else method.vectors


def dictionary_for(direction: str, es_en: str, folder: Path) -> str:
    """The gold file for a direction: es-en as given, en-es its inversion (written once)."""
    if direction == "es-en":
        return es_en
    path = folder / f"{Path(es_en).stem}.inverted.txt"
    write_muse(path, invert(read_muse(es_en)))
    return str(path)


def relearn_config(base: RunConfig, cfg: ResultsConfig, method: MethodSpec, corpus: str, seed: int) -> RelearnConfig:
    train = dataclasses.replace(base.induce.train, **{**cfg.train_overrides, **method.train, "seed": seed})
    return dataclasses.replace(base.induce, corpus=corpus, mapping=method.mapping,
                               mapping_args=dict(method.mapping_args), init=method.init,
                               anchors=method.anchors, em_rounds=method.em_rounds, train=train)


def row_key(method: MethodSpec, rcfg: RelearnConfig, lm: TrainedLM, setting: str, direction: str,
            vectors: dict[str, Any] | tuple[dict[str, Any], ...]) -> str:
    """Everything a row's numbers depend on; a row with the same key is not run again."""
    spec = {k: v for k, v in asdict(method).items() if k != "vectors" or v is not None}  # keys from before `vectors`
    parts = [spec, identity(rcfg), lm.folder.name, setting, direction, vectors if method.refine else None]
    blob = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def refine_config(method: MethodSpec, vectors: dict[str, Any] | tuple[dict[str, Any], ...]) -> RefineConfig:
    """A refine row's settings as the pipeline's RefineConfig (the same `refine` stage runs it)."""
    from .align.self_learning import SelfLearningConfig

    specs = (dict(vectors),) if isinstance(vectors, dict) else tuple(dict(v) for v in vectors)
    return RefineConfig(vectors=specs, seed_words=method.seed_words,
                        self_learning=SelfLearningConfig(**method.self_learning), rerank=method.orthography)


def _row(method: MethodSpec, setting: str, direction: str, seed: int, scores: dict[str, Any],
         seconds: float, cpu_seconds: float, key: str, device: str) -> dict[str, Any]:
    nn, csls = scores["nn"], scores["csls"]
    return {"method": method.name, "setting": setting, "direction": direction, "seed": seed,
            "p_at_1_nn": nn["p_at_1"], "p_at_1_csls": csls["p_at_1"], "p_at_5_csls": csls["p_at_5"],
            "p_at_10_csls": csls["p_at_10"], "coverage": scores["coverage"],
            "p_at_1_noncognate": scores["non_cognate"]["p_at_1"], "n_noncognate": scores["non_cognate"]["n"],
            "n_evaluated": scores["n_evaluated"], "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu_seconds, 3), "device": device, "mapping": method.mapping,
            "key": key}


@dataclass
class Cell:
    """One setting x direction of the grid: its LM, gold file and corpora."""

    setting: str
    direction: str
    lm: TrainedLM
    ev: EvalConfig
    corpora: tuple[str, str]  # (text corpus B, LM corpus A)


def run_row(cfg: ResultsConfig, base: RunConfig, cell: Cell, method: MethodSpec, seed: int, workdir: Path,
            resume: bool, runtime: Runtime) -> dict[str, Any]:
    """Induce (or resume the same induction), optionally refine, score: one row."""
    rcfg = relearn_config(base, cfg, method, cell.corpora[0], seed)
    key = row_key(method, rcfg, cell.lm, cell.setting, cell.direction, vectors_of(cfg, method))
    t0, c0 = time.perf_counter(), time.process_time()
    # Named by what the induction depends on, so a `refine` row resumes the finished
    # checkpoint of the same induction instead of training it again.
    bare = dataclasses.replace(method, name="", refine=False, seed_words=0, self_learning={}, orthography=0.0,
                               vectors=None)
    induce_key = row_key(bare, rcfg, cell.lm, cell.setting, cell.direction, {})
    run_dir = workdir / "results" / f"{cell.setting}.{cell.direction}.{method.mapping}.s{seed}.{induce_key}"
    scores, induced = induce(cell.lm, rcfg, cell.ev, workdir, run_dir, resume, runtime)
    induce_cpu = time.process_time() - c0  # ~0 when a finished induction was resumed
    if method.refine:
        scores, _ = refine_stage(induced, cell.corpora, refine_config(method, vectors_of(cfg, method)), cell.ev,
                                 workdir, run_dir, resume)
    row = _row(method, cell.setting, cell.direction, seed, scores, time.perf_counter() - t0,
               time.process_time() - c0, key, runtime.device.type)
    return {**row, "induce_cpu_seconds": round(induce_cpu, 3)}


def run_results(cfg: ResultsConfig, workdir: Path, resume: bool = True,
                runtime: Runtime | None = None) -> list[dict[str, Any]]:
    """Run the grid seed by seed (a cut-short run still covers every cell once); returns all rows.

    Rows already in `cfg.out` with the same key are kept and not run again.
    """
    runtime = runtime or Runtime.local()
    base = load_run_config(cfg.preset)
    out = Path(cfg.out)
    rows: list[dict[str, Any]] = read_json(out) if (resume and out.is_file()) else []
    cells: dict[tuple[str, str], Cell] = {}
    for seed in cfg.seeds:
        for setting in cfg.settings:
            for direction in cfg.directions:
                if (setting, direction) not in cells:
                    lm_corpus, text_corpus = cfg.corpora[f"{setting}/{direction}"]
                    lm = train_lm(dataclasses.replace(base.lm, corpus=lm_corpus), workdir, resume=resume, runtime=runtime)
                    gold_path = dictionary_for(direction, cfg.dictionary, workdir / "results")
                    cells[(setting, direction)] = Cell(setting, direction, lm,
                                                       dataclasses.replace(base.eval, dictionary=gold_path),
                                                       (text_corpus, lm_corpus))
                cell = cells[(setting, direction)]
                for method in cfg.methods:
                    rcfg = relearn_config(base, cfg, method, cell.corpora[0], seed)
                    key = row_key(method, rcfg, cell.lm, setting, direction, vectors_of(cfg, method))
                    if key in {r.get("key") for r in rows}:
                        continue
                    print(f"results: {method.name} {setting} {direction} seed {seed}")
                    rows = append_row(out, run_row(cfg, base, cell, method, seed, workdir, resume, runtime))
    return rows


def append_row(out: Path, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Add (or replace, by key) one row in `out`, re-read first: rows another grid wrote to the
    same file since this one started are kept. Returns the file's rows."""
    rows = [r for r in (read_json(out) if out.is_file() else []) if r.get("key") != row["key"]] + [row]
    write_json(out, rows)
    return rows
