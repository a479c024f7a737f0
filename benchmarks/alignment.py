"""Alignment baselines on the Bible testbed: word2vec per Bible, then every method, BLI es->en.

    make bench      (or: .venv/bin/python benchmarks/alignment.py [--methods ...] [--settings ...])

Settings (shared/DATA.md): *parallel* = whole Spanish RV1909 vs whole English KJV (content
matches, verse alignment never seen); *nonparallel* = Spanish NT vs English OT.
Vectors: gensim skip-gram 300d, window 5, min_count 3, 20 epochs (~1 min per Bible on 2
cores), cached under runs/bench/. Test dictionary data/bli/es-en.bible.test.txt; Procrustes
trains on data/bli/es-en.bible.train.txt. Rows go to benchmarks/results/alignment.json;
a method that fails keeps its row with the error and null scores.
Reference (original VecMap --unsupervised, same data, 2 cores): P@1 CSLS 31.6, ~26 CPU-min.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

import torch

from decoder_head.align import METHODS, AlignConfig, align
from decoder_head.align.pipeline import bli_block
from decoder_head.align.word2vec import Word2VecConfig, embed_corpus
from decoder_head.data.corpus import CorpusSpec
from decoder_head.data.dictionary import read_muse
from decoder_head.eval.vectors import read_word2vec
from decoder_head.files import write_json

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {  # name -> (Spanish source corpus, English target corpus)
    "parallel": ("sword:spaRV1909eb", "sword:engKJV2006eb"),
    "nonparallel": ("sword:spaRV1909eb:nt", "sword:engKJV2006eb:ot"),
}
W2V = Word2VecConfig(dim=300, window=5, min_count=3, epochs=20, seed=0, workers=2)


def vectors(corpus: str, bench_dir: Path) -> Path:
    """Train (once) and cache skip-gram vectors for a corpus spec."""
    c = W2V
    path = bench_dir / f"{CorpusSpec.parse(corpus).label()}.sg{c.dim}w{c.window}m{c.min_count}e{c.epochs}s{c.seed}.vec"
    if not path.is_file():
        info = embed_corpus(corpus, path, W2V, cache_dir=str(ROOT / "runs" / "cache"))
        print(f"embedded {corpus}: {info['words']} words in {info['seconds']:.0f} s", flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "alignment.json"))
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    bench_dir = ROOT / "runs" / "bench"
    test_path = ROOT / "data" / "bli" / "es-en.bible.test.txt"
    gold, train = read_muse(test_path), read_muse(ROOT / "data" / "bli" / "es-en.bible.train.txt")
    cfg = AlignConfig(progress=sys.stderr.isatty())
    rows = []
    for setting in args.settings:
        src_corpus, trg_corpus = SETTINGS[setting]
        sw, x, _ = read_word2vec(vectors(src_corpus, bench_dir))
        tw, z, _ = read_word2vec(vectors(trg_corpus, bench_dir), expected_dim=x.shape[1])
        for method in args.methods:
            row = {"method": method, "setting": setting}
            start = time.perf_counter()
            try:
                xw, zw = align(method, sw, x, tw, z, train, cfg)
                seconds = time.perf_counter() - start
                m = bli_block(method, "es-en.bible.test.txt", sw, xw, tw, zw, gold, seconds)
                row.update(p_at_1_nn=round(m["nn"]["p_at_1"], 1), p_at_1_csls=round(m["csls"]["p_at_1"], 1),
                           p_at_10_csls=round(m["csls"]["p_at_10"], 1), coverage=round(m["coverage"], 3),
                           n_evaluated=m["n_evaluated"], seconds=round(seconds, 1))
            except Exception as exc:  # a failing method keeps its row
                traceback.print_exc()
                row.update(p_at_1_nn=None, p_at_1_csls=None, p_at_10_csls=None, coverage=None,
                           seconds=round(time.perf_counter() - start, 1), error=f"{type(exc).__name__}: {exc}")
            rows.append(row)
            print(row, flush=True)
            write_json(args.out, rows)  # atomically, after every row: a killed run keeps what it measured
    print(f"{'method':<13}{'setting':<13}{'P@1 nn':>8}{'P@1 csls':>9}{'P@10 csls':>10}{'cov':>7}{'sec':>8}")
    fmt = lambda v: "-" if v is None else f"{v}"  # noqa: E731
    for r in rows:
        print(f"{r['method']:<13}{r['setting']:<13}{fmt(r['p_at_1_nn']):>8}{fmt(r['p_at_1_csls']):>9}"
              f"{fmt(r['p_at_10_csls']):>10}{fmt(r['coverage']):>7}{fmt(r['seconds']):>8}")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
