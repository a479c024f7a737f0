"""A corpus read in chunks into memory-mapped ids trains, recovers and induces to the same numbers
as the in-memory path (`stream: true` changes how text is read, never a result)."""

import json
from pathlib import Path

from decoder_head.cli import main

TINY = "tests/fixtures/tiny.yaml"


def run(workdir, *extra):
    assert main(["run", "--preset", TINY, "--workdir", workdir, "--no-refine", *extra]) == 0
    return json.loads((Path(workdir) / "tiny" / "metrics.json").read_text())


def test_streamed_run_equals_the_in_memory_run(tiny):
    plain = run("plain")
    streamed = run("streamed", "--set", "lm.stream=true", "--set", "recover.stream=true", "--set", "induce.stream=true")
    assert list((tiny / "streamed" / "cache" / "stream").iterdir())  # it did read through data.stream
    assert not (tiny / "plain" / "cache" / "stream").exists()
    for key in ("train_loss", "val_loss"):
        assert [h[key] for h in streamed["lm"]["history"]] == [h[key] for h in plain["lm"]["history"]]
    assert streamed["lm"]["unk_rate_valid"] == plain["lm"]["unk_rate_valid"]
    assert streamed["lm"]["folder"].split("/")[-1] == plain["lm"]["folder"].split("/")[-1]  # same LM name
    assert streamed["recover"]["hit_at_1_all"] == plain["recover"]["hit_at_1_all"]
    assert streamed["induce"]["csls"] == plain["induce"]["csls"]
