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

import torch

from .config import EvalConfig, RelearnConfig, RunConfig, load_run_config, read_yaml_tree
from .data.dictionary import read_muse, write_muse
from .device import pick_device
from .errors import DecoderHeadError
from .eval.bli import evaluate_bli, read_lexicon
from .experiment import induce
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
    self-learning (align.self_learning) on skip-gram vectors of both corpora; the row is
    then scored on the mapped vector spaces (larger vocabularies, so larger coverage).
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

    preset: str = "default"
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
    inverted: dict[str, set[str]] = {}
    for src, tgts in read_muse(es_en).items():
        for t in tgts:
            inverted.setdefault(t, set()).add(src)
    path = folder / f"{Path(es_en).stem}.inverted.txt"
    write_muse(path, inverted)
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
    parts = [spec, asdict(rcfg), lm.folder.name, setting, direction, vectors if method.refine else None]
    blob = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def vectors_for(corpus: str, workdir: Path, spec: dict[str, Any]) -> tuple[list[str], torch.Tensor]:
    """Monolingual vectors of a corpus, cached under workdir/vectors/.

    spec: {"method": "skipgram" (default: 300d, window 5, 20 epochs, as the alignment
    benchmark) | "ppmi" (align.ppmi defaults), **overrides}.
    """
    from .align.embed import embed_corpus, vectors_config
    from .align.word2vec import Word2VecConfig
    from .eval.vectors import read_word2vec

    spec = dict(spec)
    if spec.get("method", "skipgram") == "skipgram":
        spec = {"dim": 300, "window": 5, "min_count": 3, "epochs": 20, "seed": 0, **spec}
    cfg = vectors_config(spec)
    # Skip-gram files keep the tag they always had (hash of the config alone), so caches stay valid.
    blob = asdict(cfg) if isinstance(cfg, Word2VecConfig) else {"method": spec["method"], **asdict(cfg)}
    tag = hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:8]
    path = workdir / "vectors" / f"{corpus.replace(':', '_')}.{tag}.vec"
    if not path.is_file():
        embed_corpus(corpus, path, cfg, cache_dir=str(workdir / "cache"))
    words, vecs, _ = read_word2vec(path)
    return words, vecs


def space_for(corpus: str, workdir: Path, vectors: dict[str, Any] | tuple[dict[str, Any], ...]
              ) -> tuple[list[str], torch.Tensor]:
    """One spec -> its vectors; several -> their per-word concatenation (align.embed)."""
    if isinstance(vectors, dict):
        return vectors_for(corpus, workdir, vectors)
    from .align.embed import concatenate_spaces

    return concatenate_spaces([vectors_for(corpus, workdir, spec) for spec in vectors])


def refine_with_self_learning(lexicon: dict[str, str], corpora: tuple[str, str], workdir: Path,
                              gold: dict[str, set[str]], knn: int, method: MethodSpec,
                              vectors: dict[str, Any] | tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """Seed self-learning on monolingual vectors with the induced lexicon; BLI on the mapped spaces."""
    from .align.self_learning import SelfLearningConfig, self_learning
    from .eval.retrieval import normalize

    sw, x = space_for(corpora[0], workdir, vectors)
    tw, z = space_for(corpora[1], workdir, vectors)
    s_index, t_index = {w: i for i, w in enumerate(sw)}, {w: i for i, w in enumerate(tw)}
    pairs = [(s_index[s], t_index[t]) for s, t in lexicon.items() if s in s_index and t in t_index]
    if not pairs:
        raise DecoderHeadError("refine: no induced pair has both words in the vector vocabularies")
    src_idx, trg_idx = (torch.tensor(col) for col in zip(*pairs))
    x, z = normalize(x.float(), center=True), normalize(z.float(), center=True)
    r = self_learning(x, z, src_idx, trg_idx, SelfLearningConfig(**method.self_learning), progress=True,
                      words=(sw, tw))
    scores = {m: evaluate_bli(sw, r.xw, tw, r.zw, gold, method=m, knn=knn, orthography=method.orthography)
              for m in ("nn", "csls")}
    return {"seed_pairs": len(pairs), "iterations": r.iterations, "scores": scores}


def _row(method: MethodSpec, setting: str, direction: str, seed: int, scores: dict[str, dict[str, Any]],
         seconds: float, cpu_seconds: float, key: str) -> dict[str, Any]:
    nn, csls = scores["nn"], scores["csls"]
    return {"method": method.name, "setting": setting, "direction": direction, "seed": seed,
            "p_at_1_nn": nn["p_at_1"], "p_at_1_csls": csls["p_at_1"], "p_at_5_csls": csls["p_at_5"],
            "p_at_10_csls": csls["p_at_10"], "coverage": csls["coverage"],
            "n_evaluated": csls["n_evaluated"], "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu_seconds, 1), "device": pick_device().type, "mapping": method.mapping,
            "key": key}


@dataclass
class Cell:
    """One setting x direction of the grid: its LM, gold file and corpora."""

    setting: str
    direction: str
    lm: TrainedLM
    ev: EvalConfig
    gold: dict[str, set[str]]
    corpora: tuple[str, str]  # (text corpus B, LM corpus A)


def run_row(cfg: ResultsConfig, base: RunConfig, cell: Cell, method: MethodSpec, seed: int, workdir: Path,
            resume: bool) -> dict[str, Any]:
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
    res = induce(cell.lm, rcfg, cell.ev, workdir, run_dir, resume)
    induce_cpu = time.process_time() - c0  # ~0 when a finished induction was resumed
    scores = {m: {**res[m], "coverage": res["coverage"], "n_evaluated": res["n_evaluated"]} for m in ("nn", "csls")}
    if method.refine:
        lexicon = dict(list(read_lexicon(run_dir / "lexicon.tsv").items())[: method.seed_words])
        scores = refine_with_self_learning(lexicon, cell.corpora, workdir, cell.gold, cell.ev.knn, method,
                                           vectors_of(cfg, method))["scores"]
    row = _row(method, cell.setting, cell.direction, seed, scores, time.perf_counter() - t0,
               time.process_time() - c0, key)
    return {**row, "induce_cpu_seconds": round(induce_cpu, 1)}


def run_results(cfg: ResultsConfig, workdir: Path, resume: bool = True) -> list[dict[str, Any]]:
    """Run the grid seed by seed (a cut-short run still covers every cell once); returns all rows.

    Rows already in `cfg.out` with the same key are kept and not run again.
    """
    base = load_run_config(cfg.preset)
    out = Path(cfg.out)
    rows: list[dict[str, Any]] = read_json(out) if (resume and out.is_file()) else []
    cells: dict[tuple[str, str], Cell] = {}
    for seed in cfg.seeds:
        for setting in cfg.settings:
            for direction in cfg.directions:
                if (setting, direction) not in cells:
                    lm_corpus, text_corpus = cfg.corpora[f"{setting}/{direction}"]
                    lm = train_lm(dataclasses.replace(base.lm, corpus=lm_corpus), workdir, resume=resume)
                    gold_path = dictionary_for(direction, cfg.dictionary, workdir / "results")
                    cells[(setting, direction)] = Cell(setting, direction, lm,
                                                       dataclasses.replace(base.eval, dictionary=gold_path),
                                                       read_muse(gold_path), (text_corpus, lm_corpus))
                cell = cells[(setting, direction)]
                for method in cfg.methods:
                    rcfg = relearn_config(base, cfg, method, cell.corpora[0], seed)
                    key = row_key(method, rcfg, cell.lm, setting, direction, vectors_of(cfg, method))
                    if key in {r.get("key") for r in rows}:
                        continue
                    print(f"results: {method.name} {setting} {direction} seed {seed}")
                    rows = append_row(out, run_row(cfg, base, cell, method, seed, workdir, resume))
    return rows


def append_row(out: Path, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Add (or replace, by key) one row in `out`, re-read first: rows another grid wrote to the
    same file since this one started are kept. Returns the file's rows."""
    rows = [r for r in (read_json(out) if out.is_file() else []) if r.get("key") != row["key"]] + [row]
    write_json(out, rows)
    return rows
