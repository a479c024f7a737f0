"""Markdown tables: the README's result blocks (runs, the induction grid, benchmarks)."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..files import write_text


def fmt(x: Any, digits: int = 3) -> str:
    return "-" if x is None else (f"{x:.{digits}f}" if isinstance(x, float) else str(x))


START, END = "<!-- results:start -->", "<!-- results:end -->"

def get(m: dict[str, Any], *path: str) -> Any:
    """m[a][b]..., or None when a stage (or its dictionary scores) is absent."""
    for key in path:
        if not isinstance(m, dict) or m.get(key) is None:
            return None
        m = m[key]
    return m


SEED_COLUMNS = (
    ("LM val ppl", ("lm", "val_ppl")),
    ("recover hit@1 top-1000", ("recover", "hit_at_1_top1000")),
    ("induce P@1 CSLS", ("induce", "csls", "p_at_1")),
    ("induce P@1 non-cognate", ("induce", "non_cognate", "p_at_1")),
    ("induce coverage", ("induce", "coverage")),
    ("refine P@1 NN", ("refine", "nn", "p_at_1")),
    ("refine P@1 CSLS", ("refine", "csls", "p_at_1")),
    ("refine P@10 CSLS", ("refine", "csls", "p_at_10")),
    ("refine P@1 non-cognate (n)", ("refine", "non_cognate", "p_at_1")),
    ("refine coverage", ("refine", "coverage")),
    ("wall seconds", ("wall_seconds",)),
)


def results_block(runs: list[tuple[Path, dict[str, Any]]]) -> list[str]:
    """One row per run (seed) and a mean +- std row, then the first run's per-rank table."""
    names = [c for c, _ in SEED_COLUMNS]
    lines = ["| run | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    values = [[get(m, *path) for _, path in SEED_COLUMNS] for _, m in runs]
    for (path, m), vals in zip(runs, values):
        cells = [fmt(v, 2) for v in vals]
        n = get(m, "refine", "non_cognate", "n")
        if n is not None:
            cells[names.index("refine P@1 non-cognate (n)")] += f" ({n})"
        lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
    if len(runs) > 1:
        cells = []
        for col in zip(*values):
            nums = [v for v in col if v is not None]
            cells.append("-" if len(nums) < 2 else f"{statistics.mean(nums):.2f} +- {statistics.stdev(nums):.2f}")
        lines.append(f"| mean +- std ({len(runs)} seeds) | " + " | ".join(cells) + " |")
    rec = runs[0][1].get("recover")
    if rec:
        lines += ["", f"Recovery by frequency rank (`{runs[0][0]}`):", "",
                  "| rank bucket | hit@1 | hit@5 | hit@10 |", "|---|---|---|---|"]
        lines += [f"| {b} | " + " | ".join(fmt(rec[f"hit_at_{k}_by_rank"][b]) for k in (1, 5, 10)) + " |"
                  for b in rec["hit_at_1_by_rank"]]
    stages = runs[0][1].get("stage_seconds")
    if stages:
        lines += ["", f"Where the wall time went (`{runs[0][0]}`, seconds): " +
                  ", ".join(f"{k} {v:.0f}" for k, v in stages.items()) + "."]
    return lines


def mean_std(values: list[float], digits: int = 3, pm: str = " ± ") -> str:
    """A table cell: the value of one seed, mean <pm> std of several, "-" of none."""
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f}{pm}{statistics.stdev(values):.{digits}f}"


def replace_block(readme: Path, start: str, end: str, lines: list[str]) -> None:
    """Rewrite the text between two marker comments of a README (atomically)."""
    from ..errors import DecoderHeadError

    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    if start not in text or end not in text:
        raise DecoderHeadError(f"{readme}: no {start} ... {end} block to fill")
    head, rest = text.split(start, 1)
    write_text(readme, head + start + "\n" + "\n".join(lines) + "\n" + end + rest.split(end, 1)[1])


def update_readme(readme: Path, run_dirs: list[Path]) -> None:
    """Replace the README's results block with a table built from runs' metrics.json."""
    from ..files import read_json

    runs = [(d, read_json(d / "metrics.json")) for d in run_dirs]
    rows = ["Written by `decoder-head readme " + " ".join(str(d) for d in run_dirs) + "`:", ""]
    replace_block(readme, START, END, rows + results_block(runs))


INDUCTION_START, INDUCTION_END = "<!-- induction:start -->", "<!-- induction:end -->"
INDUCTION_COLUMNS = ("p_at_1_nn", "p_at_1_csls", "p_at_1_noncognate", "p_at_5_csls", "p_at_10_csls", "coverage",
                     "seconds")


def induction_table(rows: list[dict[str, Any]]) -> list[str]:
    """Mean +- std over seeds per method x setting x direction ("-" where no row has the column).

    P@1 non-cognate: CSLS P@1 on the test words that spell none of their gold translations
    alike (eval.bli.is_cognate), with the count in the JSON rows (`n_noncognate`).

    Groups: parallel before non-parallel, es-en before en-es; methods in first-seen order.
    """
    import statistics

    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["method"], r["setting"], r["direction"]), []).append(r)
    lines = ["| method | setting | direction | seeds | P@1 NN | P@1 CSLS | P@1 non-cognate | P@5 CSLS | P@10 CSLS "
             "| coverage | seconds | device |", "|---" * 12 + "|"]
    # reverse=True keeps the sort stable: methods stay in first-seen order inside a group
    for (method, setting, direction), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][2]),
                                                      reverse=True):
        cells = []
        for col in INDUCTION_COLUMNS:
            vals = [float(r[col]) for r in group if r.get(col) is not None]
            if not vals:  # rows from before the column existed
                cells.append("-")
                continue
            digits = 2 if col == "coverage" else (0 if col == "seconds" else 1)
            mean = f"{statistics.mean(vals):.{digits}f}"
            cells.append(mean if len(vals) == 1 else f"{mean} +- {statistics.stdev(vals):.{digits}f}")
        cells.append(",".join(sorted({str(r.get("device", "cpu")) for r in group})))
        name = method.replace("|", "\\|")  # a pipe in a name (sg|ppmi) would split the cell
        lines.append(f"| {name} | {setting} | {direction} | {len(group)} | " + " | ".join(cells) + " |")
    return lines


def add_bench_args(ap: argparse.ArgumentParser, root: Path, name: str, readme_help: str) -> None:
    """A benchmark's `--workdir` (root/runs: LMs, vectors, checkpoints), `--out`
    (root/benchmarks/results/<name>.json: its rows) and `add_table_args`."""
    ap.add_argument("--workdir", default=str(root / "runs"))
    ap.add_argument("--out", default=str(root / "benchmarks" / "results" / f"{name}.json"))
    add_table_args(ap, readme_help)


def add_table_args(ap: argparse.ArgumentParser, readme_help: str) -> None:
    """A benchmark's `--readme` / `--table-only` pair (its table is rebuilt from `--out`)."""
    ap.add_argument("--readme", help=readme_help)
    ap.add_argument("--table-only", action="store_true", help="only rewrite --readme's table from --out")


def table_only(ap: argparse.ArgumentParser, args: argparse.Namespace,
               write_table: Callable[[Path, Path], None]) -> bool:
    """With `--table-only`: rewrite the README table from `--out` and say so (True); else False."""
    if not args.table_only:
        return False
    if not args.readme:
        ap.error("--table-only needs --readme")
    write_table(Path(args.readme), Path(args.out))
    return True
