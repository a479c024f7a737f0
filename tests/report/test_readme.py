import json

import pytest

from decoder_head.errors import DecoderHeadError
from decoder_head.report import update_readme


def fake_metrics(p1, hit):
    by = {"0-100": hit, "100-1000": hit / 2}
    return {"name": "x", "wall_seconds": 10.0, "lm": {"val_ppl": 40.0},
            "recover": {"hit_at_1_top1000": hit, "hit_at_10_top1000": hit,
                        **{f"hit_at_{k}_by_rank": by for k in (1, 5, 10)}},
            "induce": {"coverage": 0.5, "nn": {"p_at_1": p1}, "csls": {"p_at_1": p1 + 1, "p_at_10": p1 + 5}},
            "refine": {"coverage": 1.0, "nn": {"p_at_1": p1 + 20}, "csls": {"p_at_1": p1 + 30, "p_at_10": p1 + 40},
                       "non_cognate": {"p_at_1": p1 + 25, "n": 286}},
            "stage_seconds": {"lm": 5.0, "refine": 4.0}}


def test_readme_block_is_rewritten_with_mean_and_std(tmp_path):
    for name, p1 in (("a", 10.0), ("b", 20.0)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "metrics.json").write_text(json.dumps(fake_metrics(p1, 0.5)))
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- results:start -->\nold\n<!-- results:end -->\noutro\n")
    update_readme(readme, [tmp_path / "a", tmp_path / "b"])
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old" not in text
    assert "16.00 +- 7.07" in text  # induce P@1 CSLS over the two runs
    assert "45.00 +- 7.07" in text and "35.00 (286)" in text  # refine P@1 CSLS; non-cognate with its count
    assert "lm 5, refine 4" in text  # where the wall time went
    assert "| 100-1000 | 0.250 | 0.250 | 0.250 |" in text


def test_runs_without_a_stage_get_dashes(tmp_path):
    m = fake_metrics(10.0, 0.5)
    m["recover"] = m["refine"] = None
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "metrics.json").write_text(json.dumps(m))
    readme = tmp_path / "README.md"
    readme.write_text("<!-- results:start -->\n<!-- results:end -->\n")
    update_readme(readme, [tmp_path / "a"])
    row = [line for line in readme.read_text().splitlines() if line.startswith("| `")][0]
    assert row.count("| - ") >= 6 and "Recovery by frequency rank" not in readme.read_text()


def test_readme_without_markers_is_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "metrics.json").write_text(json.dumps(fake_metrics(1.0, 0.1)))
    (tmp_path / "README.md").write_text("no block\n")
    with pytest.raises(DecoderHeadError, match="results:start"):
        update_readme(tmp_path / "README.md", [tmp_path / "a"])
