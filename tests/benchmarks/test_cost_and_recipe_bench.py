"""benchmarks/induction_cost.py and benchmarks/recipe.py on the tiny fixtures."""

from __future__ import annotations

import json
from pathlib import Path

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
