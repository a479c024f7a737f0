"""How the refinement recipe was chosen: vector and self-learning variants, P@1 on train *and* test.

    make bench-recipe   (= .venv/bin/python benchmarks/recipe.py --readme README.md)
    .venv/bin/python benchmarks/recipe.py --variants ppmi 'ppmi + orth0.1'
    .venv/bin/python benchmarks/recipe.py --table-only --readme README.md

Every variant aligns monolingual vectors (skip-gram, fastText, PPMI-SVD or several side by side) of the
whole RV1909 (es) and the whole KJV (en) from the same unsupervised seed (identical strings:
free, and robust where VecMap's similarity-distribution seed breaks, see the README), runs
self-learning, and is scored es->en with CSLS on the *train* dictionary (what the choice is
made on) and on *test* (what the README reports), plain and with the final orthographic
re-ranking (weight 0.5). Skip-gram uses one gensim worker (bit-identical reruns); vectors
are cached under runs/vectors/, shared with the induction grid (`align.spaces.space_for`).
Rows go to benchmarks/results/recipe.json; a finished variant (same key) is not run again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from decoder_head.align.self_learning import SelfLearningConfig
from decoder_head.align.spaces import space_for
from decoder_head.config import RefineConfig
from decoder_head.data.dictionary import read_muse
from decoder_head.eval.bli import evaluate_bli
from decoder_head.files import read_json, write_json
from decoder_head.refine import refine
from decoder_head.report.markdown import replace_block

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ("sword:spaRV1909eb", "sword:engKJV2006eb")
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
}
README_START, README_END = "<!-- recipe:start -->", "<!-- recipe:end -->"


def run_variant(name: str, workdir: Path, dicts: dict[str, dict[str, set[str]]]) -> dict:
    """One variant through the pipeline's `refine` stage, seeded by identical strings."""
    vectors, sl = VARIANTS[name]
    start, cpu = time.perf_counter(), time.process_time()
    (sw, _), (tw, _) = (space_for(c, workdir, vectors) for c in CORPORA)  # made (or read) before the clock below
    embed_cpu = time.process_time() - cpu
    trg = set(tw)
    seed = {w: w for w in sw if w in trg}  # identical strings, in source frequency order
    cfg = RefineConfig(vectors=tuple(vectors) if isinstance(vectors, list) else (vectors,), seed_words=len(seed),
                       self_learning=SelfLearningConfig(**sl), rerank=0.0)
    r = refine(seed, CORPORA, workdir, cfg, progress=sys.stderr.isatty())
    row = {"variant": name, "vectors": vectors, "self_learning": sl, "iterations": r.iterations}
    for split, gold in dicts.items():
        for weight, suffix in ((0.0, ""), (RERANK, "_rerank")):
            m = evaluate_bli(r.src_words, r.xw, r.trg_words, r.zw, gold, method="csls", orthography=weight)
            row[f"{split}_p_at_1{suffix}"] = round(m["p_at_1"], 1)
    row.update(embed_cpu_seconds=round(embed_cpu, 1), cpu_seconds=round(time.process_time() - cpu, 1),
               seconds=round(time.perf_counter() - start, 1))
    return row


def key(name: str) -> str:
    vectors, sl = VARIANTS[name]
    blob = json.dumps([vectors, sl, asdict(SelfLearningConfig(**sl)), CORPORA], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def table_lines(rows: list[dict]) -> list[str]:
    lines = ["| variant | train P@1 | train P@1 + rerank | test P@1 | test P@1 + rerank | iterations | CPU s |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        name = r["variant"].replace("|", "\\|")  # `sg | ppmi` must not split the cell
        lines.append(f"| {name} | {r['train_p_at_1']} | {r['train_p_at_1_rerank']} | {r['test_p_at_1']} | "
                     f"{r['test_p_at_1_rerank']} | {r['iterations']} | {r['cpu_seconds']:.0f} |")
    return lines


def write_table(readme: Path, out: Path) -> None:
    rows = read_json(out)
    header = [f"Written by `python benchmarks/recipe.py --table-only --readme {readme.name}` from "
              f"`{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}` (P@1 CSLS, es->en, identical-"
              f"strings seed; rerank = orthographic re-ranking {RERANK}; CPU s include training both vectors "
              "unless cached; `|` = spaces concatenated per word):", ""]
    replace_block(readme, README_START, README_END, header + table_lines(rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--workdir", default=str(ROOT / "runs"), help="vectors/ and cache/ (shared with `make results`)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "recipe.json"))
    ap.add_argument("--readme", help="rewrite this README's recipe table from --out at the end")
    ap.add_argument("--table-only", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if not args.table_only:
        dicts = {split: read_muse(ROOT / "data" / "bli" / f"es-en.bible.{split}.txt") for split in ("train", "test")}
        rows = read_json(out) if out.is_file() else []
        for name in args.variants:
            if any(r.get("key") == key(name) for r in rows):
                print(f"{name}: in {out.name} already", flush=True)
                continue
            row = {**run_variant(name, Path(args.workdir), dicts), "key": key(name)}
            print(row, flush=True)
            rows = [r for r in rows if r["variant"] != name] + [row]
            write_json(out, rows)
    if args.readme:
        write_table(Path(args.readme), out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
