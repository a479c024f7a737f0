"""Alignment baselines on the Bible testbed: every method on word2vec and on LM tables, BLI es->en.

    make bench      (= .venv/bin/python benchmarks/alignment.py --readme README.md)
    .venv/bin/python benchmarks/alignment.py --methods unsupervised --settings parallel
    .venv/bin/python benchmarks/alignment.py --table-only --readme README.md   # README table from the JSON

Settings (shared/DATA.md): *parallel* = whole Spanish RV1909 vs whole English KJV (content
matches, verse alignment never seen); *nonparallel* = Spanish NT vs English OT.
Vectors: gensim skip-gram 300d, window 5, min_count 3, 20 epochs, cached under runs/bench/.
*LM tables* (methods `lm-*`, parallel content): the tied embedding tables of two LMs trained
the same way (the grid preset's LM config; English KJV, Spanish RV1909), aligned by the
same methods; the English LM is the one `make run` trains (reused from --workdir when
there). When `make run`'s metrics.json used that very LM, its decoder-head induction is
added as a row (`decoder-head-<mapping>`), scored on the same test dictionary.
Test dictionary data/bli/es-en.bible.test.txt; Procrustes trains on es-en.bible.train.txt.
Rows go to benchmarks/results/alignment.json (rewritten after every row); a method that
fails keeps its row with the error and null scores.
Reference (original VecMap --unsupervised, same data, 2 cores): P@1 CSLS 31.6, ~26 CPU-min.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import traceback
from pathlib import Path

import torch

from decoder_head.align import METHODS, AlignConfig, align
from decoder_head.align.pipeline import bli_block
from decoder_head.align.embed import embed_corpus
from decoder_head.align.word2vec import Word2VecConfig
from decoder_head.data.corpus import CorpusSpec
from decoder_head.data.dictionary import read_muse
from decoder_head.errors import DecoderHeadError
from decoder_head.eval.vectors import read_word2vec, write_word2vec
from decoder_head.files import read_json, write_json
from decoder_head.report.markdown import add_table_args, replace_block, table_only

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {  # name -> (Spanish source corpus, English target corpus)
    "parallel": ("sword:spaRV1909eb", "sword:engKJV2006eb"),
    "nonparallel": ("sword:spaRV1909eb:nt", "sword:engKJV2006eb:ot"),
}
LM_SETTING = "lm"  # LM tables, parallel content: rows are named lm-<method>, setting "parallel"
W2V = Word2VecConfig(dim=300, window=5, min_count=3, epochs=20, seed=0, workers=2)
COLUMNS = ("method", "setting", "p_at_1_nn", "p_at_1_csls", "p_at_10_csls", "coverage", "seconds")
README_START, README_END = "<!-- alignment:start -->", "<!-- alignment:end -->"


def w2v_vectors(corpus: str, bench_dir: Path, cache_dir: Path) -> Path:
    """Train (once) and cache skip-gram vectors for a corpus spec."""
    c = W2V
    path = bench_dir / f"{CorpusSpec.parse(corpus).label()}.sg{c.dim}w{c.window}m{c.min_count}e{c.epochs}s{c.seed}.vec"
    if not path.is_file():
        info = embed_corpus(corpus, path, W2V, cache_dir=str(cache_dir))
        print(f"embedded {corpus}: {info['words']} words in {info['seconds']:.0f} s", flush=True)
    return path


def lm_vectors(workdir: Path, bench_dir: Path) -> tuple[Path, Path, Path]:
    """Train or reuse the grid preset's LM on each Bible; export the tied tables (no specials).

    Returns (Spanish .vec, English .vec, English LM folder).
    """
    from decoder_head.config import load_run_config
    from decoder_head.experiment import frozen_table
    from decoder_head.train.pretrain import train_lm

    lm_cfg = load_run_config("grid").lm
    paths = []
    for corpus in (SETTINGS["parallel"][0], lm_cfg.corpus):  # Spanish (source), English (target)
        cfg = dataclasses.replace(lm_cfg, corpus=corpus)
        lm = train_lm(cfg, workdir)
        print(f"LM {corpus}: {lm.folder} val ppl {lm.meta['val_ppl']:.1f}"
              + (" (reused)" if lm.meta.get("reused") else ""), flush=True)
        path = bench_dir / f"{lm.folder.name}.table.vec"
        write_word2vec(path, lm.vocab.words, frozen_table(lm)[lm.vocab.n_specials:])
        paths.append(path)
    return paths[0], paths[1], lm.folder


def score_row(method: str, setting: str, m: dict, seconds: float) -> dict:
    return {"method": method, "setting": setting, "p_at_1_nn": round(m["nn"]["p_at_1"], 1),
            "p_at_1_csls": round(m["csls"]["p_at_1"], 1), "p_at_10_csls": round(m["csls"]["p_at_10"], 1),
            "coverage": round(m["coverage"], 3), "n_evaluated": m["n_evaluated"], "seconds": round(seconds, 1)}



def decoder_head_row(run_dirs: list[Path], lm_folder: Path) -> dict | None:
    """The `make run` induction on the same English LM, if one of the run folders used it.

    "Same" = same LM folder name: corpus + hash of the LM config (training is deterministic).
    """
    for path in [d / "metrics.json" for d in run_dirs]:
        try:
            m = read_json(path)
        except DecoderHeadError:
            continue
        folder = m.get("lm", {}).get("folder")
        if folder and Path(folder).name == lm_folder.name and isinstance(m.get("induce"), dict):
            ind = m["induce"]
            row = score_row(f"decoder-head-{ind['method']}", "parallel", ind, ind["seconds"])
            return {**row, "source": str(path)}
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    ap.add_argument("--settings", nargs="+", default=[*SETTINGS, LM_SETTING], choices=[*SETTINGS, LM_SETTING])
    ap.add_argument("--workdir", default=str(ROOT / "runs"), help="LMs, corpus cache, `make run` folders")
    ap.add_argument("--run-dirs", nargs="*", help="`make run` folders to take the decoder-head row from "
                    "(default: every folder under --workdir)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "alignment.json"))
    add_table_args(ap, "rewrite this README's alignment table from --out at the end")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    torch.set_num_threads(2)
    workdir = Path(args.workdir)
    bench_dir = workdir / "bench"
    gold = read_muse(ROOT / "data" / "bli" / "es-en.bible.test.txt")
    train = read_muse(ROOT / "data" / "bli" / "es-en.bible.train.txt")
    cfg = AlignConfig(progress=sys.stderr.isatty())
    rows: list[dict] = []

    def save(row: dict) -> None:
        rows.append(row)
        print(row, flush=True)
        write_json(args.out, rows)  # atomically, after every row: a killed run keeps what it measured

    for setting in args.settings:
        if setting == LM_SETTING:
            src_path, trg_path, lm_folder = lm_vectors(workdir, bench_dir)
            prefix, row_setting = "lm-", "parallel"
        else:
            src_corpus, trg_corpus = SETTINGS[setting]
            src_path = w2v_vectors(src_corpus, bench_dir, workdir / "cache")
            trg_path = w2v_vectors(trg_corpus, bench_dir, workdir / "cache")
            prefix, row_setting = "", setting
        sw, x, _ = read_word2vec(src_path)
        tw, z, _ = read_word2vec(trg_path, expected_dim=x.shape[1])
        for method in args.methods:
            # The 2 cores are shared: CPU seconds (all threads) and the load average go with the wall time.
            start, cpu_start, load = time.perf_counter(), time.process_time(), round(os.getloadavg()[0], 1)
            try:
                xw, zw = align(method, sw, x, tw, z, train, cfg)
                seconds, cpu = time.perf_counter() - start, round(time.process_time() - cpu_start, 1)
                row = score_row(prefix + method, row_setting,
                                bli_block(method, "es-en.bible.test.txt", sw, xw, tw, zw, gold, seconds), seconds)
                row.update(cpu_seconds=cpu, load_avg_start=load)
            except Exception as exc:  # a failing method keeps its row
                traceback.print_exc()
                row = {"method": prefix + method, "setting": row_setting, "p_at_1_nn": None, "p_at_1_csls": None,
                       "p_at_10_csls": None, "coverage": None, "seconds": round(time.perf_counter() - start, 1),
                       "load_avg_start": load, "error": f"{type(exc).__name__}: {exc}"}
            save(row)
        if setting == LM_SETTING:
            run_dirs = [Path(d) for d in args.run_dirs] if args.run_dirs is not None else sorted(
                p for p in workdir.iterdir() if p.is_dir() and not p.is_symlink())
            dh = decoder_head_row(run_dirs, lm_folder)
            if dh is None:
                print(f"no run folder's metrics.json used {lm_folder.name}: no decoder-head row", flush=True)
            else:
                save(dh)
    print("\n".join(table_lines(rows)))
    print(f"-> {args.out}")
    if args.readme:
        write_table(Path(args.readme), Path(args.out))
    return 0


def table_lines(rows: list[dict]) -> list[str]:
    """Markdown table of the JSON rows (failed methods show their error)."""
    columns = (*COLUMNS, "cpu_seconds", "load_avg_start")
    lines = ["| method | setting | P@1 NN | P@1 CSLS | P@10 CSLS | coverage | seconds | CPU s | load |",
             "|---" * len(columns) + "|"]
    for r in rows:
        cells = ["-" if r.get(c) is None else str(r[c]) for c in columns]
        if r.get("error"):
            cells[2] = f"failed: {r['error'][:80]}"
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_table(readme: Path, results: Path) -> None:
    rows = read_json(results)
    header = [f"Written by `python benchmarks/alignment.py --table-only --readme {readme.name}` "
              f"from `{results.relative_to(ROOT) if results.is_relative_to(ROOT) else results}`:", ""]
    replace_block(readme, README_START, README_END, header + table_lines(rows))
    print(f"{readme}: alignment table rewritten from {results}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DecoderHeadError as exc:
        print(f"alignment.py: error: {exc}", file=sys.stderr)
        sys.exit(2)
