"""benchmarks/restarts.py: which self-learning runs are averaged, scored per run and per policy."""

from __future__ import annotations

import json
from types import SimpleNamespace

import torch

from decoder_head.eval.retrieval import normalize
from decoder_head.refine import Refined

from bench_module import load


def _runs(objectives):
    return [SimpleNamespace(objective=o) for o in objectives]


def test_policies_keep_runs_by_objective_among_the_first_n():
    restarts = load("restarts")
    runs = _runs([0.396, 0.3958, 0.4019, 0.3996, 0.3987, 0.3963])
    picks = {name: restarts.picked(runs, n, tolerance) for name, (n, tolerance) in restarts.POLICIES.items()}
    assert picks["1 run"] == [0]
    assert picks["3 runs averaged"] == [0, 1, 2]
    assert picks["3 runs, within 0.005 of the best"] == [2]
    assert picks["6 runs averaged"] == [0, 1, 2, 3, 4, 5]
    assert picks["6 runs, the best alone"] == [2]
    assert picks["6 runs, within 0.002 of the best"] == [2]
    assert picks["6 runs, within 0.005 of the best"] == [2, 3, 4]
    assert picks["6 runs, within 0.01 of the best"] == [0, 1, 2, 3, 4, 5]


def test_measure_scores_every_run_and_averages_only_the_kept_ones(monkeypatch, tmp_path):
    restarts = load("restarts")
    beds = load("beds")
    gen = torch.Generator().manual_seed(0)
    n, d = 200, 16
    trg = normalize(torch.randn(n, d, generator=gen))
    words_b, words_a = [f"b{i}" for i in range(n)], [f"a{i}" for i in range(n)]
    gold = {split: {f"b{i}": {f"a{i}"} for i in rng} for split, rng in (("train", range(0, 150)),
                                                                         ("test", range(150, n)))}

    def result(noise: float, objective: float) -> Refined:  # a run whose B rows sit near their translations
        src = normalize(trg + noise * torch.randn(n, d, generator=gen))
        return Refined(words_b, src, words_a, trg, 100, 30, objective, 1.0)

    results = [result(3.0, 0.30), result(0.1, 0.50), result(3.0, 0.31), result(0.1, 0.499), result(3.0, 0.30),
               result(3.0, 0.29)]
    cfg = beds.bed_config("es-en.bible", 0)
    monkeypatch.setattr(restarts, "single_runs", lambda bed, seed, runs, workdir: (results, gold, cfg))
    seeded_by = []

    def second_round(first, cfg, workdir, run_dir):  # a second round that lands on the translations
        seeded_by.append((first, run_dir))
        return result(0.0, 0.6)

    monkeypatch.setattr(restarts, "second_round", second_round)
    row = restarts.measure("es-en.bible", 1, 6, tmp_path)
    assert [r["rng"] for r in row["runs"]] == [6, 7, 8, 9, 10, 11]  # what refine.runs: 6 draws for seed 1
    good, bad = row["runs"][1], row["runs"][0]
    assert good["train"] > 90 and bad["train"] < 50
    kept = row["policies"]["6 runs, within 0.005 of the best"]
    assert kept["kept"] == [1, 3] and kept["train"] > row["policies"]["6 runs averaged"]["train"]
    assert row["policies"]["1 run"]["train"] == bad["train"]
    (first, run_dir), = seeded_by
    assert first == results[:3] and run_dir == tmp_path / "restarts" / "es-en.bible.s1" / "round2"
    second = row["policies"]["3 runs averaged, then a second round of 3 from their average"]
    assert second["kept"] == [0, 1, 2] and second["train"] == 100.0 and second["objective"] == 0.6


def test_restarts_table_has_a_row_per_policy_and_the_train_mean_over_beds(tmp_path):
    restarts = load("restarts")
    policies = {name: {"kept": [0, 1], "train": 20.0 + i, "test": 19.0} for i, name in enumerate(restarts.POLICIES)}
    runs = [{"rng": k, "objective": 0.4, "iterations": 40, "train": 18.0, "test": 17.0} for k in range(6)]
    rows = [{"bed": bed, "seed": seed, "runs": runs, "policies": policies}
            for bed in ("es-en.bible", "es-en.wiki.cipher") for seed in (0, 1)]
    out, readme = tmp_path / "restarts.json", tmp_path / "README.md"
    out.write_text(json.dumps(rows))
    readme.write_text(f"before\n{restarts.START}\n{restarts.END}\nafter\n")
    restarts.write_table(readme, out)
    text = readme.read_text()
    assert text.startswith("before") and text.rstrip().endswith("after")
    assert "| es-en.bible train (2) |" in text and "| es-en.wiki.cipher test |" in text
    assert "| 6 runs, within 0.005 of the best | 26.0 +- 0.0 (2.0) | 26.0 +- 0.0 (2.0) | 26.0 |" in text
    assert text.count("0.4000: 18.0 / 17.0") == 24  # six runs x four bed x seeds
