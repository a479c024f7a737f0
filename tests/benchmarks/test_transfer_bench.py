"""benchmarks/transfer.py on fake Bibles (the 400-verse fixtures under verse ids): rows, merge by key,
target verdict and README table. Seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml

from bench_module import load

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BOOKS = ("Gen", "Josh", "Ps", "Isa", "Matt", "Rom", "Rev")


@pytest.fixture(scope="module")
def bench():
    return load("transfer")


@pytest.fixture()
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: a second thread only spins on a busy machine
    yield
    torch.set_num_threads(before)


def fake_bibles(cache: Path) -> None:
    """fakeEN / fakeES: the fixtures' lines as verses of one book per group (data.sword's cache format)."""
    cache.mkdir(parents=True)
    for module, lang in (("fakeEN", "en"), ("fakeES", "es")):
        lines = (FIXTURES / f"tiny.{lang}.txt").read_text(encoding="utf-8").splitlines()
        rows = [f"{BOOKS[i % 7]}.{i // 7 + 1}.1\t{'nt' if i % 7 > 3 else 'ot'}\t{t}" for i, t in enumerate(lines)]
        (cache / f"{module}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_rows_for_every_seed_then_merged_by_key(bench, tmp_path, one_thread):
    workdir = tmp_path / "runs"
    fake_bibles(workdir / "cache")
    preset = yaml.safe_load((FIXTURES / "tiny.yaml").read_text())
    preset.update(recover=None, refine=None, name="fake")
    preset["lm"]["corpus"], preset["induce"]["corpus"] = "sword:fakeEN", "sword:fakeES"
    preset["eval"]["dictionary"] = None
    (tmp_path / "fake.yaml").write_text(yaml.safe_dump(preset))
    out, readme = tmp_path / "transfer.json", tmp_path / "README.md"
    readme.write_text("x\n<!-- transfer:start -->\nold\n<!-- transfer:end -->\ny\n")
    sets = [x for s in ("task.valid_fraction=0.15", "task.test_fraction=0.15", "head.hidden=8", "train.epochs=2",
                        "train.batch_size=16") for x in ("--set", s)]
    args = ["--preset", str(tmp_path / "fake.yaml"), "--workdir", str(workdir), "--out", str(out), *sets]
    assert bench.main([*args, "--seeds", "0", "1", "--readme", str(readme)]) == 0
    assert (workdir / "fake" / "metrics.json").is_file()  # the pipeline ran first: there was no run
    data = json.loads(out.read_text())
    classifier = [r for r in data["rows"] if r["kind"] == "classifier"]
    expected = [(s, name) for s in (0, 1) for name, _ in bench.CLASSIFIER_ROWS]
    assert [(r["seed"], r["row"]) for r in classifier] == expected
    assert {r["n"] for r in classifier} == {data["test_verses"]} and data["test_verses"] > 0
    assert [r["row"] for r in data["rows"] if r["kind"] == "reference"] == [
        "TF-IDF + logistic regression, English", "TF-IDF + logistic regression, Spanish", "majority class"]
    assert all(0 <= r["macro_f1"] <= 1 for r in data["rows"])
    assert [set(p) for p in data["perplexity"].values()] == [{"lm_val_ppl", "induced_val_ppl"}]
    assert set(data["samples"]) == {"run", *bench.PROMPTS}
    assert data["target"][0]["variant"] == "frozen" and isinstance(data["target"][0]["met"], bool)
    text = readme.read_text()
    assert "old" not in text and "| Spanish via the decoder head | frozen |" in text and "Target (frozen)" in text

    assert bench.main([*args, "--seeds", "1", "--no-reference"]) == 0  # seed 1 again: its rows replaced
    again = json.loads(out.read_text())
    assert len(again["rows"]) == len(data["rows"])
    assert [r["key"] for r in again["rows"]][-4:] == [r["key"] for r in classifier if r["seed"] == 1]


def row(variant, name, f1, seed=0):
    return {"kind": "classifier", "variant": variant, "row": name, "seed": seed, "macro_f1": f1, "accuracy": f1,
            "unk_rate": 0.1, "input": "-", "labels": "English"}


@pytest.mark.parametrize("head, lookup, met", [(0.8, 0.5, True), (0.79, 0.5, False), (0.85, 0.9, False)])
def test_target_needs_80_percent_of_english_and_beating_the_lookup(bench, head, lookup, met):
    names = [name for name, _ in bench.CLASSIFIER_ROWS]
    rows = [row("frozen", names[0], 1.0), row("frozen", names[1], head), row("frozen", names[2], lookup)]
    v = bench.verdict(rows)
    assert v["met"] is met and v["share"] == pytest.approx(head)
    table = bench.table_lines({"rows": rows})
    assert f"| {names[1]} | frozen |" in table[3] and f"| {head:.2f} |" in table[3]
    assert bench.verdict(rows, "unfreeze") is None


def test_runs_must_be_one_per_seed_and_finished(bench, tmp_path):
    from decoder_head.errors import DecoderHeadError

    with pytest.raises(DecoderHeadError, match="one per seed"):
        bench.run_dirs("default", ["default"], [0, 1], tmp_path)
    with pytest.raises(DecoderHeadError, match="make seeds"):
        bench.run_dirs("default", ["seed1"], [1], tmp_path)
