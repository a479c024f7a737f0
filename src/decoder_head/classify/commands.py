"""The classifier subcommands of `decoder-head` (registered by cli.build_parser), and `generate --mapping`:

    decoder-head classify-train [--lm runs/lms/...] [--config FILE.yaml] [--set train.unfreeze=2 ...] [--name NAME]
    decoder-head classify-eval  [--model runs/classify/kjv-groups] [--mapping runs/default]
                                [--lexicon runs/default/lexicon.tsv ...] [--corpus sword:spaRV1909eb] [--split test]
    decoder-head generate "y dijo dios" --mapping runs/default     (A's body continues B's prompt in B)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Callable

DEFAULT_MODEL = "runs/classify/kjv-groups"


def cmd_train(args: argparse.Namespace) -> None:
    from ..train.pretrain import require_lm_folder, train_lm
    from .config import load_classify_config
    from .train import train_classifier

    cfg = load_classify_config(args.config, args.set)
    if args.name:
        cfg = dataclasses.replace(cfg, name=args.name)
    workdir = Path(args.workdir)
    if args.lm:
        lm_folder = require_lm_folder(args.lm)
    else:
        from ..config import load_run_config

        lm_folder = train_lm(load_run_config(args.preset).lm, workdir).folder  # reused when it exists
    folder = workdir / "classify" / cfg.name
    clf = train_classifier(cfg, lm_folder, folder, workdir / "cache", resume=not args.no_resume)
    valid = clf.meta["valid"]
    print(f"{folder}: body of {lm_folder}, best epoch {clf.meta['best_epoch'] + 1}/{cfg.train.epochs}: valid accuracy "
          f"{valid['accuracy']:.3f}, macro-F1 {valid['macro_f1']:.3f}; `decoder-head classify-eval --model {folder}` "
          "scores it")


def cmd_eval(args: argparse.Namespace) -> None:
    from ..errors import DecoderHeadError
    from ..files import write_json
    from .data import read_labelled, split_verses
    from .evaluate import FeatureCache, evaluate
    from .train import load_classifier
    from .transfer import load_induced, lookup_lexical, perplexities, transfer_rows

    clf = load_classifier(args.model)
    task, cache_dir = clf.config.task, str(Path(args.workdir) / "cache")
    a_part = getattr(split_verses(read_labelled(task.corpus, cache_dir, task.sword_dir), task), args.split)
    lexicals, extra, b_corpus = [], {}, args.corpus
    if args.mapping:
        induced = load_induced(args.mapping)
        lexicals.append(induced.lexical(f"decoder head ({args.mapping})"))
        b_corpus = b_corpus or induced.config.induce.corpus
        extra["perplexity"] = perplexities(induced)
    for path in args.lexicon:
        lexical, extra[f"lookup {path}"] = lookup_lexical(f"lookup ({path})", path, clf.lexical)
        lexicals.append(lexical)
    if lexicals and not b_corpus:
        raise DecoderHeadError("--lexicon rows need --corpus: language B's verses, e.g. sword:spaRV1909eb")
    cache = FeatureCache() if clf.config.train.unfreeze == 0 else None
    if b_corpus:
        b_part = getattr(split_verses(read_labelled(b_corpus, cache_dir, task.sword_dir), task), args.split)
        rows = transfer_rows(clf, a_part, b_part, lexicals, cache)
    else:
        rows = [evaluate(clf.model, clf.lexical, a_part, task.max_len, cache)]
    rows[0]["lexical"] = f"{task.corpus} (trained on)"
    out = Path(args.model) / "eval.json"
    write_json(out, {"split": args.split, "corpus_b": b_corpus, "rows": rows, **extra})
    width = max(len(r["lexical"]) for r in rows)
    for r in rows:
        print(f"{r['lexical']:<{width}}  verses {r['n']:5d}  accuracy {r['accuracy']:.3f}  macro-F1 "
              f"{r['macro_f1']:.3f}  <unk> {r['unk_rate']:.3f}")
    if extra.get("perplexity"):
        p = extra["perplexity"]
        print(f"held-out perplexity of {b_corpus} through the frozen body with the induced mapping "
              f"{p['induced_val_ppl']:.1f} (the LM's own: {p['lm_val_ppl']:.1f})")
    print(f"-> {out}")


def cmd_generate_mapped(args: argparse.Namespace) -> None:
    """`generate --mapping RUN`: the run's induced table in and out, A's body in between."""
    from ..errors import DecoderHeadError
    from ..generate import generate
    from .transfer import load_induced, perplexities

    if args.lm:
        raise DecoderHeadError("give --lm or --mapping, not both (--mapping brings its run's LM)")
    induced = load_induced(args.mapping)
    print(args.prompt + " " + generate(induced.as_lm(), args.prompt, args.words, args.temperature, args.seed))
    p = perplexities(induced)
    if p:
        print(f"({induced.config.induce.corpus} through the frozen body of {induced.lm.folder.name} with this mapping: "
              f"held-out perplexity {p['induced_val_ppl']:.1f}; the LM's own {p['lm_val_ppl']:.1f})", file=sys.stderr)


def add_subcommands(add: Callable[..., argparse.ArgumentParser],
                    generate: argparse.ArgumentParser | None = None) -> None:
    """`add(name, fn, help, config=False)` is cli.build_parser's registrar; `generate`, its generate
    parser, gains --mapping."""
    t = add("classify-train", cmd_train, "train a verse classifier (book groups) on an LM's body (ULMFiT head)",
            config=False)
    t.add_argument("--lm", help="LM folder (runs/lms/...); default: the --preset's LM (trained when missing)")
    t.add_argument("--preset", default="default", help="preset whose LM to use without --lm (default: default)")
    t.add_argument("--config", help="classify YAML (task, head, train sections); default: built-in defaults")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value, e.g. --set train.unfreeze=2 --set train.epochs=4")
    t.add_argument("--name", help="classifier folder name under WORKDIR/classify/ (default: the config's name)")
    t.add_argument("--workdir", default="runs", help="LMs, corpus cache, classifier folders")
    t.add_argument("--no-resume", action="store_true", help="start over instead of resuming the checkpoint")
    e = add("classify-eval", cmd_eval, "score a verse classifier; zero-shot on language B through an induced "
            "mapping or a lexicon", config=False)
    e.add_argument("--model", default=DEFAULT_MODEL, help=f"classifier folder (default: {DEFAULT_MODEL})")
    e.add_argument("--mapping", metavar="RUN_DIR", help="a run folder (runs/default): B's verses through its decoder "
                   "head, the induced B table in place of A's")
    e.add_argument("--lexicon", action="append", default=[], metavar="TSV",
                   help="a lexicon.tsv: B's verses word by word through A's rows of each top-1 translation")
    e.add_argument("--corpus", help="language B's verses (default: the --mapping run's induce corpus)")
    e.add_argument("--split", choices=("test", "valid"), default="test")
    e.add_argument("--workdir", default="runs", help="where the corpus cache is")
    if generate is not None:
        generate.add_argument("--mapping", metavar="RUN_DIR",
                              help="a run folder (runs/default): its induced mapping replaces the LM's table, so "
                                   "the English body continues a prompt in language B")
        plain = generate.get_default("fn")
        generate.set_defaults(fn=lambda a: cmd_generate_mapped(a) if a.mapping else plain(a))

