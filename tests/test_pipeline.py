"""The one pipeline (`decoder-head run`): stages switchable, own corpora, no dictionary, resume, bad input."""

import json


from decoder_head import experiment
from decoder_head.cli import main

TINY = "tests/fixtures/tiny.yaml"


def run(*args):
    return main(["run", "--preset", TINY, "--workdir", "runs", *args])


def metrics(run_dir):
    return json.loads((run_dir / "metrics.json").read_text())


def expect_error(capsys, *args, match):
    assert run(*args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and match in err, err


def test_refine_block_has_the_induce_keys_and_writes_both_lexicons(tiny):
    assert run() == 0
    d = tiny / "runs" / "tiny"
    m = metrics(d)
    assert m["best"] == "refine"
    shared = {"method", "corpus", "dictionary", "coverage", "n_evaluated", "nn", "csls", "by_rank_csls",
              "cognate", "non_cognate", "unsupervised", "seconds", "device"}
    assert shared <= set(m["induce"]) and shared <= set(m["refine"])
    for block in (m["induce"], m["refine"]):
        split = block["cognate"]["n"] + block["non_cognate"]["n"]
        assert split == block["n_evaluated"]
    assert m["refine"]["coverage"] >= m["induce"]["coverage"]  # vectors cover more words than the 2k head
    assert set(m["stage_seconds"]) >= {"lm", "recover", "induce", "refine", "outputs"}
    refined = (d / "lexicon.tsv").read_text().splitlines()
    head = (d / "lexicon.decoder-head.tsv").read_text().splitlines()
    assert refined[0] == head[0] == "src\trank\ttrg\tscore"
    n_vectors = int((d / "emb.es.vec").read_text().split("\n", 1)[0].split()[0])
    assert len(refined) - 1 == 5 * n_vectors  # every source word with vectors, top-5
    assert (d / "emb.decoder-head.es.vec").is_file() and (d / "report.html").is_file()
    assert "refined (self-learning)" in (d / "report.md").read_text()


def test_stages_switch_off(tiny):
    assert run("--no-refine", "--no-recover", "--name", "bare") == 0
    d = tiny / "runs" / "bare"
    m = metrics(d)
    assert m["refine"] is None and m["recover"] is None and m["best"] == "induce"
    assert (d / "lexicon.tsv").read_bytes() == (d / "lexicon.decoder-head.tsv").read_bytes()
    assert not (d / "hits_by_rank.png").exists()


def test_own_corpora_without_a_dictionary_report_unsupervised_signals(tiny):
    assert run("--lm-corpus", "text:tests/fixtures/tiny.en.txt", "--corpus", "text:tests/fixtures/tiny.es.txt",
               "--no-dictionary", "--languages", "xx", "yy", "--name", "own") == 0
    d = tiny / "runs" / "own"
    m = metrics(d)
    for stage in ("induce", "refine"):
        assert m[stage]["csls"] is None and m[stage]["dictionary"] is None
        assert 0.0 <= m[stage]["unsupervised"]["mutual_nn"] <= 1.0
    assert m["induce"]["unsupervised"]["val_loss"] > 0
    assert {"objective", "agreement_with_decoder_head"} <= set(m["refine"]["unsupervised"])
    assert (d / "emb.xx.vec").is_file() and (d / "emb.yy.vec").is_file()
    assert "mutual nearest neighbours" in (d / "report.md").read_text()


def test_refine_resumes_from_its_checkpoint(tiny, monkeypatch):
    assert run("--no-recover") == 0
    first = metrics(tiny / "runs" / "tiny")

    def no_loop(*args, **kwargs):
        raise AssertionError("self-learning ran again instead of resuming")

    monkeypatch.setattr("decoder_head.align.ensemble.self_learning", no_loop)
    assert run("--no-recover") == 0
    again = metrics(tiny / "runs" / "tiny")
    assert again["refine"]["csls"] == first["refine"]["csls"]


def kill_self_learning_call(monkeypatch, n: int) -> list[int]:
    """Self-learning's n-th call is killed (Ctrl-C); the returned list counts the calls."""
    from decoder_head.align import ensemble

    real, calls = ensemble.self_learning, []

    def killed(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(ensemble, "self_learning", killed)
    return calls


def test_refine_killed_between_runs_resumes_at_the_run_it_was_in(tiny, monkeypatch):
    calls = kill_self_learning_call(monkeypatch, 2)
    two_runs = ("--no-recover", "--set", "refine.runs=2", "--set", "refine.rounds=1")
    assert run(*two_runs) == 130
    runs = tiny / "runs" / "tiny" / "checkpoints" / "refine" / "runs"
    assert [p.name for p in runs.iterdir()] == ["run0"]
    calls.clear()
    assert run(*two_runs) == 0
    assert len(calls) == 1  # only the run that was killed ran again
    assert metrics(tiny / "runs" / "tiny")["refine"]["csls"] is not None
    assert not runs.exists()  # the finished stage's checkpoint holds the combined space


def test_refine_killed_in_its_second_round_resumes_there(tiny, monkeypatch):
    calls = kill_self_learning_call(monkeypatch, 3)  # round 1's two runs finish, round 2's first is killed
    two_rounds = ("--no-recover", "--set", "refine.runs=2", "--set", "refine.rounds=2")
    assert run(*two_rounds) == 130
    runs = tiny / "runs" / "tiny" / "checkpoints" / "refine" / "runs"
    assert sorted(p.name for p in runs.iterdir()) == ["run0", "run1"]
    calls.clear()
    assert run(*two_rounds) == 0
    assert len(calls) == 2  # round 2's two runs, from round 1's saved ones
    assert metrics(tiny / "runs" / "tiny")["refine"]["csls"] is not None
    assert not runs.exists()


def test_a_run_cut_short_leaves_no_trusted_results(tiny, monkeypatch):
    assert run("--no-recover") == 0
    d = tiny / "runs" / "tiny"

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(experiment, "refine_stage", boom)
    assert run("--no-recover", "--no-resume") == 130
    assert not (d / "metrics.json").exists() and not (d / "lexicon.tsv").exists()
    assert not (d / "report.html").exists()


def test_bad_input_ends_before_the_run_folder_is_touched(tiny, capsys):
    (tiny / "latin1.txt").write_bytes("el niño comió\n".encode("latin-1") * 50)
    expect_error(capsys, "--corpus", "text:latin1.txt", match="not valid UTF-8")
    expect_error(capsys, "--corpus", "text:nowhere.txt", match="nowhere.txt")
    (tiny / "small.txt").write_text("uno dos tres\n" * 30)
    expect_error(capsys, "--corpus", "text:small.txt", match="word types")
    (tiny / "alien.txt").write_text("zzxq qqzx\nxxqz zqzq\n")
    expect_error(capsys, "--dictionary", "alien.txt", match="shares no pair")
    expect_error(capsys, "--set", "refine.vectors=[{method: ppmi, dim: 5000}]", match="PPMI-SVD")
    expect_error(capsys, "--set", "induce.mapping_args.topk=100000", match="topk")
    expect_error(capsys, "--set", "induce.anchors=known.txt", match="anchors are identical, numerals or a file")
    (tiny / "known.txt").write_text("el the\nuno\n")
    expect_error(capsys, "--set", "induce.anchors=known.txt", match="known.txt:2: expected 2 fields")
    assert not (tiny / "runs" / "tiny").exists()


def test_export_text_writes_one_line_per_sentence(tiny):
    assert main(["export-text", "text:tests/fixtures/tiny.es.txt", "out/es.txt"]) == 0
    lines = (tiny / "out" / "es.txt").read_text(encoding="utf-8").splitlines()
    source = [x.strip() for x in (tiny / "tests/fixtures/tiny.es.txt").read_text().splitlines() if x.strip()]
    assert lines == [" ".join(x.split()) for x in source]


def test_commands_resume_by_default():
    from decoder_head.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["run"]).no_resume is False
    assert parser.parse_args(["run", "--no-resume"]).no_resume is True
    assert parser.parse_args(["train-lm", "--resume"]).no_resume is False
