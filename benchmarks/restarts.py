"""Which self-learning runs to average, and whether their average seeds a second round; chosen on train.

    make bench-restarts      (-> benchmarks/results/restarts.json + README table)

The main job averages `refine.runs` self-learning runs from one seed dictionary (align.ensemble).
Where the runs land in different basins (comparable text with no shared spelling), the worse ones
pull the average down, and self-learning's own objective (mean best cosine, no gold) tells them
apart. Per bed x seed this runs the main job's self-learning `RUNS` (6) times alone from the decoder
head's seed (RNG seeds `run_seed(seed, 6, k)`, what `refine.runs: 6` would draw; each run a
checkpoint under runs/restarts/), scores every run on the train and test splits, then every
`POLICIES` entry: which of the runs to average (`kept_runs` by objective, then `combine`), and each
`LATER_ROUNDS` entry: the first three runs' average seeds as many runs again, whose average seeds the
next round (`refine.rounds: 2` or 3, refine.next_round; checkpoints under
runs/restarts/<bed>.s<seed>/round<n>). The choice is the policy with the best train P@1 averaged over
beds; test only reports.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
from pathlib import Path
from typing import Sequence

from beds import aligned_spaces, bed_config, decoder_head_stage, each_bed_seed, gold_splits
from decoder_head.align.ensemble import combine, kept_runs, run_seed
from decoder_head.data.beds import BEDS, prepare
from decoder_head.experiment import Lexicon
from decoder_head.files import read_json, read_rows
from decoder_head.refine import Refined, next_round, refine
from decoder_head.report.markdown import add_bench_args, mean_std, replace_block, table_only

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- restarts:start -->", "<!-- restarts:end -->"
RUNS = 6


# name -> (n, tolerance): of the first n runs, those `kept_runs` keeps (tolerance None: all n)
POLICIES: dict[str, tuple[int, float | None]] = {
    "1 run": (1, None),
    "3 runs averaged": (3, None),
    "3 runs, within 0.005 of the best": (3, 0.005),
    "6 runs averaged": (6, None),
    "6 runs, the best alone": (6, 0.0),
    "6 runs, within 0.002 of the best": (6, 0.002),
    "6 runs, within 0.005 of the best": (6, 0.005),
    "6 runs, within 0.01 of the best": (6, 0.01),
}


# The first round of the later-round policies: the first FIRST_ROUND runs, averaged (refine.runs: 3)
FIRST_ROUND = 3
# name -> refine.rounds: rounds of FIRST_ROUND runs, each seeded by the last round's average
LATER_ROUNDS: dict[str, int] = {
    "3 runs averaged, then a second round of 3 from their average": 2,
    "3 runs averaged, then two more rounds of 3, each from the last average": 3,
}


def picked(runs: Sequence, n: int, tolerance: float | None) -> list[int]:
    """Indices of the runs (anything with an `objective`) a policy averages: what `refine.runs: n`
    with `refine.keep_within: tolerance` would keep."""
    kept = kept_runs(runs[:n], tolerance)
    return [i for i, r in enumerate(runs[:n]) if any(r is k for k in kept)]


def single_runs(bed: str, seed: int, runs: int, workdir: Path) -> tuple[list[Refined], dict, object]:
    """The main job's self-learning, `runs` times alone from the decoder head's seed (resumed from
    runs/restarts/<bed>.s<seed>/run<k>); with the bed's gold splits and config."""
    prepare(bed, ROOT, cache_dir=str(workdir / "cache"))
    cfg = bed_config(bed, seed)
    stage = decoder_head_stage(cfg, workdir)
    head_seed = stage.seed(cfg.eval.knn)
    out = []
    for k in range(runs):
        sl = dataclasses.replace(cfg.refine.self_learning, seed=run_seed(seed, runs, k))
        rcfg = dataclasses.replace(cfg.refine, runs=1, keep_within=None, rounds=1, self_learning=sl)
        out.append(refine(head_seed, (cfg.induce.corpus, cfg.lm.corpus), workdir, rcfg,
                          workdir / "restarts" / f"{bed}.s{seed}" / f"run{k}", stage=stage, progress=False))
    return out, gold_splits(cfg), cfg


def later_rounds(first: Sequence[Refined], rounds: int, cfg, workdir: Path, run_dir: Path) -> list:
    """Rounds 2..`rounds` after these first-round runs (`refine.rounds: rounds`): each as many runs
    again, seeded by the last round's average (refine.next_round; round n checkpointed under
    run_dir/round<n>). Returns each later round's averaged result, round 2 first."""
    sw, x, tw, z = aligned_spaces(cfg, workdir)
    rcfg = dataclasses.replace(cfg.refine, runs=len(first), keep_within=None)
    key = "round 2 after " + ", ".join(f"{r.objective:.8f}" for r in first)
    space, out = combine([(r.xw, r.zw) for r in first]), []
    for n in range(2, rounds + 1):
        r = next_round(x, z, sw, tw, space, rcfg, run_dir / f"round{n}", key, progress=False, words=(sw, tw))
        out.append(r)
        space, key = (r.xw, r.zw), f"round {n + 1} after {r.objective:.8f}"
    return out


def measure(bed: str, seed: int, runs: int, workdir: Path) -> dict:
    """One bed x seed: every run's objective and P@1, and every policy's kept runs and P@1."""
    results, gold, cfg = single_runs(bed, seed, runs, workdir)
    sw, tw = results[0].src_words, results[0].trg_words

    def p_at_1(xw, zw) -> dict[str, float]:
        lexicon = Lexicon(sw, xw, tw, zw, rerank=cfg.refine.rerank)
        return {split: round(lexicon.scores(gold[split], cfg.eval.knn)["csls"]["p_at_1"], 1) for split in gold}

    single = [{"rng": run_seed(seed, runs, k), "objective": r.objective, "iterations": r.iterations,
               **p_at_1(r.xw, r.zw)} for k, r in enumerate(results)]
    policies = {}
    for name, (n, tolerance) in POLICIES.items():
        if n > runs:
            continue
        kept = picked(results, n, tolerance)
        policies[name] = {"kept": kept, **p_at_1(*combine([(results[i].xw, results[i].zw) for i in kept]))}
    later = later_rounds(results[:FIRST_ROUND], max(LATER_ROUNDS.values()), cfg, workdir,
                         workdir / "restarts" / f"{bed}.s{seed}")
    for name, rounds in LATER_ROUNDS.items():
        r = later[rounds - 2]
        policies[name] = {"kept": list(range(FIRST_ROUND)), "objective": r.objective, **p_at_1(r.xw, r.zw)}
    return {"bed": bed, "seed": seed, "runs": single, "policies": policies}


def write_table(readme: Path, out: Path) -> None:
    """Per policy: train and test P@1 per bed (mean +- std over seeds), runs kept, the train mean over beds."""
    rows = read_json(out)
    beds = [b for b in BEDS if any(r["bed"] == b for r in rows)]
    lines = ["P@1 (CSLS + the recipe's re-ranking) of the main job's self-learning when the runs averaged are "
             f"chosen by their objective, or their average seeds later rounds, from the same {RUNS} runs per "
             "bed x seed (`make bench-restarts`); "
             "mean +- std over seeds (how many in the header), runs kept in brackets; the choice is the "
             "train mean over beds:", "",
             "| policy | " + " | ".join(f"{b} train ({sum(r['bed'] == b for r in rows)})" for b in beds)
             + " | train mean over beds | " + " | ".join(f"{b} test" for b in beds) + " |",
             "|---|" + "---|" * (2 * len(beds) + 1)]
    for name in list(POLICIES) + list(LATER_ROUNDS):
        cells, tests, means = [], [], []
        for b in beds:
            mine = [r["policies"][name] for r in rows if r["bed"] == b and name in r["policies"]]
            kept = statistics.mean(len(p["kept"]) for p in mine) if mine else 0
            cells.append(f"{mean_std([p['train'] for p in mine], 1, ' +- ')} ({kept:.1f})" if mine else "-")
            tests.append(mean_std([p["test"] for p in mine], 1, " +- "))
            if mine:
                means.append(statistics.mean(p["train"] for p in mine))
        mean = f"{statistics.mean(means):.1f}" if len(means) == len(beds) else "-"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {mean} | " + " | ".join(tests) + " |")
    lines += ["", "Each run alone (objective: self-learning's mean best cosine; P@1 train / test):", "",
              "| bed | seed | " + " | ".join(f"run {k}" for k in range(RUNS)) + " |", "|---|---|" + "---|" * RUNS]
    for r in rows:
        lines.append(f"| {r['bed']} | {r['seed']} | " + " | ".join(
            f"{x['objective']:.4f}: {x['train']:.1f} / {x['test']:.1f}" for x in r["runs"]) + " |")
    replace_block(readme, START, END, lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beds", nargs="+", choices=list(BEDS), default=[
        "es-en.bible", "es-en.cipher", "es-en.wiki.cipher", "de-en.bible", "es-en.wiki"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2],
                    help="es-en.wiki's table rows are seed 0's alone (~25 minutes a seed on 2 cores)")
    add_bench_args(ap, ROOT, "restarts", "rewrite this README's restarts table from --out")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    # every pair is measured again: its runs resume from their checkpoints, new policies are added
    each_bed_seed(args, read_rows(Path(args.out)),
                  lambda bed, seed, held: [measure(bed, seed, RUNS, Path(args.workdir))])
    if args.readme:
        write_table(Path(args.readme), Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
