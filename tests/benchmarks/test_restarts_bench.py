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

    def later_rounds(first, rounds, cfg, workdir, run_dir):  # round 2 lands on the translations, round 3 near
        seeded_by.append((first, rounds, run_dir))
        return [result(0.0, 0.6), result(3.0, 0.61)]

    monkeypatch.setattr(restarts, "later_rounds", later_rounds)
    row = restarts.measure("es-en.bible", 1, 6, tmp_path)
    assert [r["rng"] for r in row["runs"]] == [6, 7, 8, 9, 10, 11]  # what refine.runs: 6 draws for seed 1
    good, bad = row["runs"][1], row["runs"][0]
    assert good["train"] > 90 and bad["train"] < 50
    kept = row["policies"]["6 runs, within 0.005 of the best"]
    assert kept["kept"] == [1, 3] and kept["train"] > row["policies"]["6 runs averaged"]["train"]
    assert row["policies"]["1 run"]["train"] == bad["train"]
    (first, rounds, run_dir), = seeded_by  # both later-round policies share one chain of rounds
    assert first == results[:3] and rounds == 3 and run_dir == tmp_path / "restarts" / "es-en.bible.s1"
    second = row["policies"]["3 runs averaged, then a second round of 3 from their average"]
    assert second["kept"] == [0, 1, 2] and second["train"] == 100.0 and second["objective"] == 0.6
    third = row["policies"]["3 runs averaged, then two more rounds of 3, each from the last average"]
    assert third["objective"] == 0.61 and third["train"] < 50


def test_each_later_round_is_seeded_by_the_last_average_and_checkpointed_apart(monkeypatch, tmp_path):
    restarts = load("restarts")
    beds = load("beds")
    x, z = torch.eye(3), torch.eye(3)
    monkeypatch.setattr(restarts, "aligned_spaces", lambda cfg, workdir: (["a", "b", "c"], x, ["a", "b", "c"], z))
    calls = []

    def next_round(x_, z_, sw, tw, previous, rcfg, run_dir, key, **loop):
        calls.append((previous, rcfg.runs, run_dir, key))
        return Refined(sw, x_ * (len(calls) + 1), tw, z_, 10, 5, 0.5 + len(calls) / 10, 1.0)

    monkeypatch.setattr(restarts, "next_round", next_round)
    first = [Refined(["a"], x, ["a"], z, 10, 5, o, 1.0) for o in (0.1, 0.2, 0.3)]
    out = restarts.later_rounds(first, 3, beds.bed_config("es-en.bible", 0), tmp_path, tmp_path / "bed")
    assert [r.objective for r in out] == [0.6, 0.7]
    (seed2, runs2, dir2, key2), (seed3, runs3, dir3, key3) = calls
    assert torch.allclose(seed2[0] @ seed2[1].T, x @ z.T, atol=1e-5)  # the average of three equal spaces: theirs
    assert runs2 == runs3 == 3
    assert key2 == "round 2 after 0.10000000, 0.20000000, 0.30000000" and dir2 == tmp_path / "bed" / "round2"
    assert torch.equal(seed3[0], out[0].xw) and dir3 == tmp_path / "bed" / "round3" and key3 == "round 3 after 0.60000000"


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
