"""CPU cost of one induction run from scratch: the decoder head, the vectors, self-learning.

    make bench-cost   (the best recipe and the budget one, then the README table)
    .venv/bin/python benchmarks/induction_cost.py --grid configs/induction-cpu.yaml \
        --method sinkhorn-top128+ppmi+sl-orth --readme README.md

Runs one method of a grid config (default: the best recipe of configs/induction.yaml) for one
seed, parallel es->en, in a fresh work folder: nothing is resumed or cached except the trained
English LM (language A's model, which induction takes as given) and the corpus text cache
(both linked from --workdir). Writes benchmarks/results/induction_cost.json: CPU seconds of
the whole row (process time, every thread) and of the induction alone, wall seconds, torch
threads, P@1. The issue's target: <= 600 CPU seconds at the default preset.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import torch

from decoder_head.files import read_json, read_rows, write_json
from decoder_head.report.markdown import add_table_args, replace_block, table_only
from decoder_head.results import load_results_config, run_results
from decoder_head.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
README_START, README_END = "<!-- cost:start -->", "<!-- cost:end -->"


def write_table(readme: Path, out: Path) -> None:
    """The README's cost table from the JSON rows."""
    lines = [f"Written by `python benchmarks/induction_cost.py --table-only --readme {readme.name}` from "
             f"`{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}`:", "",
             "| method | P@1 CSLS (seed) | CPU s total | induction | refinement | torch threads | <= 600 CPU s |",
             "|---|---|---|---|---|---|---|"]
    for r in read_json(out):
        name = r["method"].replace("|", "\\|")
        lines.append(f"| `{name}` | {r['p_at_1_csls']:.1f} ({r['seed']}) | {r['cpu_seconds']:.0f} | "
                     f"{r['induce_cpu_seconds']:.0f} | {r['refine_cpu_seconds']:.0f} | {r['torch_threads']} | "
                     f"{'yes' if r['met'] else 'no'} |")
    replace_block(readme, README_START, README_END, lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", default=str(ROOT / "configs" / "induction.yaml"))
    ap.add_argument("--method", default="sinkhorn+sg|ppmi+sl-orth")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (CPU seconds count all of them)")
    ap.add_argument("--workdir", default=str(ROOT / "runs"), help="where the trained LMs and corpus cache are")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "induction_cost.json"))
    add_table_args(ap, "rewrite this README's cost table from --out at the end")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    grid = load_results_config(args.grid)
    methods = [m for m in grid.methods if m.name == args.method]
    if not methods:
        ap.error(f"{args.grid} has no method {args.method!r}")
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="induction-cost-") as tmp:
        fresh = Path(tmp)
        for shared in ("lms", "cache"):  # the LM is given; reading the SWORD modules is not induction
            (fresh / shared).symlink_to(Path(args.workdir).resolve() / shared)
        cfg = dataclasses.replace(grid, methods=tuple(methods), settings=("parallel",), directions=("es-en",),
                                  seeds=(args.seed,), out=str(fresh / "rows.json"))
        (row,) = run_results(cfg, fresh, resume=False, runtime=Runtime.local("cpu"))
        shutil.rmtree(fresh / "results", ignore_errors=True)
    result = {**{k: row[k] for k in ("method", "seed", "p_at_1_csls", "p_at_10_csls", "seconds",
                                     "cpu_seconds", "induce_cpu_seconds")},
              "refine_cpu_seconds": round(row["cpu_seconds"] - row["induce_cpu_seconds"], 3),
              "torch_threads": args.threads, "cpus": os.cpu_count(), "machine": platform.processor() or platform.machine(),
              "target_cpu_seconds": 600, "met": row["cpu_seconds"] <= 600}
    rows = [r for r in read_rows(args.out)
            if (r["method"], r["torch_threads"]) != (result["method"], args.threads)]
    write_json(Path(args.out), rows + [result])
    print(result)
    if args.readme:
        write_table(Path(args.readme), Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
