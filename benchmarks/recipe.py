"""How the refinement recipe was chosen: vector and self-learning variants, P@1 on train *and* test.

    make bench-recipe   (= .venv/bin/python benchmarks/recipe.py --readme README.md)
    .venv/bin/python benchmarks/recipe.py --variants ppmi 'ppmi + orth0.1'
    .venv/bin/python benchmarks/recipe.py --screen   (SCREENED on es-en, en-es and de-en Bible; --seeds 0 1 2)
    .venv/bin/python benchmarks/recipe.py --table-only --readme README.md

Every variant aligns monolingual vectors (skip-gram, fastText, PPMI-SVD or several side by side) of a
test bed's two corpora (default es-en.bible: the whole RV1909 and the whole KJV; `decoder_head.data.beds`) from the
same unsupervised seed (identical strings: free, and robust where VecMap's similarity-distribution
seed breaks, see the README), runs self-learning (its RNG seed from --seeds), and is scored with CSLS
on the bed's *train* dictionary (what the choice is made on) and on *test* (what the README reports),
plain and with the final orthographic re-ranking (weight 0.5). Skip-gram uses one gensim worker
(bit-identical reruns); vectors are cached under runs/vectors/, shared with the induction grid
(`align.spaces.space_for`). Rows go to benchmarks/results/recipe.json; a finished variant x bed x
seed (same key) is not run again. The README gets two tables: es-en.bible seed 0 (every variant),
and the mean over seeds per Bible bed for the variants screened on more than that.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import statistics
import time
from dataclasses import asdict
from pathlib import Path

from decoder_head.align.self_learning import SelfLearningConfig
from decoder_head.align.spaces import space_for
from decoder_head.config import RefineConfig
from decoder_head.data.beds import BEDS
from decoder_head.data.dictionary import read_muse
from decoder_head.eval.bli import evaluate_bli
from decoder_head.files import read_json, read_rows, write_json
from decoder_head.refine import refine
from decoder_head.report.markdown import mean_std, replace_block

ROOT = Path(__file__).resolve().parent.parent
HOME = "es-en.bible"  # where every variant runs; the others screen the best of them
SCREEN_BEDS = ("es-en.bible", "en-es.bible", "de-en.bible")
RERANK = 0.5
SG10 = {"window": 10, "workers": 1}
FT10 = {"method": "fasttext", "window": 10, "workers": 1}
PPMI = {"method": "ppmi"}  # align.ppmi defaults: 300d, window 10
# name -> (vectors spec(s) for align.spaces.space_for: skip-gram / fastText overrides on 300d / window 5 /
# 20 epochs, {"method": "ppmi", ...}, or a list = concatenated spaces; self-learning overrides)
VARIANTS: dict[str, tuple[dict | list[dict], dict]] = {
    "skipgram": ({"workers": 1}, {}),
    "skipgram window10": (SG10, {}),
    "skipgram window10 + orth0.1": (SG10, {"orthography": 0.1}),
    "skipgram window10 + orth0.3": (SG10, {"orthography": 0.3}),
    "ppmi window5": ({**PPMI, "window": 5}, {}),
    "ppmi": (PPMI, {}),
    "ppmi + orth0.1": (PPMI, {"orthography": 0.1}),
    "skipgram window10 | ppmi + orth0.1": ([SG10, PPMI], {"orthography": 0.1}),
    "skipgram window10 epochs10 | ppmi + orth0.1": ([{**SG10, "epochs": 10}, PPMI], {"orthography": 0.1}),
    "fasttext window10 | ppmi + orth0.1": ([FT10, PPMI], {"orthography": 0.1}),
    "fasttext window10 epochs10 | ppmi + orth0.1": ([{**FT10, "epochs": 10}, PPMI], {"orthography": 0.1}),
    "skipgram window10 | fasttext window10 | ppmi + orth0.1": ([SG10, FT10, PPMI], {"orthography": 0.1}),
    "fasttext window10 epochs40 | ppmi + orth0.1": ([{**FT10, "epochs": 40}, PPMI], {"orthography": 0.1}),
    # 2026-12-03: the recipe's vectors varied one knob at a time, on the three Bible beds (--beds)
    "fasttext window10 | ppmi dim500 + orth0.1": ([FT10, {**PPMI, "dim": 500}], {"orthography": 0.1}),
    "fasttext window10 | ppmi eig0 + orth0.1": ([FT10, {**PPMI, "eig": 0.0}], {"orthography": 0.1}),
    "fasttext window10 | ppmi window15 + orth0.1": ([FT10, {**PPMI, "window": 15}], {"orthography": 0.1}),
    "fasttext window10 ngrams2-5 | ppmi + orth0.1": ([{**FT10, "min_n": 2, "max_n": 5}, PPMI], {"orthography": 0.1}),
    "fasttext window15 | ppmi + orth0.1": ([{**FT10, "window": 15}, PPMI], {"orthography": 0.1}),
}
# the current recipe and its one-knob variants, screened on every Bible bed (`--screen`)
SCREENED = ("fasttext window10 | ppmi + orth0.1", "fasttext window10 | ppmi dim500 + orth0.1",
            "fasttext window10 | ppmi eig0 + orth0.1", "fasttext window10 | ppmi window15 + orth0.1",
            "fasttext window10 ngrams2-5 | ppmi + orth0.1", "fasttext window15 | ppmi + orth0.1")
README_START, README_END = "<!-- recipe:start -->", "<!-- recipe:end -->"


def run_variant(name: str, bed: str, seed: int, workdir: Path, dicts: dict[str, dict[str, set[str]]]) -> dict:
    """One variant through the pipeline's `refine` stage on one bed, seeded by identical strings."""
    vectors, sl = VARIANTS[name]
    corpora = bed_corpora(bed)
    start, cpu = time.perf_counter(), time.process_time()
    (sw, _), (tw, _) = (space_for(c, workdir, vectors) for c in corpora)  # made (or read) before the clock below
    embed_cpu = time.process_time() - cpu
    trg = set(tw)
    lexicon = {w: w for w in sw if w in trg}  # identical strings, in source frequency order
    cfg = RefineConfig(vectors=tuple(vectors) if isinstance(vectors, list) else (vectors,), seed_words=len(lexicon),
                       self_learning=SelfLearningConfig(**{**sl, "seed": seed}), rerank=0.0)
    r = refine(lexicon, corpora, workdir, cfg, progress=sys.stderr.isatty())
    row = {"variant": name, "bed": bed, "seed": seed, "vectors": vectors, "self_learning": sl,
           "iterations": r.iterations}
    for split, gold in dicts.items():
        for weight, suffix in ((0.0, ""), (RERANK, "_rerank")):
            m = evaluate_bli(r.src_words, r.xw, r.trg_words, r.zw, gold, method="csls", orthography=weight)
            row[f"{split}_p_at_1{suffix}"] = round(m["p_at_1"], 1)
    row.update(embed_cpu_seconds=round(embed_cpu, 1), cpu_seconds=round(time.process_time() - cpu, 1),
               seconds=round(time.perf_counter() - start, 1))
    return row


def bed_corpora(bed: str) -> tuple[str, str]:
    """(B's corpus, A's corpus): the words translated, then the words they land on."""
    return BEDS[bed].text, BEDS[bed].lm


def bed_dicts(bed: str) -> dict[str, dict[str, set[str]]]:
    return {split: read_muse(ROOT / BEDS[bed].split(split)) for split in ("train", "test")}


def key(name: str, bed: str = HOME, seed: int = 0) -> str:
    """A row's identity; es-en.bible's seed-0 rows keep the keys they had before beds and seeds."""
    vectors, sl = VARIANTS[name]
    blob = json.dumps([vectors, sl, asdict(SelfLearningConfig(**{**sl, "seed": seed})), bed_corpora(bed)],
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def table_lines(rows: list[dict]) -> list[str]:
    """Every variant on the home bed, seed 0: plain and re-ranked P@1 on train and test."""
    lines = ["| variant | train P@1 | train P@1 + rerank | test P@1 | test P@1 + rerank | iterations | CPU s |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("bed", HOME) != HOME or r.get("seed", 0) != 0:
            continue
        name = r["variant"].replace("|", "\\|")  # `sg | ppmi` must not split the cell
        lines.append(f"| {name} | {r['train_p_at_1']} | {r['train_p_at_1_rerank']} | {r['test_p_at_1']} | "
                     f"{r['test_p_at_1_rerank']} | {r['iterations']} | {r['cpu_seconds']:.0f} |")
    return lines


def beds_table_lines(rows: list[dict]) -> list[str]:
    """Variants screened beyond the home bed's seed 0: re-ranked P@1 per Bible bed, mean over seeds."""
    beyond = {r["variant"] for r in rows if (r.get("bed", HOME), r.get("seed", 0)) != (HOME, 0)}
    cells: dict[str, dict[tuple[str, str], list[float]]] = {}
    for r in rows:
        if r["variant"] in beyond and r.get("bed", HOME) in SCREEN_BEDS:
            c = cells.setdefault(r["variant"], {})
            for split in ("train", "test"):
                c.setdefault((r.get("bed", HOME), split), []).append(r[f"{split}_p_at_1_rerank"])
    head = " | ".join(f"{b} {split}" for split in ("train", "test") for b in SCREEN_BEDS)
    lines = [f"| variant | {head} | train mean over beds |", "|---" * (2 * len(SCREEN_BEDS) + 2) + "|"]
    for name, c in cells.items():
        vals = [mean_std(c.get((b, split), []), 1, " ± ") + (f" ({len(c[(b, split)])})" if (b, split) in c else "")
                for split in ("train", "test") for b in SCREEN_BEDS]
        complete = all((b, "train") in c for b in SCREEN_BEDS)
        overall = (f"{statistics.mean(statistics.mean(c[(b, 'train')]) for b in SCREEN_BEDS):.1f}"
                   if complete else "-")
        lines.append(f"| {name.replace('|', chr(92) + '|')} | {' | '.join(vals)} | {overall} |")
    return lines


def write_table(readme: Path, out: Path) -> None:
    rows = read_json(out)
    where = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    header = [f"Written by `python benchmarks/recipe.py --table-only --readme {readme.name}` from "
              f"`{where}` (P@1 CSLS, es->en, identical-strings seed, self-learning seed 0; rerank = orthographic "
              f"re-ranking {RERANK}; CPU s include training both vectors unless cached; `|` = spaces "
              "concatenated per word):", ""]
    beds_header = ["", f"Variants screened on more Bible beds and seeds (same file): P@1 CSLS + rerank {RERANK}, "
                   "mean ± std over self-learning seeds (how many in brackets); the choice is the train mean "
                   "over the three beds:", ""]
    replace_block(readme, README_START, README_END,
                  header + table_lines(rows) + beds_header + beds_table_lines(rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--beds", nargs="+", default=[HOME], choices=list(BEDS), help="test beds (benchmarks/beds.py)")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0], help="self-learning seeds")
    ap.add_argument("--screen", action="store_true", help="the SCREENED variants on every Bible bed")
    ap.add_argument("--workdir", default=str(ROOT / "runs"), help="vectors/ and cache/ (shared with `make results`)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "recipe.json"))
    ap.add_argument("--readme", help="rewrite this README's recipe tables from --out at the end")
    ap.add_argument("--table-only", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if args.screen:
        args.variants, args.beds = list(SCREENED), list(SCREEN_BEDS)
    if not args.table_only:
        rows = read_rows(out)
        for bed in args.beds:
            dicts = bed_dicts(bed)
            for seed in args.seeds:
                for name in args.variants:
                    k = key(name, bed, seed)
                    if any(r.get("key") == k for r in rows):
                        print(f"{name} on {bed}, seed {seed}: in {out.name} already", flush=True)
                        continue
                    row = {**run_variant(name, bed, seed, Path(args.workdir), dicts), "key": k}
                    print(row, flush=True)
                    rows = [r for r in rows if (r["variant"], r.get("bed", HOME), r.get("seed", 0)) != (name, bed, seed)]
                    rows.append(row)
                    write_json(out, rows)
    if args.readme:
        write_table(Path(args.readme), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
