"""End to end through the console entry point, on the 400-verse fixtures (seconds)."""

import json

import pytest

from decoder_head.cli import main


def run_cli(*args):
    return main(list(args))


def test_run_end_to_end_writes_the_run_folder(tiny, capsys):
    assert run_cli("run", "--preset", "tests/fixtures/tiny.yaml", "--workdir", "runs") == 0
    run_dir = tiny / "runs" / "tiny"
    for name in ("config.json", "metrics.json", "lexicon.tsv", "lexicon.decoder-head.tsv", "emb.es.vec",
                 "emb.en.vec", "emb.decoder-head.es.vec", "emb.decoder-head.en.vec", "report.md", "report.html",
                 "hits_by_rank.png", "training_curves.png", "bli_by_band.png"):
        assert (run_dir / name).is_file(), name
    assert (tiny / "runs" / "latest").resolve() == run_dir.resolve()
    m = json.loads((run_dir / "metrics.json").read_text())
    assert set(m["lm"]) >= {"val_ppl", "tokens_per_s", "train_seconds"}
    assert set(m["recover"]) >= {"method", "hit_at_1_top1000", "hit_at_10_top1000", "hit_at_1_by_rank"}
    assert set(m["induce"]) >= {"method", "dictionary", "coverage", "nn", "csls", "seconds"}
    assert set(m["induce"]["csls"]) == {"p_at_1", "p_at_5", "p_at_10"}
    assert 0.0 <= m["recover"]["hit_at_1_top1000"] <= m["recover"]["hit_at_10_top1000"] <= 1.0
    assert 0 < m["induce"]["coverage"] <= 1.0
    header = (run_dir / "emb.decoder-head.es.vec").read_text().splitlines()[0].split()
    assert int(header[1]) == 16  # the decoder head's rows live in the LM's 16-d input space
    header = (run_dir / "emb.es.vec").read_text().splitlines()[0].split()
    assert int(header[1]) == 32  # the refined space: 16-d skip-gram | 16-d PPMI per word
    # the second run reuses the trained LM instead of training again
    assert run_cli("run", "--preset", "tests/fixtures/tiny.yaml", "--workdir", "runs", "--no-resume") == 0
    again = json.loads((run_dir / "metrics.json").read_text())
    assert again["lm"]["reused"] is True and m["lm"]["reused"] is False
    assert again["lm"]["val_ppl"] == m["lm"]["val_ppl"]


def test_same_seed_same_numbers(tiny):
    args = ("recover", "--preset", "tests/fixtures/tiny.yaml", "--no-resume")
    assert run_cli(*args, "--workdir", "a") == 0
    assert run_cli(*args, "--workdir", "b") == 0
    a = json.loads((tiny / "a" / "tiny" / "recover.json").read_text())
    b = json.loads((tiny / "b" / "tiny" / "recover.json").read_text())
    assert a["hit_at_1_by_rank"] == b["hit_at_1_by_rank"]
    assert a["history"][-1]["val_loss"] == b["history"][-1]["val_loss"]


def test_generate_continues_a_prompt(tiny, capsys):
    assert run_cli("generate", "and god said", "--preset", "tests/fixtures/tiny.yaml", "--words", "8") == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith("and god said") and len(out.split()) >= 8


def expect_error(capsys, *args, match):
    assert run_cli(*args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and match in err, err


def test_bad_input_gives_one_line_and_exit_2(tiny, capsys):
    (tiny / "empty.txt").write_text("")
    expect_error(capsys, "train-lm", "--preset", "tests/fixtures/tiny.yaml", "--set", "lm.corpus=text:empty.txt",
                 match="empty.txt")
    (tiny / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    expect_error(capsys, "train-lm", "--preset", "tests/fixtures/tiny.yaml", "--set", "lm.corpus=text:binary.txt",
                 match="binary.txt")
    expect_error(capsys, "run", "--preset", "nope", match="no preset")
    expect_error(capsys, "run", "--preset", "tests/fixtures/tiny.yaml", "--set", "lm.bogus=1", match="bogus")
    expect_error(capsys, "run", "--preset", "tests/fixtures/tiny.yaml", "--set", "eval.dictionary=missing.txt",
                 match="missing.txt")


def test_dictionary_with_no_vocabulary_word(tiny, capsys):
    (tiny / "alien.txt").write_text("zzxq qqzx\nxxqz zqzq\n")
    expect_error(capsys, "induce", "--preset", "tests/fixtures/tiny.yaml", "--set", "eval.dictionary=alien.txt",
                 match="share no pair")


def test_corrupt_lm_checkpoint(tiny, capsys):
    assert run_cli("train-lm", "--preset", "tests/fixtures/tiny.yaml", "--workdir", "runs") == 0
    (final,) = (tiny / "runs" / "lms").glob("*/final")
    (final / "tensors.safetensors").write_bytes(b"not a safetensors file")
    expect_error(capsys, "generate", "x", "--lm", str(final.parent), match="corrupt checkpoint")


def test_bli_command_rejects_vectors_of_another_dimension(tiny, capsys):
    (tiny / "a.vec").write_text("2 3\nagua 1 0 0\nluz 0 1 0\n")
    (tiny / "b.vec").write_text("2 2\nwater 1 0\nlight 0 1\n")
    (tiny / "d.txt").write_text("agua water\nluz light\n")
    expect_error(capsys, "bli", "a.vec", "b.vec", "--dictionary", "d.txt", match="expected 3")
    (tiny / "b.vec").write_text("2 3\nwater 1 0 0\nlight 0 1 0\n")
    assert run_cli("bli", "a.vec", "b.vec", "--dictionary", "d.txt") == 0
    assert "P@1 100.0" in capsys.readouterr().out


def test_a_named_bed_sets_corpora_codes_test_split_and_run_folder(tiny, monkeypatch, capsys):
    from decoder_head.data import beds

    (tiny / "bli").mkdir()
    (tiny / "bli" / "tiny.test.txt").write_text((tiny / "tests/fixtures/tiny.es-en.txt").read_text())
    bed = beds.Bed("text:tests/fixtures/tiny.en.txt", "text:tests/fixtures/tiny.es.txt", ("xx", "yy"), "bli/tiny")
    monkeypatch.setitem(beds.BEDS, "tiny.bed", bed)
    assert run_cli("run", "--preset", "tests/fixtures/tiny.yaml", "--bed", "tiny.bed", "--no-recover",
                   "--no-refine") == 0
    run_dir = tiny / "runs" / "tiny.bed"  # named after the bed
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["languages"] == ["xx", "yy"] and metrics["induce"]["dictionary"] == "bli/tiny.test.txt"
    assert (run_dir / "emb.decoder-head.xx.vec").is_file() and metrics["induce"]["csls"] is not None
    # an explicit option beats the bed, and an unknown bed is refused by name
    expect_error(capsys, "run", "--preset", "tests/fixtures/tiny.yaml", "--bed", "tiny.bed", "--no-recover",
                 "--no-refine", "--dictionary", "missing.txt", match="missing.txt")
    with pytest.raises(SystemExit) as exit_:
        run_cli("run", "--bed", "xx-en.bible")
    assert exit_.value.code == 2 and "tiny.bed" in capsys.readouterr().err


def test_beds_lists_every_named_bed(capsys):
    from decoder_head.data.beds import BEDS

    assert run_cli("beds") == 0
    out = capsys.readouterr().out
    assert all(name in out for name in BEDS)
