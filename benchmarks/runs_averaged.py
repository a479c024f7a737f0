"""What averaging self-learning runs buys, from single runs already on disk (seconds, no training).

    .venv/bin/python benchmarks/runs_averaged.py --beds es-en.wiki en-es.wiki

`make bench-beds` leaves each row's mapped spaces in runs/beds/<bed>.<row>.s<seed>; those written
before the default became 3 runs (2026-12-03; the wiki beds' rows) are single runs from the same
seed dictionary under RNG seeds 0, 1, 2 (checkpoints that record several runs are refused).
`align.ensemble.combine` of those three is exactly what `refine.runs: 3` computes for seed 0 (its
runs take RNG seeds 0, 1, 2), so this scores, on the train and test splits, each run alone and the
three averaged: how the default was chosen on beds whose 3-run rows would cost 10-20 minutes each
to measure. Rows go to benchmarks/results/runs_averaged.json (one per bed x row, replaced when
measured again).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from beds import bed_config, gold_splits
from decoder_head.data.beds import BEDS
from decoder_head.align.ensemble import combine
from decoder_head.errors import DecoderHeadError
from decoder_head.eval.bli import evaluate_bli
from decoder_head.files import read_rows, write_json
from decoder_head.train.checkpoint import load_checkpoint

ROOT = Path(__file__).resolve().parents[1]
RERANK = 0.5  # the recipe's final orthographic re-ranking


def measure(bed: str, row: str, workdir: Path) -> dict:
    gold = gold_splits(bed_config(bed, 0))
    runs = [load_checkpoint(workdir / "beds" / f"{bed}.{row}.s{seed}") for seed in (0, 1, 2)]
    if any(meta.get("runs", 1) != 1 for _, meta in runs):  # checkpoints from before `runs` hold one
        raise DecoderHeadError(f"{bed}.{row}: its checkpoints average several runs already")
    sw, tw = runs[0][1]["src_words"], runs[0][1]["trg_words"]
    if any((meta["src_words"], meta["trg_words"]) != (sw, tw) for _, meta in runs):
        raise SystemExit(f"{bed}.{row}: the three runs were made on different vectors")

    def p_at_1(xw, zw, split: str) -> float:
        return round(evaluate_bli(sw, xw, tw, zw, gold[split], method="csls", orthography=RERANK)["p_at_1"], 1)

    xw, zw = combine([(t["xw"], t["zw"]) for t, _ in runs])
    out = {"bed": bed, "row": row}
    for split in ("train", "test"):
        single = [p_at_1(t["xw"], t["zw"], split) for t, _ in runs]
        out[f"{split}_single"] = single
        out[f"{split}_single_mean"] = round(statistics.mean(single), 1)
        out[f"{split}_averaged"] = p_at_1(xw, zw, split)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--beds", nargs="+", default=["es-en.wiki", "en-es.wiki"], choices=list(BEDS))
    ap.add_argument("--row", default="identical-strings", help="checkpoint name of the row (runs/beds/<bed>.<row>.s*)")
    ap.add_argument("--workdir", default=str(ROOT / "runs"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "runs_averaged.json"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    rows = read_rows(out)
    for bed in args.beds:
        try:
            new = measure(bed, args.row, Path(args.workdir))
        except DecoderHeadError as exc:  # no single-run checkpoints on disk: `make bench-beds` before 2026-12-03
            raise SystemExit(f"runs_averaged: {exc}") from None
        print(new, flush=True)
        rows = [r for r in rows if (r["bed"], r["row"]) != (bed, args.row)] + [new]
        write_json(out, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
