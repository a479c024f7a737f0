"""benchmarks/agreement.py: the pairs several decoder heads agree on, their precision, and its table."""

from __future__ import annotations

import json

from bench_module import load


def test_agreed_pairs_are_those_every_lexicon_picks_and_precision_counts_train_words_only():
    agreement = load("agreement")
    heads = [{"casa": "house", "agua": "water", "sol": "moon"},
             {"casa": "house", "agua": "rain", "sol": "moon"},
             {"casa": "house", "sol": "moon", "perro": "dog"}]
    assert list(agreement.agreed(heads)) == ["casa", "sol"]
    assert agreement.agreed(heads[:1]) == heads[0]
    gold = {"casa": {"house", "home"}, "sol": {"sun"}, "agua": {"water"}}
    assert agreement.precision(agreement.agreed(heads), gold) == (2, 50.0)
    assert agreement.precision({"perro": "dog"}, gold) == (0, None)


def test_agreement_table_orders_beds_and_pairs_and_leaves_missing_cells_blank(tmp_path):
    agreement = load("agreement")
    rows = [{"bed": "es-en.ot-nt", "pairs": "seed 0 alone", "n_pairs": 2000, "n_train_words": 349,
             "precision_train": 4.3},
            {"bed": "es-en.bible", "pairs": "all 3 seeds agree", "n_pairs": 137, "n_train_words": 40,
             "precision_train": 70.0, "anchored_p_at_1_train": 50.4, "anchored_p_at_1_test": 50.0},
            {"bed": "es-en.bible", "pairs": "seed 0 alone", "n_pairs": 2000, "n_train_words": 370,
             "precision_train": None}]
    out, readme = tmp_path / "agreement.json", tmp_path / "README.md"
    out.write_text(json.dumps(rows))
    readme.write_text(f"{agreement.START}\n{agreement.END}\n")
    agreement.write_table(readme, out)
    text = readme.read_text()
    assert "| es-en.bible | all 3 seeds agree | 137 | 40 | 70 | 50.4 | 50.0 |" in text
    assert "| es-en.bible | seed 0 alone | 2000 | 370 | - | - | - |" in text
    assert text.index("| es-en.bible | seed 0 alone") < text.index("| es-en.bible | all 3") < text.index("es-en.ot-nt")
