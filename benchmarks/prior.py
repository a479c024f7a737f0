"""The decoder head inside refinement (align.prior): which way of keeping its scores, chosen on train.

    make bench-prior      (-> benchmarks/results/prior.json + README table)

Used as a seed only, the decoder head's evidence is gone after self-learning's first
Procrustes step. Each variant below keeps its scores (p(A word | B word): softmax of its CSLS
top-10 at temperature 0.05) in a different place of the main job's refinement, from the same
seed (the decoder head's pairs alone, without the identical strings the main job now adds) on
the same vectors: added to every shortlisted pair of every dictionary induction, to
the final retrieval only, or as anchor pairs kept in every Procrustes dictionary. Beds:
es-en.bible (parallel content) and es-en.ot-nt (non-parallel, where every vector method
collapses and the decoder head alone is the best row). P@1 (CSLS, re-ranked as the main job)
on the train split chooses, the test split reports; the chosen variant then runs on every
bed x 3 seeds in `make bench-beds` (its `PRIOR`). Rows resume from --out; the main job's runs
and the variants' self-learning resume from their checkpoints.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import torch
from beds import bed_config, decoder_head_stage, each_bed_seed, gold_splits

from decoder_head.align.prior import PriorConfig
from decoder_head.eval.retrieval import topk
from decoder_head.experiment import Lexicon, run
from decoder_head.files import read_json, read_rows
from decoder_head.refine import refine
from decoder_head.report.markdown import add_bench_args, replace_block, table_only

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- prior:start -->", "<!-- prior:end -->"
BEDS = ("es-en.bible", "es-en.ot-nt")
ALONE = "decoder head alone (no vectors)"
VARIANTS = {  # name -> refine.prior (align.prior.PriorConfig)
    ALONE: None,
    "seed only (the main job)": {},
    "final retrieval, weight 0.3": {"weight": 0.3, "induction": False},
    "final retrieval, weight 1": {"weight": 1.0, "induction": False},
    "inside + final, weight 0.3": {"weight": 0.3},
    "inside + final, weight 1": {"weight": 1.0},
    "anchors p >= 0.5": {"anchors": 0.5},
    "anchors p >= 0.9": {"anchors": 0.9},
    "anchors p >= 0.5 + final retrieval, weight 0.3": {"anchors": 0.5, "weight": 0.3, "induction": False},
}


def scored(row: dict, lexicon: Lexicon, gold: dict[str, dict[str, set[str]]], knn: int) -> dict:
    for part, g in gold.items():
        block = lexicon.scores(g, knn)
        row.update({f"p_at_1_{part}": block["csls"]["p_at_1"], f"p_at_1_noncognate_{part}": block["non_cognate"]["p_at_1"],
                    f"n_{part}": block["n_evaluated"]})
    print(f"prior: {row['bed']} s{row['seed']} {row['variant']}: train {row['p_at_1_train']:.1f} "
          f"test {row['p_at_1_test']:.1f}", flush=True)
    return row


CONFIDENCE = {"p, temperature 0.05": 0.05, "p, temperature 0.5": 0.5, "CSLS margin top-1 - top-2": None}
MOST_CONFIDENT = (25, 50, 100, 200)


def calibration(stage: Lexicon, train: dict[str, set[str]], knn: int = 10) -> dict[str, dict[str, float]]:
    """Precision (%) of the decoder head's top-1 on the train words among its n most confident, per
    confidence measure, and over all ("all"): is there a confident subset worth keeping?"""
    scores, best = topk(stage.src_emb.float(), stage.trg_emb.float(), k=10, method="csls", knn=knn)
    out = {}
    for name, temperature in CONFIDENCE.items():
        conf = (torch.softmax(scores / temperature, dim=1)[:, 0] if temperature else scores[:, 0] - scores[:, 1])
        hits = [stage.trg_words[int(best[i, 0])] in train[stage.src_words[i]]
                for i in conf.argsort(descending=True).tolist() if stage.src_words[i] in train]
        out[name] = {str(n): 100.0 * sum(hits[:n]) / len(hits[:n]) for n in MOST_CONFIDENT if hits}
        out[name]["all"] = 100.0 * sum(hits) / max(len(hits), 1)
    return out


def variant_rows(bed: str, seed: int, names: list[str], workdir: Path) -> list[dict]:
    cfg = bed_config(bed, seed)
    run(cfg, workdir)  # the main job (resumed): LM, induction, vectors, its refinement
    stage = decoder_head_stage(cfg, workdir)
    seed_lexicon = stage.seed(cfg.eval.knn)
    gold = gold_splits(cfg)
    rows = []
    if ALONE in names:  # what there is to keep: the decoder head's own lexicon, on the words it has
        rows.append(scored({"bed": bed, "seed": seed, "variant": ALONE, "prior": None, "iterations": 0,
                            "prior_pairs": 0, "precision_by_confidence": calibration(stage, gold["train"])},
                           stage, gold, cfg.eval.knn))
    for name in [n for n in names if n != ALONE]:
        prior = PriorConfig(**VARIANTS[name])
        # the decoder head's pairs alone seed every variant (as when these rows were measured, before the
        # main job's seed took identical strings); a loop no variant changes is beds.py's head-only row's
        rcfg = dataclasses.replace(cfg.refine, prior=prior, seed_identical=False)
        ckpt = (workdir / "prior" / f"{bed}.{list(VARIANTS).index(name)}.s{seed}" if prior.in_loop
                else workdir / "beds" / f"{bed}.decoder-head.s{seed}")
        r = refine(seed_lexicon, (cfg.induce.corpus, cfg.lm.corpus), workdir, rcfg, ckpt, stage=stage)
        lexicon = Lexicon(r.src_words, r.xw, r.trg_words, r.zw, rerank=rcfg.rerank, prior=r.prior)
        anchors = len(r.prior.anchors(prior.anchors)[0]) if r.prior is not None and prior.anchors else 0
        rows.append(scored({"bed": bed, "seed": seed, "variant": name, "prior": dataclasses.asdict(prior),
                            "iterations": r.iterations, "prior_pairs": len(r.prior) if r.prior is not None else 0,
                            "anchors": anchors}, lexicon, gold, cfg.eval.knn))
    return rows


def write_table(readme: Path, out: Path) -> None:
    rows = read_json(out)
    lines = ["P@1 (CSLS + the main job's re-ranking) of the main job's refinement with the decoder head's "
             "scores kept in different places (`make bench-prior`; train chooses, test reports):", "",
             "| bed | variant | P@1 train (n) | P@1 test (n) | P@1 non-cognate test | anchors | iterations | seed |",
             "|---|---|---|---|---|---|---|---|"]
    order = {v: i for i, v in enumerate(VARIANTS)}
    for r in sorted(rows, key=lambda r: (BEDS.index(r["bed"]), r["seed"], order.get(r["variant"], len(order)))):
        lines.append(f"| {r['bed']} | {r['variant']} | {r['p_at_1_train']:.1f} ({r['n_train']}) | "
                     f"{r['p_at_1_test']:.1f} ({r['n_test']}) | {r['p_at_1_noncognate_test']:.1f} | "
                     f"{r.get('anchors', 0) or '-'} | {r['iterations'] or '-'} | {r['seed']} |")
    lines += ["", "Is there a confident part to keep? Precision (%) of the decoder head's top-1 on the train words "
              "among its n most confident pairs:", "",
              "| bed | confidence | " + " | ".join(f"top {n}" for n in MOST_CONFIDENT) + " | all |",
              "|---|---|" + "---|" * (len(MOST_CONFIDENT) + 1)]
    for r in rows:
        for name, prec in (r.get("precision_by_confidence") or {}).items():
            cells = " | ".join(f"{prec[k]:.0f}" for k in [*map(str, MOST_CONFIDENT), "all"])
            lines.append(f"| {r['bed']} s{r['seed']} | {name} | {cells} |")
    replace_block(readme, START, END, lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beds", nargs="+", default=list(BEDS), choices=list(BEDS))
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    add_bench_args(ap, ROOT, "prior", "rewrite this README's prior table from --out")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    out = Path(args.out)

    def measure(bed: str, seed: int, held: list[dict]) -> list[dict]:
        todo = [v for v in args.variants if v not in {r["variant"] for r in held}]
        return variant_rows(bed, seed, todo, Path(args.workdir)) if todo else []

    each_bed_seed(args, read_rows(out), measure, key=lambda r: r["variant"])
    if args.readme:
        write_table(Path(args.readme), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
