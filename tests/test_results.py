"""The induction grid on the tiny fixtures: rows, resume, inverted dictionary, README table."""

import json
from pathlib import Path

import pytest
import yaml

from decoder_head.cli import main
from decoder_head.data.dictionary import read_muse
from decoder_head.errors import DecoderHeadError
from decoder_head.report import induction_table
from decoder_head.results import ROW_KEYS, append_row, dictionary_for, load_results_config

FIX = Path(__file__).parent / "fixtures"


def grid(tmp_path: Path, methods: list[dict], seeds: list[int], directions=("es-en", "en-es")) -> Path:
    cfg = {
        "vectors": {"dim": 16, "epochs": 3, "min_count": 2},
        "preset": str(FIX / "tiny.yaml"), "settings": ["parallel"], "directions": list(directions),
        "seeds": seeds, "dictionary": str(FIX / "tiny.es-en.txt"), "out": str(tmp_path / "induction.json"),
        "corpora": {"parallel/es-en": [f"text:{FIX / 'tiny.en.txt'}", f"text:{FIX / 'tiny.es.txt'}"],
                    "parallel/en-es": [f"text:{FIX / 'tiny.es.txt'}", f"text:{FIX / 'tiny.en.txt'}"]},
        "methods": methods,
    }
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_grid_writes_one_row_per_run_and_resumes(tmp_path, capsys):
    path = grid(tmp_path, [{"name": "sinkhorn", "mapping": "sinkhorn"}], seeds=[0, 1])
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- induction:start -->\nold\n<!-- induction:end -->\nrest\n")
    assert main(["results", str(path), "--workdir", str(tmp_path / "w"), "--readme", str(readme)]) == 0
    rows = json.loads((tmp_path / "induction.json").read_text())
    assert len(rows) == 2 * 2  # directions x seeds
    assert {(r["method"], r["direction"], r["seed"]) for r in rows} == {
        ("sinkhorn", d, s) for d in ("es-en", "en-es") for s in (0, 1)}
    for r in rows:
        assert set(ROW_KEYS) <= set(r)
        assert 0 < r["coverage"] <= 1 and 0 <= r["p_at_1_csls"] <= r["p_at_10_csls"] <= 100
    text = readme.read_text()
    assert "old" not in text and text.startswith("intro") and text.endswith("rest\n")
    assert "| sinkhorn | parallel | es-en | 2 |" in text
    capsys.readouterr()
    # A second call runs nothing: every row is already there with the same key.
    assert main(["results", str(path), "--workdir", str(tmp_path / "w")]) == 0
    assert "results: " not in capsys.readouterr().out
    assert json.loads((tmp_path / "induction.json").read_text()) == rows


def test_refined_rows_are_scored_on_word2vec_spaces(tmp_path):
    path = grid(tmp_path, [{"name": "sinkhorn+sl", "mapping": "sinkhorn", "refine": True, "seed_words": 50,
                                      "self_learning": {"max_iters": 3}}],
                seeds=[0], directions=("es-en",))
    assert main(["results", str(path), "--workdir", str(tmp_path / "w")]) == 0
    (row,) = json.loads((tmp_path / "induction.json").read_text())
    assert row["method"] == "sinkhorn+sl" and row["n_evaluated"] > 0
    assert (tmp_path / "w" / "vectors").is_dir()


def test_a_method_can_refine_on_ppmi_and_concatenated_spaces(tmp_path):
    methods = [{"name": f"sl-{i}", "mapping": "sinkhorn", "refine": True, "seed_words": 50,
                "self_learning": {"max_iters": 3, "orthography": 0.1}, "vectors": v}
               for i, v in enumerate([{"method": "ppmi", "dim": 8, "min_count": 2},
                                      [{"dim": 8, "epochs": 2, "min_count": 2}, {"method": "ppmi", "dim": 8}]])]
    path = grid(tmp_path, methods, seeds=[0], directions=("es-en",))
    assert main(["results", str(path), "--workdir", str(tmp_path / "w")]) == 0
    rows = json.loads((tmp_path / "induction.json").read_text())
    assert [r["method"] for r in rows] == ["sl-0", "sl-1"] and all(r["n_evaluated"] > 0 for r in rows)
    # both rows reuse one induction (same mapping, seed, LM): a single run folder
    assert len(list((tmp_path / "w" / "results").glob("parallel.es-en.sinkhorn.s0.*"))) == 1


def test_a_bad_vectors_spec_fails_when_the_config_loads(tmp_path):
    path = grid(tmp_path, [{"name": "x", "mapping": "sinkhorn", "refine": True, "vectors": {"method": "glove"}}],
                seeds=[0])
    with pytest.raises(DecoderHeadError, match="unknown vectors method"):
        load_results_config(path)


def test_en_es_gold_is_the_inverted_es_en_dictionary(tmp_path):
    path = dictionary_for("en-es", str(FIX / "tiny.es-en.txt"), tmp_path)
    es_en, en_es = read_muse(FIX / "tiny.es-en.txt"), read_muse(path)
    assert sum(map(len, es_en.values())) == sum(map(len, en_es.values()))
    for es, ens in es_en.items():
        for en in ens:
            assert es in en_es[en]
    assert dictionary_for("es-en", "x.txt", tmp_path) == "x.txt"


def test_table_gives_mean_and_std_over_seeds():
    base = {"method": "m", "setting": "parallel", "direction": "es-en", "p_at_1_nn": 10.0, "p_at_5_csls": 0.0,
            "p_at_10_csls": 0.0, "coverage": 0.5, "seconds": 3.0}
    lines = induction_table([{**base, "seed": 0, "p_at_1_csls": 10.0}, {**base, "seed": 1, "p_at_1_csls": 20.0}])
    assert "| m | parallel | es-en | 2 | 10.0 +- 0.0 | 15.0 +- 7.1 |" in lines[2]
    assert lines[2].endswith("| cpu |")  # rows from before the device field ran on the CPU


def test_table_puts_parallel_es_en_first_and_keeps_method_order():
    base = {"seed": 0, "p_at_1_nn": 1.0, "p_at_1_csls": 1.0, "p_at_5_csls": 1.0, "p_at_10_csls": 1.0,
            "coverage": 0.5, "seconds": 1.0, "device": "cuda"}
    rows = [{**base, "method": m, "setting": s, "direction": d}
            for s in ("nonparallel", "parallel") for d in ("en-es", "es-en") for m in ("z", "a")]
    order = [tuple(cell.strip() for cell in line.split("|")[1:4]) for line in induction_table(rows)[2:]]
    assert order[:4] == [("z", "parallel", "es-en"), ("a", "parallel", "es-en"),
                         ("z", "parallel", "en-es"), ("a", "parallel", "en-es")]
    assert order[-1] == ("a", "nonparallel", "en-es")


def test_bad_grid_config_is_one_clear_error(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("methods: [{name: a}]\nsettings: [sideways]\n")
    with pytest.raises(DecoderHeadError, match="no corpora for sideways/es-en"):
        load_results_config(path)
    path.write_text("methods: []\n")
    with pytest.raises(DecoderHeadError, match="non-empty"):
        load_results_config(path)
    assert main(["results", str(tmp_path / "missing.yaml")]) == 2


def test_a_pipe_in_a_method_name_does_not_split_the_table_cell():
    row = {"method": "sinkhorn+sg|ppmi", "setting": "parallel", "direction": "es-en", "seed": 0, "p_at_1_nn": 1.0,
           "p_at_1_csls": 1.0, "p_at_5_csls": 1.0, "p_at_10_csls": 1.0, "coverage": 1.0, "seconds": 1.0}
    line = induction_table([row])[2]
    assert line.startswith("| sinkhorn+sg\\|ppmi | parallel |") and line.replace("\\|", "").count("|") == 13


def test_noncognate_column_averages_the_rows_that_have_it():
    base = {"method": "m", "setting": "parallel", "direction": "es-en", "p_at_1_nn": 1.0, "p_at_1_csls": 1.0,
            "p_at_5_csls": 1.0, "p_at_10_csls": 1.0, "coverage": 1.0, "seconds": 1.0}
    header, _, line = induction_table([{**base, "seed": 0, "p_at_1_noncognate": 10.0},
                                       {**base, "seed": 1, "p_at_1_noncognate": 20.0}])
    cells = [c.strip() for c in line.split("|")]
    assert "P@1 non-cognate" in header and cells[header.split("|").index(" P@1 non-cognate ")] == "15.0 +- 7.1"
    old = induction_table([{**base, "seed": 0}])[2]  # a row from before the column: a dash, not a crash
    assert "| - |" in old


def test_appending_a_row_keeps_rows_another_grid_wrote_meanwhile(tmp_path):
    out = tmp_path / "induction.json"
    append_row(out, {"key": "a", "p_at_1_csls": 1.0})
    out.write_text(json.dumps(json.loads(out.read_text()) + [{"key": "b"}]))  # a second grid's row
    rows = append_row(out, {"key": "c"})
    assert [r["key"] for r in rows] == ["a", "b", "c"] == [r["key"] for r in json.loads(out.read_text())]
    rows = append_row(out, {"key": "a", "p_at_1_csls": 2.0})  # the same key is replaced, not doubled
    assert [r["key"] for r in rows] == ["b", "c", "a"] and rows[-1]["p_at_1_csls"] == 2.0
