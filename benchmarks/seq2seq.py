"""Supervised es->en translation on the Bible: each model for an equal CPU budget, then
word-by-word lexicon baselines, all scored with sacrebleu on the same test verses.

    make bench-seq2seq     (or: .venv/bin/python benchmarks/seq2seq.py [--minutes M] [--models ...]
                                [--lexicon NAME=lexicon.tsv ...])

Models (configs/seq2seq.yaml + the overrides in MODELS): bi-GRU + Bahdanau attention, the
same GRU without attention (the lesson's ablation), a small Transformer. Each is trained
for `--minutes` process-CPU minutes of optimisation steps (1 torch thread), in turn, into
runs/bench/seq2seq/<model>/ (a finished model is reused). Test: 3% of the verse pairs,
chosen by a hash of the verse id. Word-by-word rows: FreeDict, and each lexicon.tsv given
(default: runs/latest/lexicon.tsv from `decoder-head run` and runs/align/lexicon.tsv from
`decoder-head align`, when present). Rows go to benchmarks/results/seq2seq.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from decoder_head.errors import DecoderHeadError
from decoder_head.files import read_json, write_json
from decoder_head.seq2seq.config import load_seq2seq_config
from decoder_head.seq2seq.data import build_parallel
from decoder_head.eval.bli import read_lexicon
from decoder_head.report import replace_block
from decoder_head.report.markdown import add_table_args, table_only
from decoder_head.seq2seq.evaluate import evaluate_lexicon, evaluate_translator, freedict_lexicon
from decoder_head.seq2seq.train import train_seq2seq
from decoder_head.seq2seq.translator import load_translator

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "configs" / "seq2seq.yaml"
MODELS = {  # model name -> overrides of the preset
    "gru_attention": ["model.kind=gru_attention"],
    "gru": ["model.kind=gru"],
    # Transformers want a gentler peak lr, longer warm-up and label smoothing (Vaswani et al.)
    "transformer": ["model.kind=transformer", "train.lr=0.001", "train.warmup=0.1", "train.label_smoothing=0.1",
                    "model.dropout=0.1"],
}
DEFAULT_LEXICONS = {"decoder-head run (runs/latest)": ROOT / "runs" / "latest" / "lexicon.tsv",
                    "align unsupervised (runs/align)": ROOT / "runs" / "align" / "lexicon.tsv"}


def latency(tr, pairs, n: int = 20) -> dict[str, float]:
    """Seconds to translate one verse (model loaded, preset decoding), over n test verses of
    median length or longer."""
    lengths = sorted(len(p.src) for p in pairs)
    typical = [p for p in pairs if lengths[len(lengths) // 2] <= len(p.src) <= tr.max_src_len][:n]
    times = []
    for p in typical:
        t0 = time.perf_counter()
        tr.translate(" ".join(p.src))
        times.append(time.perf_counter() - t0)
    return {"translate_seconds_median": round(statistics.median(times), 3),
            "translate_seconds_max": round(max(times), 3), "translate_words": len(typical[0].src)}


def cli_seconds(folder: Path, text: str) -> float:
    """Wall time of the whole `decoder-head translate` process (interpreter + torch import + load)."""
    t0 = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "decoder-head"), "translate", text, "--model", str(folder)],
                   check=True, capture_output=True)
    return round(time.perf_counter() - t0, 2)


README_START, README_END = "<!-- seq2seq:start -->", "<!-- seq2seq:end -->"


def readme_table(rows: list[dict]) -> list[str]:
    """The README's seq2seq table: one line per JSON row, models first, then word-by-word."""
    lines = [f"Written by `benchmarks/seq2seq.py --table-only --readme README.md` from "
             f"`benchmarks/results/seq2seq.json`. BLEU signature `{rows[0]['signature']}`.", "",
             "| es->en, test verses | BLEU | chrF | greedy BLEU | steps (epochs) | train CPU s |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        steps = f"{r['steps']:,} ({r['epochs']})" if "steps" in r else ""
        cpu = f"{r['train_cpu_seconds']:.0f}" if r.get("train_cpu_seconds") else ""
        lines.append(f"| {r['model']} | {r['bleu']:.2f} | {r['chrf']:.2f} | {r.get('greedy_bleu', '')} | {steps} | {cpu} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_table_args(ap, "rewrite this README's seq2seq table from --out at the end")
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--minutes", type=float, help="CPU minutes per model (default: the preset's train.max_minutes)")
    ap.add_argument("--lexicon", action="append", default=[], metavar="NAME=PATH",
                    help="a lexicon.tsv for a word-by-word row (repeatable)")
    ap.add_argument("--workdir", default=str(ROOT / "runs" / "bench" / "seq2seq"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "seq2seq.json"))
    ap.add_argument("--lexicons-only", action="store_true",
                    help="keep the model rows already in --out; redo only the word-by-word rows")
    args = ap.parse_args(argv)
    if table_only(ap, args, lambda readme, out: replace_block(readme, README_START, README_END,
                                                             readme_table(read_json(out)))):
        return 0
    extra = [f"train.max_minutes={args.minutes}"] if args.minutes else []
    rows: list[dict] = []
    data = None
    if args.lexicons_only:
        if not Path(args.out).is_file():
            raise SystemExit(f"{args.out}: no model rows yet; run without --lexicons-only first")
        rows = [r for r in read_json(args.out) if not r["model"].startswith("word-by-word")]
        data = build_parallel(load_seq2seq_config(str(PRESET)).data)
    for name in [] if args.lexicons_only else args.models:
        cfg = load_seq2seq_config(str(PRESET), [f"name={name}", *MODELS[name], *extra])
        folder = Path(args.workdir) / name
        print(f"== {name}: {cfg.train.max_minutes} {cfg.train.budget_clock} minutes", flush=True)
        meta = train_seq2seq(cfg, folder)
        if data is None:
            data = build_parallel(cfg.data)
        tr = load_translator(folder)
        torch.set_num_threads(1)
        result = evaluate_translator(tr, data.test, cfg.decode)
        row = {"model": name, "bleu": result["bleu"], "chrf": result["chrf"], "signature": result["signature"],
               "chrf_signature": result["chrf_signature"], "decoding": result["decoding"],
               "greedy_bleu": result["greedy"]["bleu"], "greedy_chrf": result["greedy"]["chrf"],
               "train_seconds": round(meta["train_seconds"], 1), "budget_clock": cfg.train.budget_clock,
               "budget_minutes": cfg.train.max_minutes, "train_cpu_seconds": round(meta["train_cpu_seconds"], 1),
               "train_wall_seconds": round(meta["train_wall_seconds"], 1), "threads": cfg.train.threads,
               "steps": meta["steps"], "epochs": round(meta["epochs"], 2), "val_loss": meta["val_loss"],
               "parameters": meta["parameters"], "test_verses": len(data.test),
               **latency(tr, data.test), "cli_seconds": cli_seconds(folder, " ".join(data.test[0].src)),
               "examples": result["examples"][:3]}
        rows.append(row)
        print({k: v for k, v in row.items() if k != "examples"}, flush=True)
        write_json(args.out, rows)  # after every row: a killed run keeps what it measured
    assert data is not None
    lexicons = dict(DEFAULT_LEXICONS)
    for item in args.lexicon:
        name, _, path = item.partition("=")
        lexicons[name] = Path(path)
    try:
        rows.append(evaluate_lexicon("FreeDict", freedict_lexicon(data.trg_vocab), data.test))
    except DecoderHeadError as exc:
        print(f"FreeDict row skipped: {exc}", flush=True)
    for name, path in lexicons.items():
        if path.is_file():
            shown = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
            rows.append({**evaluate_lexicon(name, read_lexicon(path), data.test), "lexicon": str(shown)})
    for r in rows:
        r.setdefault("train_seconds", None)  # word-by-word: no seq2seq training (induction cost not counted)
    write_json(args.out, rows)
    print(f"{'model':<60}{'BLEU':>7}{'chrF':>7}{'train s':>9}")
    for r in rows:
        print(f"{r['model']:<60}{r['bleu']:>7}{r['chrf']:>7}{r['train_seconds'] or '-':>9}")
    print(f"signature: {rows[0]['signature']}\n-> {args.out}")
    if args.readme:
        replace_block(Path(args.readme), README_START, README_END, readme_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
