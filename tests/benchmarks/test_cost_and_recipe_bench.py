"""benchmarks/induction_cost.py and benchmarks/recipe.py on the tiny fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bench_module import load

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"




def test_cost_bench_runs_one_fresh_row_and_splits_its_cpu_time(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump({
        "preset": str(FIX / "tiny.yaml"), "settings": ["parallel"], "directions": ["es-en"],
        "dictionary": str(FIX / "tiny.es-en.txt"), "out": str(tmp_path / "unused.json"),
        "corpora": {"parallel/es-en": [f"text:{FIX / 'tiny.en.txt'}", f"text:{FIX / 'tiny.es.txt'}"]},
        "methods": [{"name": "best", "mapping": "sinkhorn", "refine": True, "seed_words": 50,
                     "self_learning": {"max_iters": 3, "orthography": 0.1},
                     "vectors": {"method": "ppmi", "dim": 8, "min_count": 2}}]}))
    (tmp_path / "runs" / "lms").mkdir(parents=True)
    (tmp_path / "runs" / "cache").mkdir()
    out, readme = tmp_path / "cost.json", tmp_path / "README.md"
    readme.write_text("<!-- cost:start -->\n<!-- cost:end -->\n")
    args = ["--grid", str(grid), "--method", "best", "--workdir", str(tmp_path / "runs"), "--out", str(out),
            "--readme", str(readme)]
    assert load("induction_cost").main(args) == 0
    (row,) = json.loads(out.read_text())
    assert row["method"] == "best" and row["torch_threads"] == 1
    assert 0 < row["induce_cpu_seconds"] <= row["cpu_seconds"]
    assert row["refine_cpu_seconds"] == round(row["cpu_seconds"] - row["induce_cpu_seconds"], 3)
    assert row["met"] == (row["cpu_seconds"] <= 600)
    assert list((tmp_path / "runs" / "lms").iterdir())  # the LM lands in the shared folder, the rest is gone
    assert "| `best` |" in readme.read_text()


def test_recipe_table_lists_every_variant_row(tmp_path):
    recipe = load("recipe")
    rows = [{"variant": "ppmi", "train_p_at_1": 40.0, "train_p_at_1_rerank": 45.0, "test_p_at_1": 39.0,
             "test_p_at_1_rerank": 44.0, "iterations": 30, "cpu_seconds": 120.4}]
    out, readme = tmp_path / "recipe.json", tmp_path / "README.md"
    out.write_text(json.dumps(rows))
    readme.write_text("a\n<!-- recipe:start -->\nold\n<!-- recipe:end -->\nb\n")
    recipe.write_table(readme, out)
    text = readme.read_text()
    assert "| ppmi | 40.0 | 45.0 | 39.0 | 44.0 | 30 | 120 |" in text and "old" not in text
    rows[0]["variant"] = "a | b"
    out.write_text(json.dumps(rows))
    recipe.write_table(readme, out)
    assert "| a \\| b | 40.0 |" in readme.read_text()
    assert set(recipe.VARIANTS) >= {"ppmi + orth0.1", "skipgram window10 | ppmi + orth0.1"}


def test_recipe_beds_table_averages_seeds_per_bed_and_leaves_home_seed0_rows_to_the_first(tmp_path):
    recipe = load("recipe")

    def row(variant, bed, seed, train, test):
        return {"variant": variant, "bed": bed, "seed": seed, "train_p_at_1": train, "train_p_at_1_rerank": train,
                "test_p_at_1": test, "test_p_at_1_rerank": test, "iterations": 30, "cpu_seconds": 60.0}

    rows = [row("only home", "es-en.bible", 0, 50.0, 49.0)]
    rows += [row("v", bed, seed, base + seed, base - 1) for bed, base in
             (("es-en.bible", 50.0), ("en-es.bible", 40.0), ("de-en.bible", 44.0)) for seed in (0, 1, 2)]
    rows.append(row("partial", "en-es.bible", 1, 41.0, 39.0))
    out, readme = tmp_path / "recipe.json", tmp_path / "README.md"
    out.write_text(json.dumps(rows))
    readme.write_text("<!-- recipe:start -->\n<!-- recipe:end -->\n")
    recipe.write_table(readme, out)
    first, beds = readme.read_text().split("Variants screened")
    assert "| only home | 50.0 |" in first and "| v | 50.0 |" in first and "partial" not in first
    assert "| v | 51.0 ± 1.0 (3) | 41.0 ± 1.0 (3) | 45.0 ± 1.0 (3) | 49.0 ± 0.0 (3) |" in beds
    (v_row,) = [line for line in beds.splitlines() if line.startswith("| v |")]
    assert v_row.endswith("| 45.7 |")  # (51 + 41 + 45) / 3
    assert "| partial | - | 41.0 (1) | - | - | 39.0 (1) | - | - |" in beds and "only home" not in beds


def test_runs_averaged_scores_each_run_and_their_average(tmp_path, monkeypatch):
    """Three single runs on disk -> each scored alone and combined; a run that is a rotated copy of
    another changes nothing, a broken one is outvoted by the two that agree."""
    import torch

    from decoder_head.train.checkpoint import save_checkpoint

    averaged = load("runs_averaged")
    gen = torch.Generator().manual_seed(0)
    n, d = 40, 16
    z = torch.nn.functional.normalize(torch.randn(n, d, generator=gen), dim=1)
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=gen))
    sw, tw = [f"b{i}" for i in range(n)], [f"a{i}" for i in range(n)]
    broken = z[torch.roll(torch.arange(n), 1)]  # every B word lands on its neighbour's translation
    for seed, (xw, zw) in enumerate([(z, z), (z @ q, z @ q), (broken, z)]):
        save_checkpoint(tmp_path / "beds" / f"bed.row.s{seed}", {"xw": xw.clone(), "zw": zw.clone()},
                        {"src_words": sw, "trg_words": tw})
    gold = {f"b{i}": {f"a{i}"} for i in range(n)}
    monkeypatch.setattr(averaged, "bed_config", lambda bed, seed: None)
    monkeypatch.setattr(averaged, "gold_splits", lambda cfg: {"train": gold, "test": gold})
    row = averaged.measure("bed", "row", tmp_path)
    assert row["train_single"] == [100.0, 100.0, 0.0] and row["train_single_mean"] == 66.7
    assert row["train_averaged"] == 100.0 and row["test_averaged"] == 100.0


def test_runs_averaged_refuses_checkpoints_of_several_runs(tmp_path, monkeypatch, capsys):
    """A row measured since refine.runs became 3 is an average already: averaging it again would
    not be what `runs: 3` computes, so the bench stops with one line; a missing one likewise."""
    import torch

    from decoder_head.train.checkpoint import save_checkpoint

    averaged = load("runs_averaged")
    monkeypatch.setattr(averaged, "bed_config", lambda bed, seed: None)
    monkeypatch.setattr(averaged, "gold_splits", lambda cfg: {"train": {}, "test": {}})
    out = tmp_path / "out.json"
    with pytest.raises(SystemExit, match="no complete checkpoint"):
        averaged.main(["--beds", "es-en.wiki", "--workdir", str(tmp_path), "--out", str(out)])
    for seed in (0, 1, 2):
        save_checkpoint(tmp_path / "beds" / f"es-en.wiki.identical-strings.s{seed}",
                        {"xw": torch.eye(3), "zw": torch.eye(3)},
                        {"src_words": ["a", "b", "c"], "trg_words": ["a", "b", "c"], "runs": 3 if seed else 1})
    with pytest.raises(SystemExit, match="average several runs already"):
        averaged.main(["--beds", "es-en.wiki", "--workdir", str(tmp_path), "--out", str(out)])
    assert not out.exists()
