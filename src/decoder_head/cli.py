"""`decoder-head` subcommands, each a thin shell over a plain function.

Bad input surfaces as one line on stderr and exit code 2 (DecoderHeadError); Ctrl-C
says how to resume. Config: `--preset NAME|FILE.yaml` plus `--set key.sub=value` overrides.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from .errors import DecoderHeadError


def _config(args: argparse.Namespace) -> Any:
    from .config import load_run_config

    cfg = load_run_config(args.preset, [*_corpus_overrides(args), *args.set])
    name = getattr(args, "name", None) or getattr(args, "bed", None)  # a bed's run folder is named after it
    if name:
        import dataclasses

        cfg = dataclasses.replace(cfg, name=name)
    return cfg


def _corpus_overrides(args: argparse.Namespace) -> list[str]:
    """`run`'s test bed and own-corpora options as config overrides (an option beats the bed, an
    explicit --set beats both). Paths are quoted (JSON strings are YAML strings), so `a: b.txt` or
    `1e5.txt` stay file names."""
    import json

    out = []
    if getattr(args, "bed", None):
        from .data.beds import get_bed

        out += get_bed(args.bed).overrides()
    for option, key in (("lm_corpus", "lm.corpus"), ("corpus", "induce.corpus"), ("dictionary", "eval.dictionary")):
        if getattr(args, option, None):
            out.append(f"{key}={json.dumps(getattr(args, option))}")
    if getattr(args, "no_dictionary", False):
        out.append("eval.dictionary=null")
    if getattr(args, "languages", None):
        out.append(f"languages=[{args.languages[0]}, {args.languages[1]}]")
    out += [f"{stage}=null" for stage in ("recover", "refine") if getattr(args, f"no_{stage}", False)]
    return out


def _print_table(rows: list[tuple[str, str]], title: str, columns: tuple[str, str] = ("quantity", "value")) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title))
    for column in columns:
        table.add_column(column)
    for k, v in rows:
        table.add_row(escape(k), escape(v))
    Console().print(table)


def cmd_train_lm(args: argparse.Namespace) -> None:
    from .train.pretrain import train_lm

    cfg = _config(args)
    lm = train_lm(cfg.lm, Path(args.workdir), resume=not args.no_resume, runtime=args.runtime)
    if args.runtime.is_main:
        print(f"LM in {lm.folder}: val ppl {lm.meta['val_ppl']:.1f}" + (" (reused)" if lm.meta.get("reused") else ""))


def cmd_generate(args: argparse.Namespace) -> None:
    from .generate import generate
    from .train.pretrain import load_lm, require_lm_folder, train_lm

    if args.lm:
        lm = load_lm(require_lm_folder(args.lm))
    else:
        lm = train_lm(_config(args).lm, Path(args.workdir), runtime=args.runtime)
    print(args.prompt + " " + generate(lm, args.prompt, args.words, args.temperature, args.seed))


def _stage(args: argparse.Namespace, stage: str) -> None:
    from . import experiment
    from .files import write_json
    from .train.pretrain import train_lm

    cfg = _config(args)
    workdir = Path(args.workdir)
    lm = train_lm(cfg.lm, workdir, resume=not args.no_resume, runtime=args.runtime)
    run_dir = workdir / cfg.name
    if stage == "recover":
        result = experiment.recover(lm, cfg.recover, cfg.eval, workdir, run_dir, not args.no_resume, args.runtime)
    else:
        result, _ = experiment.induce(lm, cfg.induce, cfg.eval, workdir, run_dir, not args.no_resume, args.runtime)
    if not args.runtime.is_main:
        return
    write_json(run_dir / f"{stage}.json", result)
    rows = [(k, f"{v:.3f}" if isinstance(v, float) else str(v)) for k, v in result.items()
            if isinstance(v, (int, float, str)) or k in ("nn", "csls", "hit_at_1_by_rank")]
    _print_table(rows, f"{stage} -> {run_dir / (stage + '.json')}")


def cmd_run(args: argparse.Namespace) -> None:
    from .data.beds import prepare
    from .experiment import run
    from .report import summary_rows

    if args.bed:
        prepare(args.bed, cache_dir=str(Path(args.workdir) / "cache"))  # a cipher bed's files, once
    cfg = _config(args)
    metrics = run(cfg, Path(args.workdir), resume=not args.no_resume, runtime=args.runtime)
    _print_table(summary_rows(metrics), f"decoder-head run -> {Path(args.workdir) / cfg.name}")


def cmd_beds(args: argparse.Namespace) -> None:
    from .data.beds import BEDS

    _print_table([(name, f"{b.about}\n{b.text} -> {b.lm}\nyardstick {b.yardstick}.{{train,test}}.txt")
                  for name, b in BEDS.items()], "test beds (`decoder-head run --bed NAME`)",
                 ("bed", "what it tests; B's text -> A's text (the LM's); gold pairs"))


def cmd_export_text(args: argparse.Namespace) -> None:
    from .data.corpus import CorpusSpec, export_text

    n = export_text(CorpusSpec.parse(args.corpus), args.out, cache_dir=args.cache_dir)
    print(f"{args.out}: {n} lines of {args.corpus}")


def cmd_bli(args: argparse.Namespace) -> None:
    from .data.dictionary import read_muse
    from .eval.bli import evaluate_bli
    from .eval.vectors import read_word2vec

    s_words, s_emb, _ = read_word2vec(args.src)
    t_words, t_emb, _ = read_word2vec(args.trg, expected_dim=s_emb.size(1))
    gold = read_muse(args.dictionary)
    rows = []
    for method in ("nn", "csls"):
        r = evaluate_bli(s_words, s_emb, t_words, t_emb, gold, method=method)
        rows.append((method, f"P@1 {r['p_at_1']:.1f}  P@5 {r['p_at_5']:.1f}  P@10 {r['p_at_10']:.1f}  "
                             f"coverage {r['coverage']:.2f} ({r['n_evaluated']} words)"))
    _print_table(rows, f"BLI {args.src} -> {args.trg}")


def cmd_embed(args: argparse.Namespace) -> None:
    from .align.embed import embed_corpus
    from .align.ppmi import PPMIConfig
    from .align.word2vec import FastTextConfig, Word2VecConfig

    common = dict(dim=args.dim, min_count=args.min_count, seed=args.seed)
    if args.window is not None:
        common["window"] = args.window
    cfg = (PPMIConfig(**common) if args.method == "ppmi"
           else {"skipgram": Word2VecConfig, "fasttext": FastTextConfig}[args.method](
               **common, epochs=args.epochs, workers=args.workers))
    info = embed_corpus(args.corpus, args.out, cfg, cache_dir=args.cache_dir)
    print(f"{info['out']}: {info['words']} words x {cfg.dim} from {info['tokens']} tokens ({info['seconds']:.0f} s)")


def cmd_align(args: argparse.Namespace) -> None:
    import dataclasses

    from .align import AlignConfig, run_align

    cfg = AlignConfig()
    if args.refine is not None:
        cfg = dataclasses.replace(cfg, refine_rounds=args.refine)
    if args.orthography:
        cfg = dataclasses.replace(cfg, self_learning=dataclasses.replace(cfg.self_learning,
                                                                         orthography=args.orthography))
    m = run_align(args.src, args.trg, args.method, args.out, args.train_dict, args.dictionary, cfg)
    for side, path in (("src", args.src), ("trg", args.trg)):
        if m["skipped_duplicates"][side]:
            print(f"decoder-head: note: {path}: skipped {m['skipped_duplicates'][side]} duplicate word(s), "
                  "kept each word's first vector", file=sys.stderr)
    rows = [("method", m["method"]), ("seconds", f"{m['seconds']:.1f}"), ("out", str(args.out))]
    if m["csls"] is not None:
        rows += [(r, f"P@1 {m[r]['p_at_1']:.1f}  P@5 {m[r]['p_at_5']:.1f}  P@10 {m[r]['p_at_10']:.1f}  "
                     f"coverage {m['coverage']:.2f}") for r in ("nn", "csls")]
    _print_table(rows, f"align {args.src} -> {args.trg}")


def cmd_readme(args: argparse.Namespace) -> None:
    from .report import update_readme

    update_readme(Path(args.readme), [Path(d) for d in args.run_dirs])
    print(f"{args.readme}: results block rewritten from {len(args.run_dirs)} run(s)")


def cmd_results(args: argparse.Namespace) -> None:
    from .files import read_json
    from .report import induction_table, replace_block
    from .report.markdown import INDUCTION_END, INDUCTION_START
    from .results import load_results_config, run_results

    cfg = load_results_config(args.config)
    if args.table_only:
        if not Path(cfg.out).is_file():
            raise DecoderHeadError(f"{cfg.out}: no results yet; run `decoder-head results {args.config}` first")
        rows = read_json(Path(cfg.out))
    else:
        rows = run_results(cfg, Path(args.workdir), resume=not args.no_resume, runtime=args.runtime)
    table = induction_table(rows)
    if args.readme:
        note = [f"Written by `decoder-head results {args.config} --table-only` from `{cfg.out}` "
                "(mean +- std over seeds):", ""]
        replace_block(Path(args.readme), INDUCTION_START, INDUCTION_END, note + table)
    print("\n".join(table))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="decoder-head", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, fn: Callable[[argparse.Namespace], None], help_: str, config: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(fn=fn)
        p.add_argument("--device", help="auto (default: cuda when torch sees a GPU), cpu, cuda or cuda:N "
                                        "(under torchrun: each rank takes the GPU of its LOCAL_RANK)")
        p.add_argument("--autocast", choices=("bfloat16", "float16"),
                       help="mixed precision for training and scoring (default: float32)")
        if config:
            p.add_argument("--preset", default="default", help="preset name or YAML file (default: default)")
            p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                           help="override a config value, e.g. --set recover.train.epochs=2")
            p.add_argument("--workdir", default="runs", help="root of LMs, caches and run folders")
            resume = p.add_mutually_exclusive_group()
            resume.add_argument("--resume", dest="no_resume", action="store_false",
                                help="continue from the last checkpoint (the default)")
            resume.add_argument("--no-resume", dest="no_resume", action="store_true",
                                help="start training over (a finished LM with the same config is still reused)")
            p.set_defaults(no_resume=False)  # resuming is the default (store_false alone would default to True)
        return p

    add("train-lm", cmd_train_lm, "train (or reuse) the language model of the preset")
    g = add("generate", cmd_generate, "continue a prompt with a trained LM")
    g.add_argument("prompt")
    g.add_argument("--lm", help="LM folder (runs/lms/...); default: the preset's LM")
    g.add_argument("--words", type=int, default=30)
    g.add_argument("--temperature", type=float, default=0.8)
    g.add_argument("--seed", type=int, default=0)
    for name, help_ in (("recover", "wipe the mapping and re-learn it on the same corpus"),
                        ("induce", "learn language B's mapping through A's frozen body; write a lexicon")):
        add(name, lambda a, s=name: _stage(a, s), help_).add_argument("--name", help="run folder name")
    from .data.beds import BEDS

    beds = list(BEDS)
    run = add("run", cmd_run, "LM -> recover -> induce -> refine -> lexicon, vectors, report (what `make run` does)")
    run.add_argument("--name", help="run folder name (default: the preset's name)")
    run.add_argument("--bed", choices=beds, metavar="NAME",
                     help=f"a named test bed: its two corpora, language codes and test split ({', '.join(beds)}; "
                          "`decoder-head beds` lists them); --lm-corpus, --corpus, --dictionary or --set override it")
    run.add_argument("--lm-corpus", metavar="SPEC", help="language A, the LM's text: text:PATH, wikitext:PATH, "
                                                         "sword:MODULE[:ot|nt] (default: the preset's, KJV)")
    run.add_argument("--corpus", metavar="SPEC", help="language B, the text to translate from (default: RV1909)")
    dictionary = run.add_mutually_exclusive_group()
    dictionary.add_argument("--dictionary", metavar="PATH", help="MUSE file `b_word a_word` per line: P@k blocks")
    dictionary.add_argument("--no-dictionary", action="store_true",
                            help="no gold pairs: report unsupervised signals only")
    run.add_argument("--languages", nargs=2, metavar=("B", "A"), help="codes for file names, e.g. es en")
    run.add_argument("--no-recover", action="store_true", help="skip the recovery experiment")
    run.add_argument("--no-refine", action="store_true", help="stop at the decoder head's own lexicon")
    add("beds", cmd_beds, "list the named test beds (`run --bed NAME`)", config=False)
    x = add("export-text", cmd_export_text, "write a corpus (e.g. a SWORD Bible) as plain text, one verse per line",
            config=False)
    x.add_argument("corpus", help="sword:MODULE[:ot|nt], text:PATH or wikitext:PATH")
    x.add_argument("out", help="output .txt file")
    x.add_argument("--cache-dir", default="runs/cache", help="where SWORD Bibles are cached as TSV")
    b = add("bli", cmd_bli, "score two word2vec text files with a MUSE dictionary", config=False)
    b.add_argument("src")
    b.add_argument("trg")
    b.add_argument("--dictionary", required=True)
    e = add("embed", cmd_embed,
            "monolingual vectors of a corpus (skip-gram, fastText or PPMI-SVD); write word2vec text", config=False)
    e.add_argument("corpus", help="sword:MODULE[:ot|nt], text:PATH or wikitext:PATH")
    e.add_argument("out", help="output .vec file (word2vec text, most frequent words first)")
    e.add_argument("--method", choices=("skipgram", "fasttext", "ppmi"), default="skipgram",
                   help="gensim skip-gram (default), fastText (skip-gram over character 3-6-grams too) "
                        "or PPMI + truncated SVD (align/ppmi.py)")
    e.add_argument("--dim", type=int, default=300)
    e.add_argument("--window", type=int, help="context window (default: 5 skip-gram and fastText, 10 ppmi)")
    e.add_argument("--min-count", type=int, default=3)
    e.add_argument("--epochs", type=int, default=5, help="skip-gram and fastText")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--workers", type=int, default=2, help="skip-gram and fastText (1 = bit-identical reruns)")
    e.add_argument("--cache-dir", default="runs/cache", help="where SWORD Bibles are cached as TSV")
    a = add("align", cmd_align, "map two word2vec spaces into one (VecMap-style baselines); BLI if --dictionary",
            config=False)
    a.add_argument("src")
    a.add_argument("trg")
    a.add_argument("--method", choices=("unsupervised", "procrustes", "procrustes-refine", "gw", "identical"),
                   default="unsupervised")
    a.add_argument("--train-dict", help="MUSE training pairs (needed by --method procrustes[-refine])")
    a.add_argument("--dictionary", help="MUSE test pairs: writes P@1/5/10 and coverage to metrics.json")
    a.add_argument("--refine", type=int, help="refinement rounds of procrustes-refine and gw (default 5)")
    a.add_argument("--orthography", type=float, default=0.0,
                   help="self-learning methods: weight of character-bigram similarity in dictionary induction "
                        "(0 = off; 0.1 for related languages)")
    a.add_argument("--out", default="runs/align", help="output folder (default: runs/align)")
    res = add("results", cmd_results, "run the induction grid (methods x settings x directions x seeds)",
              config=False)
    res.add_argument("config", nargs="?", default="configs/induction.yaml", help="grid YAML (ResultsConfig)")
    res.add_argument("--workdir", default="runs")
    res.add_argument("--no-resume", action="store_true", help="run every row again")
    res.add_argument("--table-only", action="store_true", help="only rebuild the table from the JSON")
    res.add_argument("--readme", help="also rewrite this README's induction block")
    from .seq2seq.commands import add_subcommands as add_seq2seq

    add_seq2seq(add)  # seq2seq-train, seq2seq-eval, translate
    from .classify.commands import add_subcommands as add_classify

    add_classify(add, generate=g)  # classify-train, classify-eval; generate --mapping
    r = add("readme", cmd_readme, "rewrite README's results block from a run folder", config=False)
    r.add_argument("run_dirs", nargs="*", default=["runs/latest"], help="run folders (one per seed)")
    r.add_argument("--readme", default="README.md")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from .runtime import Runtime

        # Built once, here, and passed down: device, mixed precision, and torchrun's rank.
        # A bad device name or a missing GPU fails here, in one line.
        args.runtime = Runtime.from_launcher(getattr(args, "device", None), getattr(args, "autocast", None))
        args.fn(args)
    except DecoderHeadError as exc:
        print(f"decoder-head: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("decoder-head: interrupted; run the same command again to resume from the last checkpoint",
              file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
