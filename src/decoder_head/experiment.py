"""The decoder-head pipeline, top to bottom (`decoder-head run`, `make run`):

    check inputs (corpora, dictionary, vocabulary sizes)      before anything is written
    LM A (train or reuse)
    -> recover  (A through A's frozen body; optional)          hit@k by frequency rank
    -> induce   (B through A's frozen body: the decoder head)  lexicon.decoder-head.tsv
    -> shared   (one body trained on both texts, a table each; lexicon.shared-body.tsv
                 optional: the shared-body lever)
    -> refine   (a lexicon, the decoder head's or the shared    lexicon.tsv
                 body's, seeds self-learning on vectors of B
                 and A, one process per corpus; optional)
    -> evaluate (BLI P@k NN/CSLS, by band, non-cognate) or unsupervised signals without a dictionary
    -> run folder: lexicons, vectors, metrics.json, report.md, report.html

Each stage is a plain function; each resumes from its checkpoint. The induction grid
(`results.py`) and the benchmarks call the same `induce` and `refine`.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from .align.prior import PairPrior
from .config import EvalConfig, RefineConfig, RelearnConfig, RunConfig
from .data.dictionary import read_muse
from .eval.bli import bli_scores, mutual_nn_share, translate, write_lexicon
from .eval.recovery import recovery_hits, synonyms
from .eval.vectors import write_word2vec
from .files import write_json
from .runtime import Runtime
from .train.pretrain import TrainedLM, train_lm
from .train.relearn import Relearned, relearn

if TYPE_CHECKING:
    from .refine import Refined

UNSUPERVISED_WORDS = 1000  # mutual-NN share over B's most frequent words


@dataclass
class Lexicon:
    """A stage's result: B's words and A's words as vectors in one space, frequent words first."""

    src_words: list[str]
    src_emb: torch.Tensor  # (n_src, d)
    trg_words: list[str]
    trg_emb: torch.Tensor  # (n_trg, d)
    rerank: float = 0.0  # orthographic re-ranking weight of this stage's retrieval
    prior: PairPrior | None = None  # a seed stage's scores added in this stage's retrieval (refine.prior)

    def translations(self, k: int = 5, knn: int = 10) -> dict[str, list[tuple[str, float]]]:
        return translate(self.src_words, self.src_emb, self.trg_words, self.trg_emb, k=k, method="csls", knn=knn,
                         orthography=self.rerank, prior=self.prior)

    def seed(self, knn: int = 10) -> dict[str, str]:
        """Each B word's top-1 A word, B's frequent words first: what seeds self-learning."""
        return {w: cands[0][0] for w, cands in self.translations(k=1, knn=knn).items()}

    def scores(self, gold: dict[str, set[str]] | None, knn: int) -> dict[str, Any]:
        """The BLI block (dictionary given) or its empty shape, plus the unsupervised signals."""
        ranks = {w: i for i, w in enumerate(self.src_words)}
        block = (bli_scores(self.src_words, self.src_emb, self.trg_words, self.trg_emb, gold, knn=knn,
                            orthography=self.rerank, src_ranks=ranks, prior=self.prior) if gold is not None else
                 {"coverage": None, "n_evaluated": 0, "nn": None, "csls": None, "by_rank_csls": {},
                  "cognate": None, "non_cognate": None})
        block["unsupervised"] = {"mutual_nn": mutual_nn_share(self.src_emb, self.trg_emb, knn, UNSUPERVISED_WORDS)}
        return block


def lm_metrics(lm: TrainedLM) -> dict[str, Any]:
    m = lm.meta
    return {"val_ppl": m["val_ppl"], "tokens_per_s": m["tokens_per_s"], "train_seconds": m["train_seconds"],
            "vocab_size": m["vocab_size"], "train_tokens": m["train_tokens"], "unk_rate_valid": m["unk_rate_valid"],
            "reused": m.get("reused", False), "folder": str(lm.folder), "history": m["history"]}


def frozen_table(lm: TrainedLM) -> torch.Tensor:
    return lm.model.mapping.table().detach()


def reference_table(r: Relearned, lm: TrainedLM) -> torch.Tensor:
    """The frozen rows a re-learned mapping mixes: its own (possibly normalised) copy, else the LM's."""
    target = getattr(r.mapping, "target", None)
    return target.detach() if isinstance(target, torch.Tensor) else frozen_table(lm)


def recover(lm: TrainedLM, cfg: RelearnConfig, ev: EvalConfig, workdir: Path, run_dir: Path,
            resume: bool = True, runtime: Runtime | None = None) -> dict[str, Any]:
    """Wipe LM A's mapping and re-learn it on A's own corpus; score against the truth."""
    cfg = dataclasses.replace(cfg, corpus=lm.config.corpus)  # recovery is same-language by definition

    def track(r: Relearned) -> dict[str, Any]:
        hits = recovery_hits(r.mapping.table().detach(), reference_table(r, lm), lm.vocab, buckets=ev.rank_buckets)
        return {"hit_at_1_top1000": hits["hit_at_1_top1000"]}

    result = relearn(lm, cfg, workdir, run_dir / "checkpoints" / "recover", vocab=lm.vocab,
                     resume=resume, desc=f"recover [{cfg.mapping}]", on_epoch_end=track, runtime=runtime)
    learned, frozen = result.mapping.table().detach(), reference_table(result, lm)
    hits = recovery_hits(learned, frozen, lm.vocab, buckets=ev.rank_buckets)
    return {"method": cfg.mapping, "corpus": cfg.corpus, **hits,
            "synonyms": synonyms(learned, frozen, lm.vocab, ev.synonym_words),
            "seconds": result.seconds, "device": (runtime or Runtime.local()).device.type, "history": result.history}


def held_out_loss(history: list[dict[str, Any]]) -> float:
    """The mapping's final held-out loss through the frozen body (EM rounds that were undone skipped)."""
    return [h for h in history if h.get("accepted", True)][-1]["val_loss"]


def induce(lm: TrainedLM, cfg: RelearnConfig, ev: EvalConfig, workdir: Path, run_dir: Path,
           resume: bool = True, runtime: Runtime | None = None) -> tuple[dict[str, Any], Lexicon]:
    """Language B through A's frozen body; B's learned rows retrieve A's words (NN and CSLS)."""
    gold = read_muse(ev.dictionary) if ev.dictionary else None
    result = relearn(lm, cfg, workdir, run_dir / "checkpoints" / "induce", resume=resume,
                     desc=f"induce [{cfg.mapping}]", runtime=runtime)
    t0 = time.perf_counter()
    n = result.vocab.n_specials
    lexicon = Lexicon(result.vocab.words, result.mapping.table().detach()[n:],
                      lm.vocab.words, reference_table(result, lm)[lm.vocab.n_specials:])
    block = lexicon.scores(gold, ev.knn)
    loss = held_out_loss(result.history)
    block["unsupervised"].update(val_loss=loss, val_ppl=float(torch.tensor(loss).exp()))
    return ({"method": cfg.mapping, "corpus": cfg.corpus, "dictionary": ev.dictionary, **block,
             "seconds": result.seconds + time.perf_counter() - t0, "device": (runtime or Runtime.local()).device.type,
             "history": result.history}, lexicon)


def shared_stage(lm: TrainedLM, cfg: RunConfig, workdir: Path, run_dir: Path, resume: bool = True,
                 runtime: Runtime | None = None) -> tuple[dict[str, Any], Lexicon]:
    """One body trained on both texts, a table per language (train.shared); B's rows retrieve A's."""
    from .train.shared import train_shared

    sc = cfg.shared
    assert sc is not None
    r = train_shared(sc, cfg.lm, (cfg.induce.corpus, cfg.lm.corpus), workdir, run_dir / "checkpoints" / "shared",
                     lm, resume, runtime)
    t0 = time.perf_counter()
    lexicon = Lexicon(r.vocabs["b"].words, r.table("b"), r.vocabs["a"].words, r.table("a"))
    block = lexicon.scores(read_muse(cfg.eval.dictionary) if cfg.eval.dictionary else None, cfg.eval.knn)
    last = r.history[-1]
    block["unsupervised"].update(val_loss=last["val_loss_b"], val_ppl=last["val_ppl_b"], val_ppl_a=last["val_ppl_a"])
    return ({"method": f"shared body (start {sc.start}, frozen {sc.frozen:g})", "corpus": cfg.induce.corpus,
             "dictionary": cfg.eval.dictionary, **block, "vocab_sizes": {k: len(v) for k, v in r.vocabs.items()},
             "seconds": r.seconds + time.perf_counter() - t0, "device": (runtime or Runtime.local()).device.type,
             "history": r.history}, lexicon)


def refine_stage(induced: Lexicon, corpora: tuple[str, str], cfg: RefineConfig, ev: EvalConfig, workdir: Path,
                 run_dir: Path, resume: bool = True, shared: Lexicon | None = None) -> tuple[dict[str, Any], Lexicon]:
    """A stage's lexicon (top-1 CSLS, B's words in frequency order) seeds self-learning; with refine.join
    the shared body's tables, self-learned from their own lexicon, join the final retrieval."""
    from .refine import refine

    t0 = time.perf_counter()
    seed = induced.seed(ev.knn)
    gold = read_muse(ev.dictionary) if ev.dictionary else None
    r = refine(seed, corpora, workdir, cfg, run_dir / "checkpoints" / "refine", resume, stage=induced)
    lexicon = Lexicon(r.src_words, r.xw, r.trg_words, r.zw, rerank=cfg.rerank, prior=r.prior)
    joined = None
    if cfg.join > 0:
        assert shared is not None  # RunConfig: join needs a shared section
        vectors_only = lexicon.scores(gold, ev.knn)["csls"] if gold is not None else None
        j = joined_lexicon(r, seed, shared, cfg, ev, run_dir, resume)
        lexicon = j.lexicon
        joined = {"weight": cfg.join, "used": j.used, "agreement": j.agreement, "kept": j.kept,
                  "min_agreement": cfg.join_agreement, "tables_objective": j.tables.objective,
                  "tables_seconds": j.tables.seconds,
                  "vectors_only_p_at_1": vectors_only["p_at_1"] if vectors_only else None}
    block = lexicon.scores(gold, ev.knn)
    block["unsupervised"].update(objective=r.objective, agreement_with_decoder_head=agreement(seed, lexicon, ev.knn))
    return ({"method": "self-learning", "corpus": corpora[0], "dictionary": ev.dictionary, **block,
             "seed_pairs": r.seed_pairs, "iterations": r.iterations, "vectors": [dict(v) for v in cfg.vectors],
             "joined": joined, "seconds": time.perf_counter() - t0, "device": "cpu"}, lexicon)


@dataclass
class Joined:
    """refine.join's outcome: the final lexicon, the tables' own self-learning, and why it is what it is."""

    lexicon: Lexicon
    tables: Refined  # the shared body's tables, self-learned from their own lexicon
    agreement: float  # share of B's frequent words whose top-1 the two self-learned spaces agree on
    kept: dict[str, float]  # per space ("vectors", "tables"): share of its own seed its self-learning kept
    used: str  # "joined", or the one space used alone when the two disagree: "vectors" | "tables"


def joined_lexicon(r: Refined, seed: dict[str, str], shared: Lexicon, cfg: RefineConfig, ev: EvalConfig,
                   run_dir: Path, resume: bool = True) -> Joined:
    """refine.join: the shared body's tables through the same self-learning, from their own lexicon
    (checkpointed in run_dir), joined to the refined vectors (seeded by `seed`) in one retrieval. Where
    the two spaces agree on fewer top-1 pairs than refine.join_agreement they found different alignments
    and joining mixes two unrelated maps; the space whose self-learning kept more of its seed is used alone."""
    from .align.ensemble import join
    from .refine import refine_own

    own_seed = shared.seed(ev.knn)
    own = refine_own(shared, own_seed, cfg, run_dir / "checkpoints" / "refine-shared", resume)
    vectors = Lexicon(*r.space, rerank=cfg.rerank, prior=r.prior)
    tables = Lexicon(*own.space, rerank=cfg.rerank)
    agreed = agreement(top1(vectors, ev.knn), tables, ev.knn)
    kept = {"vectors": agreement(seed, vectors, ev.knn), "tables": agreement(own_seed, tables, ev.knn)}
    if agreed >= cfg.join_agreement:
        lexicon, used = Lexicon(*join([r.space, own.space], (1 - cfg.join, cfg.join)), rerank=cfg.rerank,
                                prior=r.prior), "joined"
    else:
        used = max(kept, key=lambda space: kept[space])
        lexicon = vectors if used == "vectors" else tables
    return Joined(lexicon, own, agreed, kept, used)


def top1(lexicon: Lexicon, knn: int, words: list[str] | None = None) -> dict[str, str]:
    """Each of `words`' (default: B's UNSUPERVISED_WORDS most frequent) top-1 A word by plain CSLS (no
    re-ranking, no prior): the space's own reading, what `agreement` compares."""
    from .eval.retrieval import topk

    words = lexicon.src_words[:UNSUPERVISED_WORDS] if words is None else words
    index = {w: i for i, w in enumerate(lexicon.src_words)}
    rows = torch.tensor([index[w] for w in words], dtype=torch.long)
    _, best = topk(lexicon.src_emb.float(), lexicon.trg_emb.float(), k=1, method="csls", knn=knn, rows=rows)
    return {w: lexicon.trg_words[j] for w, j in zip(words, best[:, 0].tolist())}


def agreement(seed: dict[str, str], refined: Lexicon, knn: int) -> float:
    """Share of a lexicon's top-1 translations (a seed's: the decoder head's, unless refine.seed_from is
    shared; or another space's) that `refined` reads the same, over B's frequent words in both."""
    both = [w for w in refined.src_words[:UNSUPERVISED_WORDS] if w in seed]
    if not both:
        return 0.0
    mine = top1(refined, knn, both)
    return sum(mine[w] == seed[w] for w in both) / len(both)


def point_latest(run_dir: Path) -> None:
    """runs/latest -> runs/<name>, replaced atomically."""
    link = run_dir.parent / "latest"
    tmp = run_dir.parent / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_dir.name)
    os.replace(tmp, link)


SUFFIX = {"induce": ".decoder-head", "shared": ".shared-body", "refine": ""}  # a stage's lexicon and vector files
OUTPUTS = ("metrics.json", "report.md", "report.html", "lexicon.tsv", "lexicon.decoder-head.tsv",
           "lexicon.shared-body.tsv",
           "hits_by_rank.png", "training_curves.png", "bli_by_band.png")


def clear_outputs(run_dir: Path) -> None:
    """Drop a previous run's results (checkpoints stay, for resuming): a run cut short leaves
    no metrics.json, so nothing trusts a half-finished folder."""
    for name in OUTPUTS:
        (run_dir / name).unlink(missing_ok=True)
    for old in run_dir.glob("emb.*.vec"):
        old.unlink()


def write_outputs(run_dir: Path, cfg: RunConfig, metrics: dict[str, Any], stages: dict[str, Lexicon]
                  ) -> dict[str, list[tuple[str, float]]]:
    """Lexicons and vectors of each stage; the best stage's without a suffix. Returns its lexicon."""
    src, trg = cfg.languages
    best = "refine" if "refine" in stages else "induce"
    lexicons = {}
    for stage, lex in stages.items():
        suffix = SUFFIX[stage]
        lexicons[stage] = lex.translations(5, cfg.eval.knn)
        write_lexicon(run_dir / f"lexicon{suffix}.tsv", lexicons[stage])
        write_word2vec(run_dir / f"emb{suffix}.{src}.vec", lex.src_words, lex.src_emb)
        write_word2vec(run_dir / f"emb{suffix}.{trg}.vec", lex.trg_words, lex.trg_emb)
    if best == "induce":  # no refinement: the decoder head's files are the run's best
        for name in ("lexicon{}.tsv", f"emb{{}}.{src}.vec", f"emb{{}}.{trg}.vec"):
            (run_dir / name.format("")).write_bytes((run_dir / name.format(".decoder-head")).read_bytes())
    metrics["best"] = best
    return lexicons[best]


def run(cfg: RunConfig, workdir: Path, resume: bool = True, runtime: Runtime | None = None) -> dict[str, Any]:
    """Everything `make run` does; returns the metrics written to runs/<name>/metrics.json."""
    from .preflight import check_inputs
    from .report import write_report

    t0 = time.perf_counter()
    check_inputs(cfg, workdir)  # bad input ends here, before the run folder is touched
    stage_seconds: dict[str, float] = {"check_inputs": time.perf_counter() - t0}
    run_dir = workdir / cfg.name
    run_dir.mkdir(parents=True, exist_ok=True)
    clear_outputs(run_dir)
    write_json(run_dir / "config.json", asdict(cfg))
    corpora = (cfg.induce.corpus, cfg.lm.corpus)
    lap = time.perf_counter()
    lm = train_lm(cfg.lm, workdir, resume=resume, runtime=runtime)
    stage_seconds["lm"] = time.perf_counter() - lap
    metrics: dict[str, Any] = {"name": cfg.name, "languages": list(cfg.languages), "lm": lm_metrics(lm)}
    lap = time.perf_counter()
    metrics["recover"] = recover(lm, cfg.recover, cfg.eval, workdir, run_dir, resume, runtime) if cfg.recover else None
    stage_seconds["recover"] = time.perf_counter() - lap
    lap = time.perf_counter()
    metrics["induce"], induced = induce(lm, cfg.induce, cfg.eval, workdir, run_dir, resume, runtime)
    stage_seconds["induce"] = time.perf_counter() - lap
    stages = {"induce": induced}
    metrics["shared"] = metrics["refine"] = None
    if cfg.shared is not None:
        lap = time.perf_counter()
        metrics["shared"], stages["shared"] = shared_stage(lm, cfg, workdir, run_dir, resume, runtime)
        stage_seconds["shared"] = time.perf_counter() - lap
    if cfg.refine is not None:
        lap = time.perf_counter()
        metrics["refine"], stages["refine"] = refine_stage(stages[cfg.refine.seed_from], corpora, cfg.refine,
                                                           cfg.eval, workdir, run_dir, resume, stages.get("shared"))
        stage_seconds["refine"] = time.perf_counter() - lap
    lap = time.perf_counter()
    metrics["stage_seconds"] = {k: round(v, 1) for k, v in stage_seconds.items()}
    metrics["wall_seconds"] = time.perf_counter() - t0  # the report shows the time up to here
    lexicon = write_outputs(run_dir, cfg, metrics, stages)
    write_report(run_dir, cfg, metrics, lexicon)
    metrics["stage_seconds"]["outputs"] = round(time.perf_counter() - lap, 1)
    metrics["wall_seconds"] = time.perf_counter() - t0
    write_json(run_dir / "metrics.json", metrics)  # last: its presence marks a finished run
    point_latest(run_dir)
    return metrics
