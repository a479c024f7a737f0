"""Training, checkpoints, the translate/eval CLI and bad input, on a 12-verse fixture (seconds)."""

import io
import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from decoder_head.cli import main
from decoder_head.errors import DecoderHeadError
from decoder_head.seq2seq import train as train_module
from decoder_head.seq2seq.config import Seq2SeqTrainConfig, load_seq2seq_config
from decoder_head.seq2seq.data import build_parallel
from decoder_head.seq2seq.evaluate import evaluate_translator
from decoder_head.seq2seq.train import Budget, train_seq2seq
from decoder_head.seq2seq.translator import load_translator

FIXTURES = Path(__file__).parent / "fixtures"
TINY = [f"data.src=text:{FIXTURES / 'es.txt'}", f"data.trg=text:{FIXTURES / 'en.txt'}",
        "data.valid_fraction=0.1", "data.test_fraction=0.2", "data.min_count=1", "data.length_percentile=100",
        "model.kind=transformer", "model.emb_dim=32", "model.hidden=32", "model.ff_dim=64", "model.heads=2",
        "model.dropout=0.0", "train.max_minutes=null", "train.batch_size=8", "train.lr=0.01",
        "train.teacher_forcing_end=1.0", "train.threads=1", "decode.beam=3"]
FIRST_VERSE = "En el principio crió Dios los cielos y la tierra."


def tiny_config(*extra):
    return load_seq2seq_config(None, [*TINY, *extra])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A transformer trained to memorise the training verses (150 steps, a few seconds)."""
    folder = tmp_path_factory.mktemp("s2s") / "tiny"
    cfg = tiny_config("train.max_steps=150", "train.eval_every=50")
    meta = train_seq2seq(cfg, folder, progress=False)
    return folder, cfg, meta


def test_overfits_a_tiny_set(trained):
    folder, cfg, meta = trained
    assert meta["steps"] == 150 and meta["history"][-1]["train_loss"] < 0.5
    data = build_parallel(cfg.data)
    scores = evaluate_translator(load_translator(folder), data.train, cfg.decode)
    assert scores["greedy"]["bleu"] > 80 and scores["bleu"] > 60
    assert "nrefs:1" in scores["signature"] and "version:" in scores["signature"]


def test_final_checkpoint_round_trips_with_the_tied_output(trained):
    folder, _, _ = trained
    tr = load_translator(folder)
    saved = load_file(str(folder / "final" / "tensors.safetensors"))
    assert "model.generator.weight" not in saved  # tied: stored once
    for k, v in tr.model.state_dict().items():
        assert torch.equal(v, saved["model.trg_emb.weight" if k == "generator.weight" else f"model.{k}"]), k
    assert tr.translate(FIRST_VERSE) == load_translator(folder).translate(FIRST_VERSE)


def test_resumed_training_equals_uninterrupted_training(tmp_path, monkeypatch):
    cfg = tiny_config("train.max_steps=4", "train.eval_every=2", "data.valid_fraction=0")
    train_seq2seq(cfg, tmp_path / "a", progress=False)
    real, calls = train_module.make_batch, []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # during step 3, after the step-2 checkpoint
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(train_module, "make_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_seq2seq(cfg, tmp_path / "b", progress=False)
    monkeypatch.setattr(train_module, "make_batch", real)
    meta = train_seq2seq(cfg, tmp_path / "b", progress=False)
    assert meta["steps"] == 4
    a = load_file(str(tmp_path / "a" / "final" / "tensors.safetensors"))
    b = load_file(str(tmp_path / "b" / "final" / "tensors.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_budget_stops_at_whichever_limit_comes_first():
    b = Budget(Seq2SeqTrainConfig(max_steps=10, max_minutes=1.0), {"cpu": 30.0, "wall": 0.0})
    assert b.fraction(2) == pytest.approx(0.5)  # 30 of 60 CPU seconds beats 2 of 10 steps
    assert b.fraction(8) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="budget"):
        Seq2SeqTrainConfig(max_steps=None, max_minutes=None)


def run_cli(*args):
    return main([str(a) for a in args])


def test_translate_cli_end_to_end(trained, capsys):
    folder, _, _ = trained
    assert run_cli("translate", FIRST_VERSE, "y dijo dios", "--model", folder, "--beam", "1") == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "in the beginning god created the heaven and the earth"  # a memorised training verse
    assert len(lines) == 2 and lines[1]


def test_translate_reads_stdin_lines_and_survives_a_bad_one(trained, capsys, monkeypatch):
    folder, _, _ = trained
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{FIRST_VERSE}\nxyzzy\ny dijo dios\n"))
    assert run_cli("translate", "-", "--model", folder, "--beam", "1") == 0
    captured = capsys.readouterr()
    lines = captured.out.split("\n")
    assert lines[0] == "in the beginning god created the heaven and the earth" and lines[1] == "" and lines[2]
    assert captured.err.count("none of the input words") == 1


def test_train_and_eval_cli(tmp_path, capsys):
    args = ["--workdir", tmp_path, "--name", "cli"] + [x for s in TINY + ["train.max_steps=3"] for x in ("--set", s)]
    assert run_cli("seq2seq-train", *args) == 0
    folder = tmp_path / "seq2seq" / "cli"
    lexicon = tmp_path / "lexicon.tsv"
    lexicon.write_text("src\trank\ttrg\tscore\ndios\t1\tgod\t0.9\ny\t1\tand\t0.8\n")
    assert run_cli("seq2seq-eval", "--model", folder, "--no-freedict", "--lexicon", lexicon) == 0
    report = json.loads((folder / "eval.json").read_text())
    models = [r["model"] for r in report["rows"]]
    assert models[0] == "transformer" and models[1].startswith("word-by-word")
    assert all(0 <= r["bleu"] <= 100 and "version:" in r["signature"] for r in report["rows"])
    assert report["rows"][0]["examples"] and "BLEU signature" in capsys.readouterr().out


def expect_error(capsys, *args, match):
    assert run_cli(*args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and match in err, err


def test_bad_input_is_one_line_and_exit_2(trained, tmp_path, capsys):
    folder, _, meta = trained
    expect_error(capsys, "translate", "", "--model", folder, match="no word")
    expect_error(capsys, "translate", "... 1234 !!", "--model", folder, match="no word")
    expect_error(capsys, "translate", "xyzzy qwertz", "--model", folder, match="none of the input words")
    expect_error(capsys, "translate", "dios " * (meta["max_src_len"] + 1), "--model", folder, match="at most")
    expect_error(capsys, "translate", "dios", "--model", tmp_path / "missing", match="no such model folder")
    expect_error(capsys, "translate", "dios", "--beam", "0", "--model", folder, match="beam")
    # an LM folder (train-lm layout) is the wrong kind of checkpoint
    lm = tmp_path / "lm"
    (lm / "final").mkdir(parents=True)
    shutil.copy(folder / "final" / "tensors.safetensors", lm / "final")
    (lm / "final" / "meta.json").write_text(json.dumps({"val_ppl": 30.0}))
    (lm / "config.json").write_text("{}")
    (lm / "vocab.json").write_text("{}")
    expect_error(capsys, "translate", "dios", "--model", lm, match="not a seq2seq")
    # a GRU config over transformer tensors: mixed-up folder
    mixed = tmp_path / "mixed"
    shutil.copytree(folder, mixed)
    cfg = json.loads((mixed / "config.json").read_text())
    cfg["model"]["kind"] = "gru_attention"
    (mixed / "config.json").write_text(json.dumps(cfg))
    expect_error(capsys, "translate", "dios", "--model", mixed, match="mixed up")
    (mixed / "final" / "tensors.safetensors").write_bytes(b"not safetensors")
    expect_error(capsys, "translate", "dios", "--model", mixed, match="corrupt")
    expect_error(capsys, "seq2seq-train", "--set", "model.bogus=1", match="bogus")
    expect_error(capsys, "seq2seq-train", "--set", "model.kind=lstm", match="lstm")
    expect_error(capsys, "seq2seq-train", "--config", tmp_path / "nope.yaml", match="not found")


def test_init_from_vectors_reports_coverage(tmp_path):
    from decoder_head.eval.vectors import write_word2vec

    vec = tmp_path / "en.vec"
    write_word2vec(vec, ["god", "earth", "light"], torch.randn(3, 32))
    meta = train_seq2seq(tiny_config("train.max_steps=1", f"model.trg_init={vec}"), tmp_path / "m", progress=False)
    assert 0 < meta["init"]["trg"]["coverage"] < 1
    with pytest.raises(DecoderHeadError, match="emb_dim"):
        train_seq2seq(tiny_config("train.max_steps=1", f"model.src_init={vec}", "model.emb_dim=16"),
                      tmp_path / "n", progress=False)
