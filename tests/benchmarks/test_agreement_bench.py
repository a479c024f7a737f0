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


def test_anchored_induction_gets_the_agreed_pairs_as_a_file_and_scores_outside_them(tmp_path, monkeypatch):
    """The fourth induction is the bed's main-job config under its own name with the all-agree pairs as
    `induce.anchors`; 'outside' leaves the agreed words out of the gold split."""
    agreement = load("agreement")
    heads = [{"casa": "house", "sol": "sun", "agua": "rain"}, {"casa": "house", "sol": "sun", "agua": "water"},
             {"casa": "house", "sol": "sun"}]
    gold = {"casa": {"house"}, "sol": {"sun"}, "agua": {"water"}, "perro": {"dog"}}
    monkeypatch.setattr(agreement, "gold_splits", lambda cfg: {"train": gold, "test": gold})
    seen = []

    class Scored:
        def __init__(self, cfg):
            self.anchored = cfg.induce.anchors is not None

        def scores(self, g, knn):  # P@1 = how many gold words it was asked about (+ 100 when anchored)
            return {"csls": {"p_at_1": len(g) + 100 * self.anchored}}

    monkeypatch.setattr(agreement, "decoder_head_stage", lambda cfg, workdir: seen.append(cfg) or Scored(cfg))
    rows = agreement.induction_rows("es-en.ot-nt", tmp_path, heads)
    assert [r["seed"] for r in rows] == [0, 1, 2] and rows[0]["anchors"] == 2
    assert (tmp_path / "es-en.ot-nt.agreed.txt").read_text() == "casa house\nsol sun\n"
    plain, anchored = seen[0], seen[1]
    assert plain.induce.anchors is None and anchored.induce.anchors == str(tmp_path / "es-en.ot-nt.agreed.txt")
    assert anchored.name == "es-en.ot-nt.agreed.s0" and plain.name == "es-en.ot-nt.s0"
    assert anchored.induce.train.seed == plain.induce.train.seed == 0 and seen[5].induce.train.seed == 2
    assert rows[0]["plain_test"] == 4 and rows[0]["plain_test_outside"] == 2 and rows[0]["anchored_train_outside"] == 102
    out, readme = tmp_path / "agreement.json", tmp_path / "README.md"
    out.write_text(json.dumps(rows))
    readme.write_text(f"{agreement.START}\n{agreement.END}\n")
    agreement.write_table(readme, out)
    assert "| es-en.ot-nt | 2 | 4.0 +- 0.0 / 4.0 +- 0.0 | 104.0 +- 0.0 / 104.0 +- 0.0 | 2.0 +- 0.0 / 2.0 +- 0.0 |" \
        in readme.read_text()
