"""benchmarks/shared_body.py: variants are valid shared sections with their seed; the table."""

from __future__ import annotations

import json

from bench_module import load


def test_every_variant_is_a_shared_section_with_its_seed():
    bench = load("shared_body")
    for name in bench.VARIANTS:
        cfg = bench.variant_config(name, 2)
        assert cfg.shared is not None and cfg.shared.train.seed == 2 and name in bench.DESCRIPTION
        assert cfg.shared.vocab.max_size == 10002 and cfg.lm == bench.load_run_config("default").lm
    assert bench.variant_config("lm-frozen-0.25", 0).shared.frozen == 0.25
    assert bench.variant_config("scratch-specials-4ep", 0).shared.train.epochs == 4


def test_table_shows_train_and_test_with_spread(tmp_path):
    bench = load("shared_body")
    row = {"variant": "scratch", "p_at_1_train": 3.0, "p_at_1": 4.0, "p_at_10": 9.0, "p_at_1_noncognate": 5.0,
           "n_noncognate": 274, "coverage": 0.96, "val_ppl_b": 149.0, "val_ppl_a": 116.0, "train_seconds": 300.0,
           "refined_p_at_1": 48.0, "refined_p_at_1_noncognate": 45.0}
    out, readme = tmp_path / "shared.json", tmp_path / "README.md"
    out.write_text(json.dumps([{**row, "seed": 0}, {**row, "seed": 1, "p_at_1": 6.0}]))
    readme.write_text(f"{bench.START}\n{bench.END}\n")
    bench.write_table(readme, out)
    text = readme.read_text()
    assert "| from scratch (the paper's schedule), 1 epoch | 3.0 +- 0.0 | 5.0 +- 1.4 | 9.0 +- 0.0 |" in text
    assert "| 48.0 +- 0.0 (45.0 +- 0.0) |" in text and "| 2 |" in text and "lm-frozen" not in text  # variants without rows are left out
