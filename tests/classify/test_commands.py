"""classify-train and classify-eval end to end through the CLI, and their bad input."""

import json

from decoder_head.cli import main


def expect_error(capsys, args, match):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and match in err, err


def train_args(tiny_lm, workdir, *extra):
    sets = [x for s in ("task.corpus=sword:fakeEN", "task.valid_fraction=0.15", "task.test_fraction=0.15",
                        "head.hidden=8", "train.epochs=2", "train.batch_size=16", *extra) for x in ("--set", s)]
    return ["classify-train", "--lm", str(tiny_lm.folder), "--workdir", str(workdir), *sets]


def test_train_then_eval_on_english_and_zero_shot(tiny_lm, bible_workdir, tmp_path, capsys):
    workdir = tmp_path / "runs"
    (workdir / "cache").mkdir(parents=True)
    for module in ("fakeEN", "fakeES"):
        (workdir / "cache" / f"{module}.tsv").write_bytes((bible_workdir / "cache" / f"{module}.tsv").read_bytes())
    assert main(train_args(tiny_lm, workdir, "train.seed=3") + ["--name", "t"]) == 0
    model = workdir / "classify" / "t"
    assert (model / "final" / "meta.json").is_file() and "valid accuracy" in capsys.readouterr().out
    lexicon = tmp_path / "lexicon.tsv"
    lexicon.write_text("src\trank\ttrg\tscore\ndios\t1\tgod\t0.9\ntierra\t1\tearth\t0.8\n")
    assert main(["classify-eval", "--model", str(model), "--workdir", str(workdir), "--corpus", "sword:fakeES",
                 "--lexicon", str(lexicon)]) == 0
    report = json.loads((model / "eval.json").read_text())
    english, spanish = report["rows"]
    assert english["lexical"] == "sword:fakeEN (trained on)" and spanish["lexical"].startswith("lookup")
    assert english["n"] == spanish["n"] > 0 and spanish["unk_rate"] > english["unk_rate"]
    assert report["lookup " + str(lexicon)]["entries"] == 2
    assert "macro-F1" in capsys.readouterr().out
    assert main(["classify-eval", "--model", str(model), "--workdir", str(workdir), "--split", "valid"]) == 0
    assert len(json.loads((model / "eval.json").read_text())["rows"]) == 1


def test_bad_input_ends_in_one_line(tiny_lm, tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text("in the beginning\n")
    expect_error(capsys, train_args(tiny_lm, tmp_path / "runs", f"task.corpus=text:{text}"), "use a sword:MODULE")
    assert not (tmp_path / "runs" / "classify").exists()
    expect_error(capsys, train_args(tiny_lm, tmp_path / "runs", "train.unknown=1"), "unknown config key")
    expect_error(capsys, ["classify-train", "--lm", str(tmp_path)], "not an LM folder")
    expect_error(capsys, ["classify-eval", "--model", str(tmp_path / "none")], "not a finished classifier")
