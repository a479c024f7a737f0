"""`decoder-head align` on broken vector files and dictionaries: one error line (exit 2) or a stated skip count."""

import json
import re

import pytest
import torch

from decoder_head.cli import main
from decoder_head.eval.vectors import write_word2vec


@pytest.fixture()
def files(tmp_path):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(30, 4, generator=gen)
    write_word2vec(tmp_path / "src.vec", [f"s{i}" for i in range(30)], x)
    write_word2vec(tmp_path / "trg.vec", [f"t{i}" for i in range(30)], x @ torch.linalg.qr(torch.randn(4, 4, generator=gen))[0])
    (tmp_path / "train.txt").write_text("".join(f"s{i} t{i}\n" for i in range(0, 30, 2)))
    (tmp_path / "test.txt").write_text("".join(f"s{i} t{i}\n" for i in range(1, 30, 2)))
    return tmp_path


def align(files, src="src.vec", trg="trg.vec", dictionary="test.txt"):
    return main(["align", str(files / src), str(files / trg), "--method", "procrustes", "--train-dict",
                 str(files / "train.txt"), "--dictionary", str(files / dictionary), "--out", str(files / "out")])


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("decoder-head: error:") and len(err.splitlines()) == 1, err
    return err


def test_clean_files_align_perfectly(files):
    assert align(files) == 0
    m = json.loads((files / "out" / "metrics.json").read_text())
    assert m["csls"]["p_at_1"] == 100.0 and m["skipped_duplicates"] == {"src": 0, "trg": 0}


def test_duplicate_words_are_skipped_and_counted(files, capsys):
    text = (files / "src.vec").read_text().splitlines()
    dup = text[1].split(" ", 1)[0] + " " + " ".join(["9.0"] * 4)  # s0 again, another vector
    (files / "dup.vec").write_text("\n".join(["31 4", *text[1:], dup]) + "\n")
    assert align(files, src="dup.vec") == 0
    assert "skipped 1 duplicate word(s)" in capsys.readouterr().err
    m = json.loads((files / "out" / "metrics.json").read_text())
    assert m["skipped_duplicates"] == {"src": 1, "trg": 0} and m["csls"]["p_at_1"] == 100.0


@pytest.mark.parametrize("name, content, message", [
    ("dims.vec", "2 4\na 1 2 3 4\nb 1 2 3\n", r"dims.vec:3: row has 3 values, header says dim 4"),
    ("lying.vec", "40 4\na 1 2 3 4\nb 1 2 3 4\n", r"header says 40 vectors but the file has 2 rows"),
    ("latin1.vec", b"2 4\na 1 2 3 4\nni\xf1o 1 2 3 4\n", r"latin1.vec:3: not valid UTF-8"),
    ("dim5.vec", "1 5\na 1 2 3 4 5\n", r"vectors have dim 5, expected 4"),
])
def test_broken_target_file_is_one_error_line(files, capsys, name, content, message):
    (files / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    assert align(files, trg=name) == 2
    assert re.search(message, one_error_line(capsys))
    assert not (files / "out").exists()


def test_dictionary_without_overlap_fails_before_aligning(files, capsys):
    (files / "nope.txt").write_text("perro dog\ngato cat\n")
    assert align(files, dictionary="nope.txt") == 2
    assert "shares no pair" in one_error_line(capsys)
    assert not (files / "out").exists()  # nothing aligned or written
