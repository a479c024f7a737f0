"""The seq2seq subcommands of `decoder-head` (registered by cli.build_parser):

    decoder-head seq2seq-train [--config configs/seq2seq.yaml] [--set model.kind=transformer ...]
    decoder-head seq2seq-eval  [--model runs/seq2seq/seq2seq] [--beam 5] [--lexicon lexicon.tsv ...]
    decoder-head translate "y dijo dios" [--model runs/seq2seq/seq2seq] [--beam 5]   (`-`: stdin lines)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any, Callable

DEFAULT_MODEL = "runs/seq2seq/seq2seq"


def cmd_train(args: argparse.Namespace) -> None:
    from .config import load_seq2seq_config
    from .train import train_seq2seq

    cfg = load_seq2seq_config(args.config, args.set)
    if args.name:
        cfg = dataclasses.replace(cfg, name=args.name)
    folder = Path(args.workdir) / "seq2seq" / cfg.name
    meta = train_seq2seq(cfg, folder, resume=not args.no_resume)
    print(f"{folder}: {cfg.model.kind}, {meta['steps']} steps ({meta['epochs']:.2f} epochs) in "
          f"{meta['train_seconds']:.0f} {cfg.train.budget_clock} s, val loss {meta['val_loss']:.3f}; "
          f"`decoder-head seq2seq-eval --model {folder}` scores it")


def _decode(args: argparse.Namespace, base: Any) -> Any:
    changes = {k: v for k, v in (("beam", args.beam), ("length_penalty", args.length_penalty)) if v is not None}
    try:
        return dataclasses.replace(base, **changes)
    except ValueError as exc:
        from ..errors import DecoderHeadError

        raise DecoderHeadError(f"bad decoding option: {exc}") from None


def cmd_eval(args: argparse.Namespace) -> None:
    from ..errors import DecoderHeadError
    from ..files import write_json
    from .data import build_parallel
    from ..eval.bli import read_lexicon
    from .evaluate import evaluate_lexicon, evaluate_translator, freedict_lexicon
    from .translator import load_translator

    tr = load_translator(args.model)
    decode = _decode(args, tr.config.decode)
    data = build_parallel(tr.config.data)
    pairs = data.test[: args.limit] if args.limit else data.test
    rows = [{"model": tr.config.model.kind, **evaluate_translator(tr, pairs, decode)}]
    if args.freedict:
        try:
            rows.append(evaluate_lexicon("FreeDict", freedict_lexicon(tr.trg_vocab, args.dictd_dir), pairs))
        except DecoderHeadError as exc:
            print(f"FreeDict row skipped: {exc}")
    for path in args.lexicon:
        rows.append({**evaluate_lexicon(Path(path).parent.name or path, read_lexicon(path), pairs), "lexicon": path})
    out = Path(args.model) / "eval.json"
    write_json(out, {"test_verses": len(pairs), "rows": rows})
    for r in rows:
        print(f"{r['model']:<36} BLEU {r['bleu']:6.2f}  chrF {r['chrf']:6.2f}")
    print(f"BLEU signature: {rows[0]['signature']}\nchrF signature: {rows[0]['chrf_signature']}")
    for ex in rows[0]["examples"][:3]:
        print(f"\n{ex['id']}\n  src: {ex['src']}\n  ref: {ex['ref']}\n  hyp: {ex['hyp']}")
    print(f"-> {out}")


def cmd_translate(args: argparse.Namespace) -> None:
    import torch

    from ..errors import DecoderHeadError
    from .translator import load_translator

    torch.set_num_threads(1)  # one verse: small ops, threads only add overhead
    tr = load_translator(args.model)
    decode = _decode(args, tr.config.decode)
    if args.text == ["-"]:  # one verse per stdin line: load once, answer each line at once
        for line in sys.stdin:
            try:
                print(tr.translate(line, decode), flush=True)
            except DecoderHeadError as exc:  # a bad line is reported, the stream goes on
                print(f"decoder-head: error: {exc}", file=sys.stderr, flush=True)
                print("", flush=True)
        return
    for text in args.text:
        print(tr.translate(text, decode))


def add_subcommands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """`add(name, fn, help, config=False)` is cli.build_parser's registrar."""
    t = add("seq2seq-train", cmd_train, "train a supervised translator on verse pairs (seq2seq)", config=False)
    t.add_argument("--config", help="seq2seq YAML (e.g. configs/seq2seq.yaml); default: built-in defaults")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value, e.g. --set model.kind=transformer --set train.max_minutes=5")
    t.add_argument("--name", help="model folder name under WORKDIR/seq2seq/ (default: the config's name)")
    t.add_argument("--workdir", default="runs")
    t.add_argument("--no-resume", action="store_true", help="start over instead of resuming the checkpoint")
    for name, fn, help_ in (("seq2seq-eval", cmd_eval, "BLEU/chrF (sacrebleu) of a translator on its test verses"),
                            ("translate", cmd_translate, "translate text with a trained translator")):
        p = add(name, fn, help_, config=False)
        if name == "translate":
            p.add_argument("text", nargs="+", help="verses/sentences in the source language; `-` reads one per "
                           "stdin line (the model loads once)")
        p.add_argument("--model", default=DEFAULT_MODEL, help=f"model folder (default: {DEFAULT_MODEL})")
        p.add_argument("--beam", type=int, help="beam size (1 = greedy; default: the model's config)")
        p.add_argument("--length-penalty", type=float, help="GNMT alpha (default: the model's config)")
        if name == "seq2seq-eval":
            p.add_argument("--lexicon", action="append", default=[], help="lexicon.tsv for a word-by-word row")
            p.add_argument("--freedict", action=argparse.BooleanOptionalAction, default=True,
                           help="add the FreeDict word-by-word row (default: on)")
            p.add_argument("--dictd-dir", default="/usr/share/dictd")
            p.add_argument("--limit", type=int, help="score only the first N test verses")
