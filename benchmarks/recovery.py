"""Recovery with every mapping parametrisation: hit@1 by frequency rank, seeds, one plot.

    make bench-recovery   (= .venv/bin/python benchmarks/recovery.py --readme README.md)
    .venv/bin/python benchmarks/recovery.py --mappings sinkhorn softmax --seeds 0
    .venv/bin/python benchmarks/recovery.py --table-only --readme README.md   # README table from the JSON
    make bench-recovery-lr   (= ... --lr-sweep linear:1e-4,3e-4,1e-3,3e-3 free:0.005,0.05,0.5)

The grid preset's English (KJV) LM is trained once (or reused from --workdir); its
mapping is wiped and re-learned on KJV by each parametrisation with the preset's recovery
budget (random init, 6 x 40 steps, then 2 hard-EM rounds; `free` has no rows to assign,
so no EM). Mapping arguments are those of the induction grid (configs/induction.yaml), so
a recovery row and an induction row of the same name are the same method. `--train
linear:lr=1e-4` changes one mapping's training settings (the preset's lr 0.5 is sized for
logits, not for the raw entries of `linear`'s P); such rows are labelled with the change.
`--lr-sweep MAPPING:LR,LR,...` is how such a rate is chosen without a dictionary: 2 epochs
of gradient steps (no EM) per rate, seed 0; the lowest held-out perplexity wins
(benchmarks/results/recovery_lr.json).
Rows (mapping x seed) go to benchmarks/results/recovery.json, rewritten after every row;
a row whose key (mapping, seed, recovery config, LM) is already there is not run again.
The plot (benchmarks/results/recovery.png) shows hit@1 per frequency-rank bucket for all
mappings. Runs on the device `--device` picks (each row records it).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
import traceback
from pathlib import Path

from decoder_head.config import EvalConfig, RunConfig, identity, load_run_config, parse_yaml
from decoder_head.errors import DecoderHeadError
from decoder_head.experiment import recover
from decoder_head.files import read_json, read_rows, write_json
from decoder_head.report.markdown import mean_std, replace_block
from decoder_head.report.plots import plot_recovery_methods
from decoder_head.results import append_row, load_results_config
from decoder_head.runtime import Runtime
from decoder_head.train.pretrain import TrainedLM, train_lm

ROOT = Path(__file__).resolve().parent.parent
MAPPINGS = ("sinkhorn", "softmax", "autoshuffle", "gumbel-sinkhorn", "linear", "free")
BUCKETS = (0, 100, 250, 500, 1000)  # the default vocabulary has 2000 words: the last bucket is 1000-2000
README_START, README_END = "<!-- recovery:start -->", "<!-- recovery:end -->"


def mapping_args(grid: Path) -> dict[str, dict]:
    """Mapping arguments per parametrisation, from the induction grid's rows named after them."""
    return {m.name: dict(m.mapping_args) for m in load_results_config(grid).methods if m.name in MAPPINGS}


def train_overrides(specs: list[str]) -> dict[str, dict]:
    """`MAPPING:KEY=VALUE` strings -> {mapping: {key: value}} (values parsed as YAML)."""
    out: dict[str, dict] = {}
    for spec in specs:
        mapping, sep, assignment = spec.partition(":")
        key, eq, raw = assignment.partition("=")
        if not sep or not eq or mapping not in MAPPINGS or not key:
            raise DecoderHeadError(f"--train {spec!r}: expected MAPPING:KEY=VALUE with MAPPING one of {', '.join(MAPPINGS)}")
        out.setdefault(mapping, {})[key] = parse_yaml(raw)
    return out


def label(mapping: str, train: dict) -> str:
    """The table's row name: the mapping, plus any training setting changed for it."""
    return mapping + "".join(f" {k}={v}" for k, v in sorted(train.items()))


def sweep_specs(specs: list[str]) -> dict[str, list[float]]:
    """`MAPPING:LR,LR,...` strings -> {mapping: [lr, ...]}."""
    out: dict[str, list[float]] = {}
    for spec in specs:
        mapping, sep, lrs = spec.partition(":")
        try:
            rates = [float(x) for x in lrs.split(",")]
        except ValueError:
            rates = []
        if not sep or mapping not in MAPPINGS or not rates or min(rates) <= 0:
            raise DecoderHeadError(f"--lr-sweep {spec!r}: expected MAPPING:LR,LR,... with positive rates")
        out[mapping] = rates
    return out


def lr_sweep(lm: TrainedLM, cfg: RunConfig, margs: dict[str, dict], sweeps: dict[str, list[float]],
             ev: EvalConfig, workdir: Path, out: Path, runtime: Runtime, epochs: int = 2) -> dict[str, float]:
    """Short recoveries per learning rate; returns the rate with the lowest held-out perplexity per mapping.

    Rows (mapping, lr, val ppl, hit@1) go to `out`, re-read before every write (resumable, and
    two sweeps may share the file)."""
    done = {r["key"]: r for r in read_rows(out)}
    chosen: dict[str, float] = {}
    for mapping, rates in sweeps.items():
        results = []
        for lr in rates:
            tcfg = dataclasses.replace(cfg.recover.train, seed=0, epochs=epochs, lr=lr)
            rcfg = dataclasses.replace(cfg.recover, mapping=mapping, mapping_args=margs.get(mapping, {}),
                                       em_rounds=0, train=tcfg)
            key = row_key(mapping, 0, rcfg, lm.folder.name)
            row = done.get(key)
            if row is None:
                m = recover(lm, rcfg, ev, workdir, workdir / "bench-recovery" / f"lr-{mapping}-{lr:g}",
                            runtime=runtime)
                row = {"mapping": mapping, "lr": lr, "epochs": epochs, "val_ppl": round(m["history"][-1]["val_ppl"], 1),
                       "hit_at_1_top1000": m["hit_at_1_top1000"], "lm": lm.folder.name, "key": key}
                append_row(out, row)
            print(f"{mapping} lr {lr:g}: val ppl {row['val_ppl']:.1f}, hit@1 top-1000 {row['hit_at_1_top1000']:.3f}",
                  flush=True)
            results.append(row)
        chosen[mapping] = min(results, key=lambda r: r["val_ppl"])["lr"]
        print(f"{mapping}: lr {chosen[mapping]:g} (lowest held-out perplexity)", flush=True)
    return chosen


def row_key(mapping: str, seed: int, cfg: object, lm_folder: str) -> str:
    blob = json.dumps([mapping, seed, identity(cfg), lm_folder], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mappings", nargs="+", default=list(MAPPINGS), choices=list(MAPPINGS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--preset", default="grid")
    ap.add_argument("--train", nargs="+", default=[], metavar="MAPPING:KEY=VALUE",
                    help="change a recovery training setting for one mapping, e.g. linear:lr=1e-4")
    ap.add_argument("--grid", default=str(ROOT / "configs" / "induction.yaml"), help="where mapping arguments come from")
    ap.add_argument("--workdir", default=str(ROOT / "runs"), help="LMs, corpus cache; run folders under bench-recovery/")
    ap.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "recovery.json"))
    ap.add_argument("--readme", help="rewrite this README's recovery table from --out at the end")
    ap.add_argument("--lr-sweep", nargs="+", metavar="MAPPING:LR,LR,...",
                    help="only choose learning rates: 2-epoch recoveries, lowest held-out perplexity")
    ap.add_argument("--sweep-out", default=str(ROOT / "benchmarks" / "results" / "recovery_lr.json"))
    ap.add_argument("--table-only", action="store_true", help="only rewrite the plot and --readme's table from --out")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if args.table_only:
        finish(out, args.readme)
        return 0
    runtime = Runtime.local(args.device)
    cfg = load_run_config(args.preset)
    overrides = train_overrides(args.train)
    sweeps = sweep_specs(args.lr_sweep or [])
    ev = dataclasses.replace(cfg.eval, rank_buckets=BUCKETS)
    margs = mapping_args(Path(args.grid))
    workdir = Path(args.workdir)
    lm = train_lm(cfg.lm, workdir, runtime=runtime)
    print(f"LM {cfg.lm.corpus}: {lm.folder} val ppl {lm.meta['val_ppl']:.1f}", flush=True)
    if sweeps:
        lr_sweep(lm, cfg, margs, sweeps, ev, workdir, Path(args.sweep_out), runtime)
        return 0
    rows: list[dict] = read_rows(out)
    done = {r.get("key") for r in rows}
    for mapping in args.mappings:
        for seed in args.seeds:
            train = overrides.get(mapping, {})
            try:
                tcfg = dataclasses.replace(cfg.recover.train, seed=seed, **train)
            except TypeError as exc:
                raise DecoderHeadError(f"--train {mapping}: {exc}") from None
            rcfg = dataclasses.replace(
                cfg.recover, mapping=mapping, mapping_args=margs.get(mapping, {}),
                em_rounds=0 if mapping == "free" else cfg.recover.em_rounds, train=tcfg)
            key = row_key(mapping, seed, rcfg, lm.folder.name)
            if key in done:
                print(f"{label(mapping, train)} seed {seed}: in {out.name} already", flush=True)
                continue
            cpu0 = time.process_time()
            try:
                m = recover(lm, rcfg, ev, workdir, workdir / "bench-recovery" / f"{mapping}-s{seed}",
                            runtime=runtime)
                row = {k: m[k] for k in ("hit_at_1_top1000", "hit_at_1_all", "hit_at_1_by_rank",
                                         "hit_at_5_top1000", "hit_at_10_top1000", "seconds", "device")}
            except Exception as exc:  # a failing parametrisation keeps its row
                traceback.print_exc()
                row = {"error": f"{type(exc).__name__}: {exc}", "device": runtime.device.type}
            rows.append({"mapping": mapping, "label": label(mapping, train), "seed": seed, **row, "cpu_seconds": round(time.process_time() - cpu0, 1),
                         "lm": lm.folder.name, "key": key})
            write_json(out, rows)  # after every row: a killed run keeps what it measured
            print({k: v for k, v in rows[-1].items() if k != "hit_at_1_by_rank"}, flush=True)
    finish(out, args.readme)
    return 0



def _label(row: dict) -> str:
    return row.get("label", row["mapping"])


def table_lines(rows: list[dict]) -> list[str]:
    """One line per mapping: mean ± std over seeds (failed rows counted and shown)."""
    ok = [r for r in rows if "error" not in r]
    buckets = list(ok[0]["hit_at_1_by_rank"]) if ok else []
    lines = ["| mapping (training changes) | seeds | hit@1 top-1000 | " + " | ".join(f"hit@1 {b}" for b in buckets)
             + " | hit@5 top-1000 | seconds | CPU s | device |",
             "|---" * (len(buckets) + 7) + "|"]
    for name in dict.fromkeys(_label(r) for r in rows):
        mine = [r for r in ok if _label(r) == name]
        failed = [r for r in rows if _label(r) == name and "error" in r]
        cells = [name, str(len(mine)) + (f" ({len(failed)} failed: {failed[0]['error'][:60]})" if failed else ""),
                 mean_std([r["hit_at_1_top1000"] for r in mine])]
        cells += [mean_std([r["hit_at_1_by_rank"].get(b) for r in mine if b in r["hit_at_1_by_rank"]]) for b in buckets]
        cells += [mean_std([r["hit_at_5_top1000"] for r in mine]),
                  mean_std([r["seconds"] for r in mine], 0), mean_std([r["cpu_seconds"] for r in mine], 0),
                  ",".join(sorted({r.get("device", "?") for r in mine})) or "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def finish(out: Path, readme: str | None) -> None:
    rows = read_json(out)
    if not isinstance(rows, list):
        raise DecoderHeadError(f"{out}: expected a list of rows")
    plot = out.with_suffix(".png")
    plot_recovery_methods([r for r in rows if "error" not in r], plot)
    lines = table_lines(rows)
    print("\n".join(lines))
    print(f"-> {out}, {plot}")
    if readme:
        rel = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
        header = [f"Written by `python benchmarks/recovery.py --table-only --readme {Path(readme).name}` from `{rel}` "
                  f"(mean ± std over seeds; plot: `{rel.with_suffix('.png')}`):", ""]
        replace_block(Path(readme), README_START, README_END, header + lines)
        print(f"{readme}: recovery table rewritten from {out}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DecoderHeadError as exc:
        print(f"recovery.py: error: {exc}", file=sys.stderr)
        sys.exit(2)
