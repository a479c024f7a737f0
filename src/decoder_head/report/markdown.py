"""report.md for a run folder, and the short summary table the CLI prints."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..config import RunConfig
from ..files import write_text
from .plots import plot_hits_by_rank, plot_training_curves


def fmt(x: Any, digits: int = 3) -> str:
    return "-" if x is None else (f"{x:.{digits}f}" if isinstance(x, float) else str(x))


def summary_rows(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    lm, rec, ind = metrics["lm"], metrics["recover"], metrics["induce"]
    return [
        ("LM val perplexity", f"{lm['val_ppl']:.1f} ({lm['tokens_per_s']:.0f} tok/s, {lm['train_seconds']:.0f} s"
                              + (", reused)" if lm["reused"] else ")")),
        (f"recover [{rec['method']}] hit@1 top-1000", fmt(rec["hit_at_1_top1000"])),
        ("recover hit@10 top-1000", fmt(rec["hit_at_10_top1000"])),
        ("recover hit@1 by rank", ", ".join(f"{b}: {v:.2f}" for b, v in rec["hit_at_1_by_rank"].items())),
        (f"induce [{ind['method']}] P@1 NN / CSLS", f"{ind['nn']['p_at_1']:.1f} / {ind['csls']['p_at_1']:.1f}"),
        ("induce P@10 CSLS, coverage", f"{ind['csls']['p_at_10']:.1f}, {ind['coverage']:.2f}"),
        ("wall time", f"{metrics['wall_seconds']:.0f} s"),
    ]


def write_report(run_dir: Path, cfg: RunConfig, metrics: dict[str, Any]) -> None:
    plot_hits_by_rank(metrics["recover"], run_dir / "hits_by_rank.png")
    plot_training_curves(metrics, run_dir / "training_curves.png")
    rec, ind = metrics["recover"], metrics["induce"]
    lines = [f"# decoder-head run `{cfg.name}`", "", "| quantity | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary_rows(metrics)]
    lines += ["", "## Recovery (same language, mapping wiped and re-learned)", "",
              "| rank bucket | hit@1 | hit@5 | hit@10 |", "|---|---|---|---|"]
    for b in rec["hit_at_1_by_rank"]:
        lines.append(f"| {b} | " + " | ".join(fmt(rec[f'hit_at_{k}_by_rank'][b]) for k in (1, 5, 10)) + " |")
    lines += ["", "![hit@k by rank](hits_by_rank.png)", "", "Nearest original words of re-learned rows:", ""]
    lines += [f"- **{w}**: {', '.join(ns)}" for w, ns in rec["synonyms"].items()]
    lines += ["", "## Induction (language B through A's frozen body)", "",
              f"Dictionary `{ind['dictionary']}`, coverage {ind['coverage']:.2f} "
              f"({ind['n_evaluated']} source words evaluated).", "",
              "| retrieval | P@1 | P@5 | P@10 |", "|---|---|---|---|"]
    for m in ("nn", "csls"):
        lines.append(f"| {m} | " + " | ".join(f"{ind[m][k]:.1f}" for k in ("p_at_1", "p_at_5", "p_at_10")) + " |")
    lines += ["", "Lexicon: `lexicon.tsv`; embeddings: `emb.es.vec`, `emb.en.vec` (word2vec text).", "",
              "![training curves](training_curves.png)", "", "## Config", "", "```json",
              json.dumps(asdict(cfg), indent=2), "```", ""]
    write_text(run_dir / "report.md", "\n".join(lines))


START, END = "<!-- results:start -->", "<!-- results:end -->"

SEED_COLUMNS = (
    ("LM val ppl", lambda m: m["lm"]["val_ppl"]),
    ("recover hit@1 top-1000", lambda m: m["recover"]["hit_at_1_top1000"]),
    ("recover hit@10 top-1000", lambda m: m["recover"]["hit_at_10_top1000"]),
    ("induce P@1 NN", lambda m: m["induce"]["nn"]["p_at_1"]),
    ("induce P@1 CSLS", lambda m: m["induce"]["csls"]["p_at_1"]),
    ("induce P@10 CSLS", lambda m: m["induce"]["csls"]["p_at_10"]),
    ("induce coverage", lambda m: m["induce"]["coverage"]),
    ("wall seconds", lambda m: m["wall_seconds"]),
)


def results_block(runs: list[tuple[Path, dict[str, Any]]]) -> list[str]:
    """One row per run (seed) and a mean +- std row, then the first run's per-rank table."""
    import statistics

    names = [c for c, _ in SEED_COLUMNS]
    lines = ["| run | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    values = [[fn(m) for _, fn in SEED_COLUMNS] for _, m in runs]
    for (path, _), vals in zip(runs, values):
        lines.append(f"| `{path}` | " + " | ".join(fmt(v, 2) for v in vals) + " |")
    if len(runs) > 1:
        cols = list(zip(*values))
        lines.append(f"| mean +- std ({len(runs)} seeds) | " + " | ".join(
            f"{statistics.mean(c):.2f} +- {statistics.stdev(c):.2f}" for c in cols) + " |")
    rec = runs[0][1]["recover"]
    lines += ["", f"Recovery by frequency rank (`{runs[0][0]}`):", "",
              "| rank bucket | hit@1 | hit@5 | hit@10 |", "|---|---|---|---|"]
    lines += [f"| {b} | " + " | ".join(fmt(rec[f"hit_at_{k}_by_rank"][b]) for k in (1, 5, 10)) + " |"
              for b in rec["hit_at_1_by_rank"]]
    return lines


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
INDUCTION_COLUMNS = ("p_at_1_nn", "p_at_1_csls", "p_at_5_csls", "p_at_10_csls", "coverage", "seconds")


def induction_table(rows: list[dict[str, Any]]) -> list[str]:
    """Mean +- std over seeds per method x setting x direction.

    Groups: parallel before non-parallel, es-en before en-es; methods in first-seen order.
    """
    import statistics

    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["method"], r["setting"], r["direction"]), []).append(r)
    lines = ["| method | setting | direction | seeds | P@1 NN | P@1 CSLS | P@5 CSLS | P@10 CSLS | coverage "
             "| seconds | device |", "|---" * 11 + "|"]
    # reverse=True keeps the sort stable: methods stay in first-seen order inside a group
    for (method, setting, direction), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][2]),
                                                      reverse=True):
        cells = []
        for col in INDUCTION_COLUMNS:
            vals = [float(r[col]) for r in group]
            digits = 2 if col == "coverage" else (0 if col == "seconds" else 1)
            mean = f"{statistics.mean(vals):.{digits}f}"
            cells.append(mean if len(vals) == 1 else f"{mean} +- {statistics.stdev(vals):.{digits}f}")
        cells.append(",".join(sorted({str(r.get("device", "cpu")) for r in group})))
        name = method.replace("|", "\\|")  # a pipe in a name (sg|ppmi) would split the cell
        lines.append(f"| {name} | {setting} | {direction} | {len(group)} | " + " | ".join(cells) + " |")
    return lines


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
