"""Swap heads, not only words: an English verse classifier used on Spanish through the decoder head.

    make bench-transfer   (= .venv/bin/python benchmarks/transfer.py --readme README.md)
    .venv/bin/python benchmarks/transfer.py --variants unfreeze --seeds 0      # ULMFiT gradual unfreezing
    .venv/bin/python benchmarks/transfer.py --table-only --readme README.md    # README table from the JSON

The default run (presets/default.yaml -> runs/default/) supplies the English LM, the decoder
head's induced Spanish mapping and both lexicons; when its metrics.json is missing the
pipeline runs first (each stage resumes from its checkpoints). Per variant and seed a ULMFiT
classifier (decoder_head.classify) is trained on the LM's body with KJV labels (book group of
each verse) and scored on the held-out test verses both Bibles have:
  - the English test verses through the LM's own table (the ceiling);
  - RV1909 through the decoder head: Spanish ids -> the induced table (rows in the English
    body's input space) -> the frozen body -> the English head;
  - RV1909 word by word: each word -> the English row of its top-1 translation in the refined
    lexicon (lexicon.tsv), and in the decoder head's own (lexicon.decoder-head.tsv);
then reference rows: TF-IDF + logistic regression trained on English labels and on Spanish
labels (scikit-learn; deterministic, one run each) and the majority class. No Spanish label
reaches a classifier row. Rows go to benchmarks/results/transfer.json, merged by key (a variant
x seed measured again replaces its rows); the held-out perplexities of the run and a Spanish
continuation by the English body (`generate --mapping`) go with them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

from decoder_head.classify.baselines import bag_of_words, majority
from decoder_head.classify.config import ClassifyConfig, load_classify_config
from decoder_head.classify.data import read_labelled, same_ids, split_verses
from decoder_head.classify.evaluate import FeatureCache
from decoder_head.classify.train import train_classifier
from decoder_head.classify.transfer import load_induced, lookup_lexical, perplexities, transfer_rows
from decoder_head.config import load_run_config
from decoder_head.errors import DecoderHeadError
from decoder_head.experiment import run as run_pipeline
from decoder_head.files import read_json, write_json
from decoder_head.generate import generate
from decoder_head.report.markdown import mean_std, replace_block

ROOT = Path(__file__).resolve().parent.parent
README_START, README_END = "<!-- transfer:start -->", "<!-- transfer:end -->"
# Classifier variants: `frozen` is the default config; `unfreeze` is ULMFiT's gradual unfreezing
# (head, then + top LSTM, then + both), capped at 150 steps an epoch to fit a 2-core CPU.
VARIANTS: dict[str, list[str]] = {
    "frozen": [],
    "unfreeze": ["train.unfreeze=2", "train.epochs=4", "train.steps_per_epoch=150"],
}
# The rows each classifier gives, in transfer_rows' order: (name, what enters the English body).
CLASSIFIER_ROWS = (("English test verses (ceiling)", "KJV words, the LM's table"),
                   ("Spanish via the decoder head", "RV1909 words, the induced Spanish table"),
                   ("Spanish via lookup: refined lexicon", "RV1909 words -> top-1 English word's row"),
                   ("Spanish via lookup: decoder head's lexicon", "RV1909 words -> top-1 English word's row"))
PROMPTS = ("y dijo dios",)  # continued as `decoder-head generate PROMPT --mapping RUN` does (30 words, 0.8, seed 0)


def run_dirs(preset: str, names: list[str] | None, seeds: list[int], workdir: Path) -> list[Path]:
    """One finished run folder per seed. --runs names them (the default recipe's three seeds are
    default, seed1 and seed2: `make run`, `make seeds`); without it every seed uses the preset's
    run, which is made (or completed from its checkpoints) when it has no metrics.json."""
    cfg = load_run_config(preset)
    names = names or [cfg.name] * len(seeds)
    if len(names) != len(seeds):
        raise DecoderHeadError(f"--runs names {len(names)} run(s) for {len(seeds)} seed(s); give one per seed")
    for name in dict.fromkeys(names):
        if not (workdir / name / "metrics.json").is_file():
            if name != cfg.name:
                raise DecoderHeadError(f"{workdir / name}: no finished run (`make seeds` makes seed1 and seed2)")
            print(f"{workdir / name}: no finished run; running the pipeline (it resumes from checkpoints)", flush=True)
            run_pipeline(cfg, workdir)
    return [workdir / name for name in names]


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def variant_config(variant: str, seed: int, overrides: list[str]) -> ClassifyConfig:
    cfg = load_classify_config(None, [*VARIANTS[variant], *overrides])
    return dataclasses.replace(cfg, name=f"{cfg.name}-{variant}", train=dataclasses.replace(cfg.train, seed=seed))


def merge(data: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    keys = {r["key"] for r in rows}
    data["rows"] = [r for r in data.get("rows", []) if r["key"] not in keys] + rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default", help="its run supplies the LM, the induced mapping and lexicons")
    ap.add_argument("--workdir", default=str(ROOT / "runs"),
                    help="runs, LMs and caches; classifiers in bench-transfer/")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="classifier seeds")
    ap.add_argument("--runs", nargs="+", metavar="NAME",
                    help="run folder per seed under --workdir, e.g. default seed1 seed2 (default: the preset's run)")
    ap.add_argument("--variants", nargs="+", default=["frozen"], choices=list(VARIANTS))
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="classifier config override for every variant, e.g. train.epochs=2")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (default 1: on the shared 2-core machine a second thread spinning at "
                         "barriers made the body pass 9x slower, measured beside another run)")
    ap.add_argument("--no-reference", action="store_true", help="skip the bag-of-words and majority rows")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "transfer.json"))
    ap.add_argument("--readme", help="rewrite this README's transfer table from --out at the end")
    ap.add_argument("--table-only", action="store_true", help="only rewrite --readme's table from --out")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if args.table_only:
        finish(out, args.readme)
        return 0
    torch.set_num_threads(args.threads)
    workdir = Path(args.workdir)
    dirs = run_dirs(args.preset, args.runs, args.seeds, workdir)
    induced = {d: load_induced(d, workdir) for d in dict.fromkeys(dirs)}
    first = induced[dirs[0]]
    if len({i.lm.folder for i in induced.values()}) > 1:
        raise DecoderHeadError("the runs were made on different LMs; the classifier needs one body under all of them")
    cache_dir = str(workdir / "cache")
    overrides = [*args.set, f"task.corpus={json.dumps(first.config.lm.corpus)}"]  # labels in the LM's language
    task = variant_config(args.variants[0], 0, overrides).task
    en = read_labelled(task.corpus, cache_dir, task.sword_dir)
    es = read_labelled(first.config.induce.corpus, cache_dir, task.sword_dir)
    en_split, es_split = split_verses(en, task), split_verses(es, task)
    en_test, es_test = same_ids(en_split.test, es_split.test)
    data: dict[str, Any] = read_json(out) if out.is_file() else {}
    data.update(lm=first.lm.folder.name, test_verses=len(en_test), corpora=[task.corpus, first.config.induce.corpus],
                samples={"run": rel(dirs[0]), **{p: generate(first.as_lm(), p, 30, 0.8, 0) for p in PROMPTS}})
    data.setdefault("perplexity", {}).update({rel(d): perplexities(i) for d, i in induced.items()})
    cache = FeatureCache()  # one frozen body: its pooled states serve every frozen seed and row
    for variant in args.variants:
        for seed, run_dir in zip(args.seeds, dirs):
            cfg = variant_config(variant, seed, overrides)
            frozen = cfg.train.unfreeze == 0
            t0 = time.perf_counter()
            clf = train_classifier(cfg, first.lm.folder, workdir / "bench-transfer" / f"{variant}-s{seed}",
                                   cache_dir, cache=cache if frozen else None, verses=en)
            refined, refined_stats = lookup_lexical("lookup refined", run_dir / "lexicon.tsv", clf.lexical)
            own, own_stats = lookup_lexical("lookup decoder head", run_dir / "lexicon.decoder-head.tsv", clf.lexical)
            data.setdefault("lexicons", {})[rel(run_dir)] = {
                "refined": {**refined_stats, "lexicon": rel(run_dir / "lexicon.tsv")},
                "decoder_head": {**own_stats, "lexicon": rel(run_dir / "lexicon.decoder-head.tsv")}}
            scored = transfer_rows(clf, en_test, es_test, [induced[run_dir].lexical(), refined, own],
                                   cache if frozen else None)
            seconds = time.perf_counter() - t0
            rows = [{"kind": "classifier", "variant": variant, "seed": seed, "run": rel(run_dir), "row": name,
                     "input": what, "labels": "English", **{k: v for k, v in r.items() if k != "lexical"},
                     "valid_macro_f1": clf.meta["valid"]["macro_f1"], "best_epoch": clf.meta["best_epoch"],
                     "seconds": round(seconds, 1), "key": f"{variant}:{seed}:{name}"}
                    for (name, what), r in zip(CLASSIFIER_ROWS, scored)]
            merge(data, rows)
            write_json(out, data)  # after every seed: a killed run keeps what it measured
            print(f"{variant} seed {seed} ({rel(run_dir)}): "
                  + ", ".join(f"{r['row']} macro-F1 {r['macro_f1']:.3f}" for r in rows), flush=True)
    if not args.no_reference:
        ref = [("TF-IDF + logistic regression, English", "KJV words (bag of words)", "English",
                bag_of_words(en_split, test=en_test)),
               ("TF-IDF + logistic regression, Spanish", "RV1909 words (bag of words)", "Spanish",
                bag_of_words(es_split, test=es_test)),
               ("majority class", "-", "English", majority(en_split.train, en_test))]
        merge(data, [{"kind": "reference", "variant": "-", "seed": 0, "row": name, "input": what, "labels": labels,
                      **r, "key": f"reference:{name}"} for name, what, labels, r in ref])
        write_json(out, data)
    finish(out, args.readme)
    return 0



def _mean(rows: list[dict[str, Any]], field: str) -> float:
    return statistics.mean(r[field] for r in rows)


def verdict(rows: list[dict[str, Any]], variant: str = "frozen") -> dict[str, Any] | None:
    """The issue's target on one variant: decoder head >= 80% of the English macro-F1, and above the
    refined lookup (means over seeds)."""
    by_row = {name: [r for r in rows if r["variant"] == variant and r["row"] == name] for name, _ in CLASSIFIER_ROWS}
    english, head, lookup = (by_row[CLASSIFIER_ROWS[i][0]] for i in (0, 1, 2))
    if not (english and head and lookup):
        return None
    e, h, k = _mean(english, "macro_f1"), _mean(head, "macro_f1"), _mean(lookup, "macro_f1")
    return {"variant": variant, "english": e, "decoder_head": h, "lookup_refined": k, "share": h / e,
            "met": h >= 0.8 * e and h > k}


def table_lines(data: dict[str, Any]) -> list[str]:
    """One line per (variant, row): mean ± std over seeds; share of the same variant's English macro-F1."""
    rows = data.get("rows", [])
    lines = ["| row | variant | what enters the English body | labels | seeds | accuracy | macro-F1 "
             "| share of English macro-F1 | <unk> |",
             "|---|---|---|---|---|---|---|---|---|"]
    names = [name for name, _ in CLASSIFIER_ROWS]
    variants = list(VARIANTS)

    def place(r: dict[str, Any]) -> tuple[int, int, int]:  # classifier rows by variant, then the references
        if r["kind"] != "classifier":
            return 1, 0, 0
        return (0, variants.index(r["variant"]) if r["variant"] in variants else len(variants),
                names.index(r["row"]) if r["row"] in names else len(names))

    order = [(r["kind"], r["variant"], r["row"]) for r in sorted(rows, key=place)]
    for kind, variant, name in dict.fromkeys(order):
        mine = [r for r in rows if (r["kind"], r["variant"], r["row"]) == (kind, variant, name)]
        english = [r for r in rows if r["kind"] == "classifier" and r["variant"] == variant
                   and r["row"] == CLASSIFIER_ROWS[0][0]]
        share = (f"{_mean(mine, 'macro_f1') / _mean(english, 'macro_f1'):.2f}"
                 if kind == "classifier" and english else "-")
        unk = mean_std([r["unk_rate"] for r in mine]) if all("unk_rate" in r for r in mine) else "-"
        lines.append(f"| {name} | {variant} | {mine[0]['input']} | {mine[0]['labels']} | {len(mine)} | "
                     f"{mean_std([r['accuracy'] for r in mine])} | {mean_std([r['macro_f1'] for r in mine])} | "
                     f"{share} | {unk} |")
    return lines


def summary_lines(data: dict[str, Any]) -> list[str]:
    """The target's verdict, the perplexities and the generated samples, under the table."""
    lines = []
    for variant in dict.fromkeys(r["variant"] for r in data.get("rows", []) if r["kind"] == "classifier"):
        v = verdict(data["rows"], variant)
        if v is not None:
            side = "above" if v["decoder_head"] > v["lookup_refined"] else "below"
            lines.append(f"Target ({variant}): decoder head macro-F1 {v['decoder_head']:.3f} = {v['share']:.2f} of "
                         f"English {v['english']:.3f} (needs >= 0.80) and {side} the refined lookup "
                         f"{v['lookup_refined']:.3f}: **{'met' if v['met'] else 'not met'}**.")
    ppl = {run: p for run, p in (data.get("perplexity") or {}).items() if p}
    if ppl:
        lm = next(iter(ppl.values()))["lm_val_ppl"]
        lines.append("Held-out perplexity through the frozen English body: Spanish with the induced mapping "
                     + ", ".join(f"{p['induced_val_ppl']:.1f} (`{run}`)" for run, p in ppl.items())
                     + f"; the English LM on English {lm:.1f}.")
    samples = dict(data.get("samples") or {})
    run = samples.pop("run", "runs/default")
    for prompt, text in samples.items():
        lines.append(f"`decoder-head generate \"{prompt}\" --mapping {run}`: {prompt} *{' '.join(text.split())}*")
    return lines


def finish(out: Path, readme: str | None) -> None:
    if not out.is_file():
        raise DecoderHeadError(f"{out}: no results yet; run benchmarks/transfer.py first")
    data = read_json(out)
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise DecoderHeadError(f"{out}: expected an object with a list of rows")
    data["target"] = [v for v in (verdict(data["rows"], variant) for variant in VARIANTS) if v is not None]
    write_json(out, data)
    lines = table_lines(data)
    notes = summary_lines(data)
    print("\n".join(lines + [""] + notes))
    if readme:
        rel = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
        header = [f"Written by `python benchmarks/transfer.py --table-only --readme {Path(readme).name}` from `{rel}` "
                  f"(mean ± std over seeds; {data.get('test_verses', '?')} held-out verses in both Bibles; "
                  f"runs {', '.join(f'`{r}`' for r in data.get('perplexity', {}))}):", ""]
        replace_block(Path(readme), README_START, README_END, header + lines + [""] + notes)
        print(f"{readme}: transfer table rewritten from {out}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DecoderHeadError as exc:
        print(f"transfer.py: error: {exc}", file=sys.stderr)
        sys.exit(2)
