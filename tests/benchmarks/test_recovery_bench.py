"""benchmarks/recovery.py on the tiny fixtures: rows, resume by key, plot and README table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench_module import load

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    return load("recovery")


def test_rows_per_mapping_and_seed_then_reused(bench, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the tiny preset names its corpora relative to the repository
    out = tmp_path / "recovery.json"
    args = ["--preset", "tests/fixtures/tiny.yaml", "--mappings", "sinkhorn", "free", "--seeds", "0",
            "--workdir", str(tmp_path / "runs"), "--out", str(out), "--device", "cpu"]
    assert bench.main(args) == 0
    rows = json.loads(out.read_text())
    assert [(r["mapping"], r["seed"]) for r in rows] == [("sinkhorn", 0), ("free", 0)]
    for r in rows:
        assert "error" not in r and r["device"] == "cpu"
        assert 0.0 <= r["hit_at_1_top1000"] <= 1.0
        assert list(r["hit_at_1_by_rank"]) == ["0-100", "100-250"]  # 200-word vocabulary
    assert out.with_suffix(".png").stat().st_size > 0

    first = out.read_text()
    assert bench.main(args) == 0  # same keys: nothing is run again
    assert out.read_text() == first

    readme = tmp_path / "README.md"
    readme.write_text("x\n<!-- recovery:start -->\nold\n<!-- recovery:end -->\ny\n")
    assert bench.main(["--table-only", "--out", str(out), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "old" not in text and "| sinkhorn | 1 |" in text and "| free | 1 |" in text


def test_table_gives_mean_and_std_and_shows_failures(bench):
    ok = {"hit_at_1_by_rank": {"0-100": 1.0}, "hit_at_5_top1000": 1.0, "seconds": 2.0, "cpu_seconds": 3.0,
          "device": "cpu"}
    rows = [{"mapping": "a", "seed": 0, "hit_at_1_top1000": 0.5, **ok},
            {"mapping": "a", "seed": 1, "hit_at_1_top1000": 1.0, **ok},
            {"mapping": "b", "seed": 0, "error": "RuntimeError: boom", "device": "cpu"}]
    lines = bench.table_lines(rows)
    assert lines[2].startswith("| a | 2 | 0.750 ± 0.354 | 1.000 ± 0.000 |")
    assert lines[3].startswith("| b | 0 (1 failed: RuntimeError: boom) | - |")


def test_train_overrides_label_rows_and_reject_bad_specs(bench):
    assert bench.train_overrides(["linear:lr=1e-4", "linear:epochs=2"]) == {"linear": {"lr": 1e-4, "epochs": 2}}
    assert bench.label("linear", {"lr": 1e-4}) == "linear lr=0.0001"
    assert bench.label("sinkhorn", {}) == "sinkhorn"
    for bad in ["linear", "linear:lr", "nope:lr=1", ":lr=1"]:
        with pytest.raises(bench.DecoderHeadError, match="MAPPING:KEY=VALUE"):
            bench.train_overrides([bad])
    rows = [{"mapping": "linear", "seed": 0, "hit_at_1_top1000": 0.0, "hit_at_1_by_rank": {"0-100": 0.0},
             "hit_at_5_top1000": 0.0, "seconds": 1.0, "cpu_seconds": 1.0, "device": "cpu"}]
    rows.append({**rows[0], "label": "linear lr=0.0001", "hit_at_1_top1000": 0.5})
    lines = bench.table_lines(rows)
    assert lines[2].startswith("| linear | 1 | 0.000 |") and lines[3].startswith("| linear lr=0.0001 | 1 | 0.500 |")


def test_lr_sweep_keeps_the_rate_with_the_lowest_held_out_perplexity(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    sweep = tmp_path / "lr.json"
    args = ["--preset", "tests/fixtures/tiny.yaml", "--lr-sweep", "linear:1e-3,0.5", "--workdir", str(tmp_path / "runs"),
            "--out", str(tmp_path / "recovery.json"), "--sweep-out", str(sweep), "--device", "cpu"]
    assert bench.main(args) == 0
    rows = json.loads(sweep.read_text())
    assert [(r["mapping"], r["lr"], r["epochs"]) for r in rows] == [("linear", 1e-3, 2), ("linear", 0.5, 2)]
    assert all(r["val_ppl"] > 1 for r in rows)
    best = min(rows, key=lambda r: r["val_ppl"])["lr"]
    assert f"linear: lr {best:g} (lowest held-out perplexity)" in capsys.readouterr().out
    assert not (tmp_path / "recovery.json").exists()  # a sweep only chooses; it writes no recovery rows
    first = sweep.read_text()
    assert bench.main(args) == 0 and sweep.read_text() == first  # finished rates are not run again


def test_lr_sweep_specs_are_checked(bench):
    assert bench.sweep_specs(["linear:1e-4,3e-4", "free:0.05"]) == {"linear": [1e-4, 3e-4], "free": [0.05]}
    for bad in ["linear", "linear:", "linear:fast", "nope:0.1", "linear:0,1"]:
        with pytest.raises(bench.DecoderHeadError, match="MAPPING:LR"):
            bench.sweep_specs([bad])
