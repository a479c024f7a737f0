"""Where do several decoder heads agree, and are they right there? Agreement as the confidence
that the decoder head's own scores lack.

    make bench-agreement      (-> benchmarks/results/agreement.json + README table)

The decoder head's CSLS margin and softmax p do not single out its right pairs (README: "The
decoder head inside refinement"). Three inductions of one bed that differ only in their seed
(`make bench-beds` leaves them in runs/<bed>.s0, .s1, .s2) make different mistakes; a pair all
three pick is a pair the frozen body keeps pointing at. Per bed: precision on the train split
of the top-1 pairs of seed 0 alone, of the pairs seeds 0 and 1 agree on and of those all three
agree on; then self-learning on the recipe's vectors from the all-agree pairs, kept as anchors
in every Procrustes step (seed 0's self-learning seed), P@1 on train and test, beside the main
job of seed 0 from the test-bed table. The three inductions cost three times one: this is a
measurement of the lever, not (yet) the main job.

With --induction, the all-agree pairs also start a fourth induction per seed on their rows
(`induce.anchors`, a pair file: mapping/init.py), everything else as the bed's main job; its
decoder head alone is scored on train and test, on all words and on the words outside the
agreed pairs (what the anchors did not hand it), beside the same seed's plain decoder head.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from beds import anchored_self_learning, bed_config, decoder_head_stage, gold_splits, latest_kept

from decoder_head.data.beds import BEDS
from decoder_head.data.dictionary import write_muse
from decoder_head.eval.bli import read_lexicon
from decoder_head.files import read_json, read_rows, write_json
from decoder_head.report.markdown import add_bench_args, mean_std, replace_block, table_only

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- agreement:start -->", "<!-- agreement:end -->"
SEEDS = (0, 1, 2)
PARTS = {"seed 0 alone": (0,), "seeds 0 and 1 agree": (0, 1), "all 3 seeds agree": SEEDS}


def agreed(lexicons: list[dict[str, str]]) -> dict[str, str]:
    """The pairs every lexicon has (same B word, same top-1 A word), in the first one's order."""
    return {s: t for s, t in lexicons[0].items() if all(lex.get(s) == t for lex in lexicons[1:])}


def precision(pairs: dict[str, str], gold: dict[str, set[str]]) -> tuple[int, float | None]:
    """(train words among the pairs, % of them whose pair is a gold translation)."""
    hits = [t in gold[s] for s, t in pairs.items() if s in gold]
    return len(hits), (100.0 * sum(hits) / len(hits) if hits else None)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def lexicon_path(bed: str, seed: int, workdir: Path) -> Path:
    """A beds run's decoder-head lexicon (clear exit when the beds benchmark has not made it)."""
    path = workdir / bed_config(bed, seed).name / "lexicon.decoder-head.tsv"
    if not path.is_file():
        raise SystemExit(f"agreement: {path} is missing; run `benchmarks/beds.py --beds {bed}` first")
    return path


def bed_rows(bed: str, workdir: Path, heads: list[dict[str, str]]) -> list[dict]:
    cfg = bed_config(bed, 0)
    gold = gold_splits(cfg)
    rows = []
    for name, seeds in PARTS.items():
        pairs = agreed([heads[s] for s in seeds])
        n, prec = precision(pairs, gold["train"])
        rows.append({"bed": bed, "pairs": name, "n_pairs": len(pairs), "n_train_words": n, "precision_train": prec})
    lexicon = anchored_self_learning(agreed(heads).items(), cfg, workdir)
    for part, g in gold.items():
        rows[-1][f"anchored_p_at_1_{part}"] = lexicon.scores(g, cfg.eval.knn)["csls"]["p_at_1"]
    print(f"agreement: {bed}: " + "; ".join(f"{r['pairs']} {r['n_pairs']} pairs, {percent(r['precision_train'])}% "
                                           f"right on {r['n_train_words']} train words" for r in rows), flush=True)
    return rows


def induction_rows(bed: str, workdir: Path, heads: list[dict[str, str]]) -> list[dict]:
    """Per seed: the plain decoder head and one whose induction starts the all-agree pairs on their rows."""
    pairs = agreed(heads)
    anchors = workdir / f"{bed}.agreed.txt"
    write_muse(anchors, {s: {t} for s, t in pairs.items()})
    gold = gold_splits(bed_config(bed, 0))
    outside = {part: {w: ts for w, ts in g.items() if w not in pairs} for part, g in gold.items()}
    rows = []
    for seed in SEEDS:
        plain = bed_config(bed, seed)
        anchored = dataclasses.replace(plain, name=f"{bed}.agreed.s{seed}",
                                       induce=dataclasses.replace(plain.induce, anchors=str(anchors)))
        row = {"bed": bed, "seed": seed, "anchors": len(pairs)}
        for label, cfg in (("plain", plain), ("anchored", anchored)):
            lexicon = decoder_head_stage(cfg, workdir)  # resumes the beds' runs; trains the anchored ones
            for part, g in gold.items():
                row[f"{label}_{part}"] = lexicon.scores(g, cfg.eval.knn)["csls"]["p_at_1"]
                row[f"{label}_{part}_outside"] = lexicon.scores(outside[part], cfg.eval.knn)["csls"]["p_at_1"]
        print(f"agreement: {bed} seed {seed}: decoder head {row['plain_test']:.1f} -> anchored induction "
              f"{row['anchored_test']:.1f} test P@1", flush=True)
        rows.append(row)
    return rows


def induction_lines(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    lines = ["", "A fourth induction per seed with the all-agree pairs starting on their rows (`--induction`), its "
             "decoder head alone against the plain one of the same seed; outside = words not among the agreed pairs:",
             "", "| bed | agreed pairs | plain: train / test | anchored: train / test | plain outside: train / test | "
             "anchored outside: train / test | seeds |", "|---|---|---|---|---|---|---|"]
    for bed in BEDS:
        mine = [r for r in rows if r["bed"] == bed]
        if not mine:
            continue
        cells = [" / ".join(mean_std([r[f"{label}_{part}{where}"] for r in mine], 1, " +- ")
                            for part in ("train", "test"))
                 for where in ("", "_outside") for label in ("plain", "anchored")]
        lines.append(f"| {bed} | {mine[0]['anchors']} | " + " | ".join(cells) + f" | {len(mine)} |")
    return lines


def write_table(readme: Path, out: Path) -> None:
    rows = read_json(out)
    induction = [r for r in rows if "seed" in r]
    rows = [r for r in rows if "seed" not in r]
    lines = ["The decoder heads of a bed's 3 seeds: how many top-1 pairs they agree on, how often those are right "
             "(train split), and self-learning with the all-agree pairs kept as anchors (`make bench-agreement`):", "",
             "| bed | pairs | n pairs | train words among them | precision on train % | anchored: P@1 train | "
             "anchored: P@1 test |", "|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (list(BEDS).index(r["bed"]), list(PARTS).index(r["pairs"]))):
        anchored_cells = " | ".join(f"{r[k]:.1f}" if k in r else "-" for k in ("anchored_p_at_1_train",
                                                                               "anchored_p_at_1_test"))
        lines.append(f"| {r['bed']} | {r['pairs']} | {r['n_pairs']} | {r['n_train_words']} | "
                     f"{percent(r['precision_train'])} | {anchored_cells} |")
    replace_block(readme, START, END, lines + induction_lines(induction))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beds", nargs="+", default=["es-en.bible", "es-en.ot-nt"], choices=list(BEDS))
    ap.add_argument("--induction", action="store_true",
                    help="also the anchored fourth induction per seed (~3-4 min each on 2 cores)")
    add_bench_args(ap, ROOT, "agreement", "rewrite this README's agreement table from --out")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    out = Path(args.out)
    rows = read_rows(out)
    with latest_kept(Path(args.workdir)):
        for bed in args.beds:
            heads = [read_lexicon(lexicon_path(bed, seed, Path(args.workdir))) for seed in SEEDS]
            rows = [r for r in rows if r["bed"] != bed or "seed" in r] + bed_rows(bed, Path(args.workdir), heads)
            write_json(out, rows)
            if args.induction:
                rows = [r for r in rows if r["bed"] != bed or "seed" not in r] + induction_rows(
                    bed, Path(args.workdir), heads)
                write_json(out, rows)
    if args.readme:
        write_table(Path(args.readme), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
