"""What a mixture mapping costs per training step at 2k-10k words: seconds and memory.

    .venv/bin/python benchmarks/mapping_cost.py            (nice -n 10 on a shared machine)
        [--sizes 2000 5000 10000] [--topk 128] [--mappings ...] [--budget-gb 6] [--threads 1]

One row per mapping x vocabulary size x support (dense V x V, sparse top-k), d = 200:
forward + backward of `table()` (+ `penalty()`), the part of a re-learning step that
grows with V x V_t (the frozen body's cost does not depend on the mapping). Each row runs
in its own process so the peak-memory reading (VmHWM, reset before the step) is the
step's own. Dense rows whose estimated autograd memory exceeds --budget-gb are kept as
skipped rows with the estimate. `hungarian` rows time `hard_assignment()` (dense scipy
linear_sum_assignment vs. sparse full matching), which EM and final rounding pay per call.
One torch thread by default: on a shared 2-core machine two threads under contention turn
timings into noise; CPU seconds are recorded beside wall seconds for the same reason.
Rows go to benchmarks/results/mapping_cost.json; `--table-only --readme README.md` rewrites
the README's cost table from it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

from decoder_head.files import read_json, write_json
from decoder_head.mapping import build_mapping
from decoder_head.report.markdown import add_table_args, replace_block, table_only
from decoder_head.train.relearn import rank_prior

ROOT = Path(__file__).resolve().parent.parent
MAPPINGS = ("linear", "softmax", "sinkhorn", "gumbel-sinkhorn", "autoshuffle")
DIM = 200
N_ITER = {"sinkhorn": 10, "gumbel-sinkhorn": 20, "autoshuffle": 10}  # the constructors' defaults
README_START, README_END = "<!-- mapping-cost:start -->", "<!-- mapping-cost:end -->"


def dense_gb(name: str, n: int) -> float:
    """Rough autograd footprint of a dense V x V step: tensors of V*V float32 kept alive."""
    copies = 2 * N_ITER.get(name, 0) + 6  # two per Sinkhorn iteration + logits, grads, noise, W
    return copies * n * n * 4 / 1e9


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM := VmRSS


def measure(name: str, n: int, topk: int | None, reps: int, hungarian: bool) -> dict:
    """One configuration, in this process: time and peak memory of forward + backward."""
    torch.manual_seed(0)
    target = torch.randn(n, DIM) * 0.3
    init = rank_prior(n, n, 2, 1.0)  # the frequency-rank prior relearn.py gives mixtures
    m = build_mapping(name, n, DIM, target=target, init=init, topk=topk).train()
    del init
    probe = torch.randn(n, DIM)
    times, cpu = [], []
    base = rss_mb("VmRSS")
    reset_peak()
    for _ in range(reps + 1):  # the first is a warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        loss = (m.table() * probe).sum() + m.penalty()
        m.zero_grad(set_to_none=True)
        loss.backward()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    row = {
        "seconds_per_step": statistics.median(times[1:]),
        "cpu_seconds_per_step": statistics.median(cpu[1:]),
        "seconds_first_step": times[0],
        "step_peak_mb": rss_mb("VmHWM") - base,
        "process_peak_mb": rss_mb("VmHWM"),
        "parameters": sum(p.numel() for p in m.parameters()),
    }
    if hungarian:
        m.eval()
        t0 = time.perf_counter()
        cols = m.hard_assignment()
        row["hard_assignment_seconds"] = time.perf_counter() - t0
        row["hard_assignment_is_permutation"] = len(set(cols.tolist())) == n
    return row


def run_one(name: str, n: int, topk: int | None, reps: int, hungarian: bool, timeout: int, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--one", name, str(n), str(topk or 0), "--reps", str(reps),
           "--threads", str(threads)]
    if hungarian:
        cmd.append("--hungarian")
    t0 = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": (exc.stderr.strip().splitlines() or ["failed"])[-1],
                "seconds_before_failure": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=[2000, 5000, 10000])
    ap.add_argument("--topk", type=int, default=128)
    ap.add_argument("--mappings", nargs="+", default=list(MAPPINGS), choices=list(MAPPINGS))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--budget-gb", type=float, default=6.0, help="skip dense rows estimated above this")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per row")
    ap.add_argument("--threads", type=int, default=1, help="torch threads in each measurement")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "mapping_cost.json"))
    add_table_args(ap, "with --table-only: rewrite this README's cost table from --out")
    ap.add_argument("--one", nargs=3, metavar=("MAPPING", "V", "TOPK"), help=argparse.SUPPRESS)
    ap.add_argument("--hungarian", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    torch.set_num_threads(args.threads)
    if args.one:  # child process: one measurement, one JSON line
        name, n, k = args.one[0], int(args.one[1]), int(args.one[2])
        print(json.dumps(measure(name, n, k or None, args.reps, args.hungarian)))
        return 0
    rows, load_before = [], os.getloadavg()
    for n in args.sizes:
        for name in args.mappings:
            for topk in (None, args.topk):
                row = {"mapping": name, "V": n, "V_t": n, "d": DIM, "support": "dense" if topk is None else f"top{topk}",
                       "topk": topk, "n_iter": N_ITER.get(name)}
                if topk is None and dense_gb(name, n) > args.budget_gb:
                    row["skipped"] = f"dense autograd estimated {dense_gb(name, n):.1f} GB > budget {args.budget_gb} GB"
                else:
                    # Hungarian timing once per size and support (it does not depend on the mapping).
                    row.update(run_one(name, n, topk, args.reps, name == "sinkhorn", args.timeout, args.threads))
                print(json.dumps(row), flush=True)
                rows.append(row)
    meta = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "torch": torch.__version__, "threads": args.threads,
            "load_average_before": load_before, "load_average_after": os.getloadavg(),
            "command": "nice -n 10 .venv/bin/python benchmarks/mapping_cost.py " + " ".join(argv or sys.argv[1:]),
            "what": "forward+backward of table() + penalty(); median of --reps after a warm-up; peak RSS of the step"}
    write_json(args.out, {"meta": meta, "rows": rows})
    print(f"wrote {args.out}")
    return 0


def table_lines(rows: list[dict]) -> list[str]:
    """One line per mapping x V: dense vs top-k seconds per step and step memory."""
    def cell(r: dict | None) -> str:
        if r is None:
            return "-"
        if "skipped" in r or "error" in r:
            return "skipped (> memory budget)" if "skipped" in r else "failed"
        return f"{r['seconds_per_step']:.3f} s, {r['step_peak_mb']:.0f} MB"

    lines = ["| V | mapping | dense: s/step, step memory | sparse top-k: s/step, step memory |", "|---|---|---|---|"]
    for key in dict.fromkeys((r["V"], r["mapping"]) for r in rows):
        mine = {r["support"]: r for r in rows if (r["V"], r["mapping"]) == key}
        sparse = next((r for sup, r in mine.items() if sup != "dense"), None)
        lines.append(f"| {key[0]} | {key[1]} | {cell(mine.get('dense'))} | {cell(sparse)} |")
    return lines


def write_table(readme: Path, results: Path) -> None:
    data = read_json(results)
    meta = data["meta"]
    header = [f"Written by `python benchmarks/mapping_cost.py --table-only --readme {readme.name}` from "
              f"`{results.relative_to(ROOT) if results.is_relative_to(ROOT) else results}` "
              f"({meta['threads']} torch thread(s), {meta['cpus']} CPUs, torch {meta['torch']}; "
              f"forward + backward of the mapping, d = {DIM}):", ""]
    replace_block(readme, README_START, README_END, header + table_lines(data["rows"]))
    print(f"{readme}: mapping cost table rewritten from {results}")


if __name__ == "__main__":
    sys.exit(main())
