"""The default recipe on every test bed, against seeds that need no decoder head.

    make bench-beds      (-> benchmarks/results/beds.json + README table)

The test beds are `decoder_head.data.beds.BEDS` (es-en, de-en and en-es Bibles, es-en and en-es
Wikipedia leads, non-parallel OT/NT halves, two cipher beds; data/bli/README.md says how each
yardstick was built).

Per bed and seed (0, 1, 2) the main job runs as `decoder-head run` would (`presets/default.yaml`,
es-en hyperparameters unchanged, recovery off: the decoder head's pairs, then identical strings for
the other words, seed self-learning), then the same self-learning, on the same vectors, starts from
the decoder head's pairs alone (the main job before refine.seed_identical) and three other seeds:
    identical strings      words spelled the same on both sides (the orthographic baseline)
    unsupervised           Artetxe et al. 2018's similarity-distribution seed (VecMap, no supervision)
    500 train pairs        the train split's 500 most frequent source words with a translation:
                           cheap supervision (Vulic et al. 2019: unsupervised methods rarely beat it)
and once more from the decoder head's seed with its scores kept inside (`PRIOR`, align.prior).
A last row is the supervised reference: every train pair seeds self-learning and stays in every
Procrustes step (what these vectors give with the train dictionary in hand).
With --shared the bed x seed runs `presets/shared.yaml` instead (a shared body, one LM on both texts with
a table per language, joined to the vectors in the final retrieval) and adds its rows: the tables alone,
the tables through the same self-learning (still no word vectors), the vectors seeded by the tables'
lexicon, and the preset's joined lexicon.
A bed x seed missing some rows reruns only those (and the main job's two, from its resumed run).
Rows are kept per recipe vectors (`vectors`: the refine.vectors methods, e.g. "fasttext | ppmi"):
a new recipe measures its own rows and the old ones stay in the table as what that recipe gave.
Rows report P@1 (CSLS, with the recipe's orthographic re-ranking) on the test split and on its
non-cognate words. Everything resumes: runs from their checkpoints, rows from --out.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

import torch

from decoder_head.align.prior import PriorConfig
from decoder_head.align.seeds import identical_seed, similarity_seed
from decoder_head.align.ensemble import ensemble_self_learning
from decoder_head.align.spaces import space_for, spec_list
from decoder_head.config import load_run_config
from decoder_head.data.beds import BEDS, prepare
from decoder_head.data.dictionary import read_muse
from decoder_head.errors import DecoderHeadError
from decoder_head.eval.bli import read_lexicon
from decoder_head.eval.retrieval import normalize
from decoder_head.experiment import Lexicon, induce, joined_lexicon, run, shared_stage
from decoder_head.files import read_json, read_rows, write_json
from decoder_head.refine import refine
from decoder_head.report.markdown import add_bench_args, mean_std, replace_block, table_only
from decoder_head.train.pretrain import train_lm

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- beds:start -->", "<!-- beds:end -->"
SUPERVISED_PAIRS = 500
MAIN = "decoder head + identical strings -> self-learning (the main job)"
HEAD_ONLY = "decoder head -> self-learning (its pairs only)"
PRIOR_METHOD = "decoder head -> self-learning, its scores kept"
# How the decoder head's scores stay in refinement (align.prior.PriorConfig): the best mean train P@1
# over es-en.bible and es-en.ot-nt (benchmarks/prior.py, README: "The decoder head inside refinement").
PRIOR = {"anchors": 0.5}
REFERENCE = "all train pairs, kept as anchors -> self-learning (supervised)"
METHODS = ("decoder head alone", MAIN, HEAD_ONLY, "identical strings -> self-learning",
           "unsupervised (similarity seed) -> self-learning", f"{SUPERVISED_PAIRS} train pairs -> self-learning",
           PRIOR_METHOD, REFERENCE)
# short names for --methods: the rows beside the main job's two, which every bed x seed measures
OPTIONAL = dict(zip(("head", "identical", "unsupervised", "pairs", "prior", "reference"), METHODS[2:]))
JOINED = "decoder head + identical strings -> self-learning, joined with the shared body's tables (preset shared)"
# the tables' own self-learned space, the joined row's other half: the preset's lexicon with no word vectors
TABLES_OWN = "shared body's tables -> self-learning (no word vectors)"
SHARED_METHODS = ("shared body alone", TABLES_OWN, "shared body -> self-learning", JOINED)


def bed_config(bed: str, seed: int, shared: bool = False):
    """The main job's config on a bed (`decoder-head run --bed BED`), recovery off, at one seed; with
    `shared`, `presets/shared.yaml`'s (the shared body, its tables joined: README "A shared body") in
    a run folder of its own."""
    preset, seeded = ("shared", [f"shared.train.seed={seed}"]) if shared else ("default", [])
    return load_run_config(preset, [
        f"name={bed}{'.shared' if shared else ''}.s{seed}", *BEDS[bed].overrides(), "recover=null",
        f"induce.train.seed={seed}", f"refine.self_learning.seed={seed}", *seeded])


def as_lexicon(src_idx: torch.Tensor, trg_idx: torch.Tensor, sw: list[str], tw: list[str]) -> dict[str, str]:
    """Seed pairs as a lexicon in B's frequency order (a word's first pair)."""
    lexicon: dict[str, str] = {}
    for i, j in sorted(zip(src_idx.tolist(), trg_idx.tolist())):
        lexicon.setdefault(sw[i], tw[j])
    return lexicon


def supervised_lexicon(train: dict[str, set[str]], sw: list[str], tw: list[str], n: int) -> dict[str, str]:
    """The n most frequent source words of the train split with vectors, each with its most frequent translation."""
    t_rank = {w: i for i, w in enumerate(tw)}
    lexicon: dict[str, str] = {}
    for s in sw:
        known = [t for t in train.get(s, ()) if t in t_rank]
        if known:
            lexicon[s] = min(known, key=t_rank.__getitem__)
        if len(lexicon) == n:
            break
    return lexicon


def decoder_head_stage(cfg, workdir: Path) -> Lexicon:
    """The main job's decoder-head lexicon (its finished LM and induction, resumed)."""
    lm = train_lm(cfg.lm, workdir)
    return induce(lm, cfg.induce, cfg.eval, workdir, workdir / cfg.name)[1]


@contextmanager
def latest_kept(workdir: Path):
    """runs/latest stays the user's last run while benchmark runs come and go."""
    latest = workdir / "latest"
    before = os.readlink(latest) if latest.is_symlink() else None
    yield
    if before is not None:
        latest.unlink(missing_ok=True)
        latest.symlink_to(before)


def each_bed_seed(args: argparse.Namespace, rows: list[dict], measure: Callable[[str, int, list[dict]], list[dict]],
                  key: Callable[[dict], object] | None = None) -> list[dict]:
    """`rows` with measure(bed, seed, held) for every --beds x --seeds pair, `held` being the rows
    that pair has already. The rows it returns replace the held rows with the same `key` (every
    held row when `key` is None); none returned: nothing to do. --out is written after each pair,
    so a killed run keeps what it measured."""
    with latest_kept(Path(args.workdir)):
        for bed in args.beds:
            for seed in args.seeds:
                held = [r for r in rows if (r["bed"], r["seed"]) == (bed, seed)]
                new = measure(bed, seed, held)
                if not new:
                    continue
                keys = None if key is None else {key(n) for n in new}
                gone = {id(r) for r in held if keys is None or key(r) in keys}
                rows = [r for r in rows if id(r) not in gone] + new
                write_json(Path(args.out), rows)
    return rows


def once(measure: Callable[[str, int], dict]) -> Callable[[str, int, list[dict]], list[dict]]:
    """each_bed_seed's measure for benches with one row per pair, measured only where none is held."""
    return lambda bed, seed, held: [] if held else [measure(bed, seed)]


def aligned_spaces(cfg, workdir: Path) -> tuple[list[str], torch.Tensor, list[str], torch.Tensor]:
    """B's and A's recipe vectors, normalised as refine normalises them: (sw, x, tw, z)."""
    sw, x = space_for(cfg.induce.corpus, workdir, cfg.refine.vectors)
    tw, z = space_for(cfg.lm.corpus, workdir, cfg.refine.vectors)
    return sw, normalize(x.float(), center=True), tw, normalize(z.float(), center=True)


def train_split(cfg) -> dict[str, set[str]]:
    return read_muse(str(cfg.eval.dictionary).replace(".test.", ".train."))


def gold_splits(cfg) -> dict[str, dict[str, set[str]]]:
    """The bed's yardstick: the train split (where choices are made) and the test split (what is reported)."""
    return {"train": train_split(cfg), "test": read_muse(cfg.eval.dictionary)}


def seeds_without_decoder_head(cfg, workdir: Path, wanted: set[str]) -> dict[str, dict[str, str]]:
    """The wanted baselines' seed lexicons; identical strings only where the two sides share some
    (between two scripts there is no such row: the cipher beds)."""
    sw, x, tw, z = aligned_spaces(cfg, workdir)
    sl = cfg.refine.self_learning
    makers = {
        "identical strings -> self-learning": lambda: as_lexicon(*identical_seed(sw, tw), sw, tw),
        "unsupervised (similarity seed) -> self-learning": lambda: as_lexicon(
            *similarity_seed(x, z, 4000, sl.csls_knn, sl.candidates), sw, tw),
        f"{SUPERVISED_PAIRS} train pairs -> self-learning": lambda: supervised_lexicon(
            train_split(cfg), sw, tw, SUPERVISED_PAIRS),
    }
    seeds = {}
    for method, make in makers.items():
        if method in wanted:
            try:
                seeds[method] = make()
            except DecoderHeadError as exc:
                print(f"{cfg.name}: no row '{method}': {exc}", file=sys.stderr)
    return seeds


def anchored_self_learning(pairs: Iterable[tuple[str, str]], cfg, workdir: Path) -> Lexicon:
    """Self-learning on the recipe's vectors from word pairs (those with vectors on both sides), each
    pair kept in every Procrustes step (no checkpoint: about a minute on a Bible)."""
    sw, x, tw, z = aligned_spaces(cfg, workdir)
    s_index, t_index = {w: i for i, w in enumerate(sw)}, {w: i for i, w in enumerate(tw)}
    rows = sorted({(s_index[s], t_index[t]) for s, t in pairs if s in s_index and t in t_index})
    if not rows:
        raise SystemExit(f"{cfg.name}: no pair has vectors on both sides")
    src, trg = (torch.tensor(col) for col in zip(*rows))
    r = ensemble_self_learning(x, z, src, trg, cfg.refine.self_learning, cfg.refine.runs,
                               keep_within=cfg.refine.keep_within, progress=False,
                               words=(sw, tw), anchors=(src, trg))
    return Lexicon(sw, r.xw, tw, r.zw, rerank=cfg.refine.rerank)


def supervised_reference(cfg, workdir: Path) -> Lexicon:
    """Every train pair as seed and anchors: how far these vectors go with the dictionary in hand."""
    return anchored_self_learning(((s, t) for s, ts in train_split(cfg).items() for t in ts), cfg, workdir)


def vectors_label(cfg) -> str:
    """The recipe's vector spaces by method and its self-learning runs and rounds, e.g. "fasttext | ppmi",
    "fasttext | ppmi, 3 runs" or "fasttext | ppmi, 3 runs, 2 rounds": what a row was measured on."""
    runs = f", {cfg.refine.runs} runs" if cfg.refine.runs > 1 else ""
    runs += f", {cfg.refine.rounds} rounds" if cfg.refine.rounds > 1 else ""
    return " | ".join(spec.get("method", "skipgram") for spec in spec_list(cfg.refine.vectors)) + runs


def row(bed: str, seed: int, method: str, block: dict, vectors: str, train: dict | None = None) -> dict:
    """A table row: the test split's block, and P@1 on the train split (what choices are made on) when scored."""
    return {"bed": bed, "seed": seed, "method": method, "vectors": vectors, "p_at_1_csls": block["csls"]["p_at_1"],
            "p_at_1_noncognate": block["non_cognate"]["p_at_1"], "n_noncognate": block["non_cognate"]["n"],
            "coverage": block["coverage"], "n_evaluated": block["n_evaluated"],
            **({"p_at_1_train": train["csls"]["p_at_1"]} if train is not None else {})}


def bed_rows(bed: str, seed: int, workdir: Path, wanted: set[str]) -> list[dict]:
    """The wanted methods' rows of one bed x seed, plus the main job's two (its run gives them anyway,
    and a row beside them must come from the same run), each scored on the test and the train split."""
    shared = bool(wanted & set(SHARED_METHODS))
    prepare(bed, ROOT, cache_dir=str(workdir / "cache"))
    cfg = bed_config(bed, seed, shared)
    metrics = run(cfg, workdir)  # resumes: LM, vectors, induction, shared body and refinement are cached
    vectors = vectors_label(cfg)
    gold = gold_splits(cfg)
    corpora = (cfg.induce.corpus, cfg.lm.corpus)

    def scored(method: str, lexicon: Lexicon) -> dict:
        return row(bed, seed, method, lexicon.scores(gold["test"], cfg.eval.knn), vectors,
                   lexicon.scores(gold["train"], cfg.eval.knn))

    def refined(lexicon: dict[str, str], rcfg, ckpt: Path, stage: Lexicon | None = None) -> Lexicon:
        r = refine(lexicon, corpora, workdir, rcfg, ckpt, stage=stage)
        return Lexicon(*r.space, rerank=rcfg.rerank, prior=r.prior)

    stage = decoder_head_stage(cfg, workdir)
    head_seed = stage.seed(cfg.eval.knn)
    main_job = refine(head_seed, corpora, workdir, cfg.refine, workdir / cfg.name / "checkpoints" / "refine",
                      stage=stage)
    rows = [scored("decoder head alone", stage),
            scored(MAIN, Lexicon(*main_job.space, rerank=cfg.refine.rerank, prior=main_job.prior))]
    # every row but the main job's seeds from its own pairs alone (no identical strings added)
    own_seed = dataclasses.replace(cfg.refine, seed_identical=False)
    seeds = seeds_without_decoder_head(cfg, workdir, wanted)
    if shared:
        rows.append(row(bed, seed, "shared body alone", metrics["shared"], vectors))
        seeds["shared body -> self-learning"] = read_lexicon(workdir / cfg.name / "lexicon.shared-body.tsv")
        if wanted & {JOINED, TABLES_OWN}:  # what the run's own refine stage gave, scored on both splits
            body = shared_stage(train_lm(cfg.lm, workdir), cfg, workdir, workdir / cfg.name)[1]
            joined = joined_lexicon(main_job, head_seed, body, cfg.refine, cfg.eval, workdir / cfg.name)
            if TABLES_OWN in wanted:
                rows.append(scored(TABLES_OWN, Lexicon(*joined.tables.space, rerank=cfg.refine.rerank)))
            if JOINED in wanted:  # which space the preset used: both joined, or one alone (refine.join_agreement)
                rows.append(scored(JOINED, joined.lexicon) | {"used": joined.used, "agreement": joined.agreement})
    for method, lexicon in seeds.items():
        if method in wanted:
            slug = method.split(" ->")[0].replace(" ", "-")
            rows.append(scored(method, refined(lexicon, own_seed, workdir / "beds" / f"{bed}.{slug}.s{seed}")))
    # the decoder head's pairs alone, and with its scores kept inside
    for method, rcfg, slug in ((HEAD_ONLY, own_seed, "decoder-head"),
                               (PRIOR_METHOD, dataclasses.replace(own_seed, prior=PriorConfig(**PRIOR)), "prior")):
        if method in wanted:
            rows.append(scored(method, refined(head_seed, rcfg, workdir / "beds" / f"{bed}.{slug}.s{seed}", stage)))
    if REFERENCE in wanted:
        rows.append(scored(REFERENCE, supervised_reference(cfg, workdir)))
    return rows


def _cell(vals: list[float]) -> str:
    return mean_std(vals, 1, " +- ")


def write_table(readme: Path, out: Path, vectors: str) -> None:
    """Per bed, the current recipe's rows (`vectors`) first, then those of older recipes."""
    rows = read_json(out)
    lines = ["P@1 (CSLS) on each bed's test split, mean +- std over seeds; non-cognate: gold pairs no "
             "translation of which is spelled alike; train P@1: the same on the train split, where recipe "
             "choices are made (rows from before it was scored: -); vectors: the recipe's spaces the "
             "self-learning rows aligned (`make bench-beds`):", "",
             "| bed | vectors | method | P@1 | P@1 non-cognate (n) | train P@1 | coverage | seeds |",
             "|---|---|---|---|---|---|---|---|"]
    order = METHODS + SHARED_METHODS  # rows of a bed x seed are re-measured in any order
    for bed in BEDS:
        mine = [r for r in rows if r["bed"] == bed]
        groups = sorted({(r["vectors"], r["method"]) for r in mine}, key=lambda g: (
            g[0] != vectors, g[0], order.index(g[1]) if g[1] in order else len(order), g[1]))
        for label, method in groups:
            cell = [r for r in mine if (r["vectors"], r["method"]) == (label, method)]
            train = [r["p_at_1_train"] for r in cell if "p_at_1_train" in r]
            partial = f" ({len(train)} seeds)" if 0 < len(train) < len(cell) else ""
            alone = [r["used"] for r in cell if r.get("used", "joined") != "joined"]  # refine.join_agreement
            if alone:
                method += (f": the {' / '.join(sorted(set(alone)))} alone in {len(alone)} of {len(cell)} seeds "
                           "(the spaces disagreed)")
            lines.append(f"| {bed} | {label.replace('|', '&#124;')} | {method} | {_cell([r['p_at_1_csls'] for r in cell])} | "
                         f"{_cell([r['p_at_1_noncognate'] for r in cell])} ({cell[0]['n_noncognate']}) | "
                         f"{_cell(train)}{partial} | {statistics.mean(r['coverage'] for r in cell):.2f} | {len(cell)} |")
    replace_block(readme, START, END, lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beds", nargs="+", default=list(BEDS), choices=list(BEDS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--shared", action="store_true",
                    help="add the shared-body rows (presets/shared.yaml: ~35 min more per bed and seed on 2 cores)")
    ap.add_argument("--methods", nargs="*", choices=list(OPTIONAL), default=list(OPTIONAL),
                    help="rows to measure besides the main job's two (default: all; none: only those two; a slow "
                         "bed can measure the alignment baselines first and the others on a later run)")
    ap.add_argument("--rescore", action="store_true",
                    help="measure the chosen rows again even where --out has them (from their checkpoints: "
                         "what gives rows from before the train column their train P@1)")
    add_bench_args(ap, ROOT, "beds", "rewrite this README's test-bed table from --out")
    args = ap.parse_args(argv)
    vectors = vectors_label(bed_config(next(iter(BEDS)), 0))  # the recipe's, the same on every bed
    if table_only(ap, args, lambda readme, out: write_table(readme, out, vectors)):
        return 0
    out = Path(args.out)

    def measure(bed: str, seed: int, held: list[dict]) -> list[dict]:
        done = set() if args.rescore else {r["method"] for r in held if r["vectors"] == vectors}
        wanted = set(METHODS[:2] + tuple(OPTIONAL[m] for m in args.methods)
                     + (SHARED_METHODS if args.shared else ())) - done
        return bed_rows(bed, seed, Path(args.workdir), wanted) if wanted else []

    each_bed_seed(args, read_rows(out), measure, key=lambda r: (r["method"], r["vectors"]))
    if args.readme:
        write_table(Path(args.readme), out, vectors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
