"""benchmarks/prior.py: how confident the decoder head's pairs are, and its table."""

from __future__ import annotations

import json

import torch

from decoder_head.eval.retrieval import normalize
from decoder_head.experiment import Lexicon

from bench_module import load


def test_calibration_counts_hits_among_the_most_confident_pairs():
    prior = load("prior")
    gen = torch.Generator().manual_seed(0)
    trg = normalize(torch.randn(300, 16, generator=gen))
    src = normalize(torch.randn(300, 16, generator=gen))
    src[:60] = trg[:60]  # the first 60 words sit on their translation: the most confident and right
    src_words, trg_words = [f"b{i}" for i in range(300)], [f"a{i}" for i in range(300)]
    train = {f"b{i}": {f"a{i}"} for i in range(300)}
    prec = prior.calibration(Lexicon(src_words, src, trg_words, trg), train)
    assert set(prec) == set(prior.CONFIDENCE)
    for name in ("p, temperature 0.5", "CSLS margin top-1 - top-2"):
        assert prec[name]["25"] == prec[name]["50"] == 100.0 and prec[name]["all"] < 25.0


def test_prior_table_lists_variants_in_order_and_the_calibration(tmp_path):
    prior = load("prior")
    rows = [{"bed": "es-en.bible", "seed": 0, "variant": v, "p_at_1_train": 50.0, "p_at_1_test": 49.0, "n_train": 762,
             "n_test": 326, "p_at_1_noncognate_test": 45.0, "iterations": 37, "anchors": a,
             **({"precision_by_confidence": {"p, temperature 0.5": {"25": 20, "50": 14, "100": 11, "200": 12,
                                                                    "all": 12}}} if i == 0 else {})}
            for i, (v, a) in enumerate([("anchors p >= 0.5", 2000), ("seed only (the main job)", 0)])]
    out, readme = tmp_path / "prior.json", tmp_path / "README.md"
    out.write_text(json.dumps(rows))
    readme.write_text(f"{prior.START}\n{prior.END}\n")
    prior.write_table(readme, out)
    text = readme.read_text()
    assert text.index("| seed only (the main job) |") < text.index("| anchors p >= 0.5 |")
    assert "| es-en.bible | anchors p >= 0.5 | 50.0 (762) | 49.0 (326) | 45.0 | 2000 | 37 | 0 |" in text
    assert "| es-en.bible s0 | p, temperature 0.5 | 20 | 14 | 11 | 12 | 12 |" in text
