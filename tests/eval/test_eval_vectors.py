"""word2vec text I/O: round trip, and every malformed file gives a one-line DecoderHeadError."""

from pathlib import Path

import numpy as np
import pytest
import torch

from decoder_head.errors import DecoderHeadError
from decoder_head.eval.vectors import read_word2vec, write_word2vec


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def test_round_trip(tmp_path: Path) -> None:
    words = ["el", "perro", "niño", "über"]
    emb = torch.randn(4, 7)
    path = tmp_path / "v.vec"
    write_word2vec(path, words, emb)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "4 7"
    got_words, got, stats = read_word2vec(path, expected_dim=7)
    assert got_words == words
    assert got.dtype == torch.float32 and got.shape == (4, 7)
    assert torch.allclose(got, emb, atol=1e-6)
    assert stats == {"skipped_duplicates": 0, "skipped_bad_rows": 0}


def test_numpy_input_and_max_words(tmp_path: Path) -> None:
    path = tmp_path / "v.vec"
    write_word2vec(path, ["a", "b", "c"], np.arange(6, dtype=np.float64).reshape(3, 2))
    words, emb, _ = read_word2vec(path, max_words=2)
    assert words == ["a", "b"]
    assert emb.tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_duplicates_keep_first(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.vec", "3 2\na 1 2\nb 3 4\na 5 6\n")
    words, emb, stats = read_word2vec(path)
    assert words == ["a", "b"]
    assert emb[0].tolist() == [1.0, 2.0]
    assert stats["skipped_duplicates"] == 1


def test_write_failure_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "v.vec"
    with pytest.raises(DecoderHeadError, match="3 words but 2 embedding rows"):
        write_word2vec(path, ["a", "b", "c"], torch.zeros(2, 4))
    assert list(tmp_path.iterdir()) == []
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(DecoderHeadError, match="whitespace"):
        write_word2vec(path, ["a b"], torch.zeros(1, 4))
    assert path.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["v.vec"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty file"),
        ("5\n", r":1: header must be two integers 'n dim', got '5'"),
        ("a b\nx 1\n", r":1: header must be two integers"),
        ("1 2 3\nx 1 2\n", r":1: header must be two integers"),
        ("2 3\na 1 2 3\nb 1 2\n", r":3: row has 2 values, header says dim 3"),
        ("2 2\na 1 2\nb 1 2 3\n", r":3: row has 3 values, header says dim 2"),
        ("3 2\na 1 2\nb 1 2\n", r"header says 3 vectors but the file has 2 rows"),
        ("1 2\na 1 2\nb 1 2\n", r"header says 1 vectors but the file has 2 rows"),
        ("1 2\na 1 x\n", r":2: non-numeric value"),
        ("1 2\na 1 nan\n", r":2: non-finite value"),
        (b"2 2\na 1 2\n\xff\xfe 1 2\n", r":3: not valid UTF-8"),
    ],
)
def test_bad_files(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = _write(tmp_path / "bad.vec", content)
    with pytest.raises(DecoderHeadError, match=message) as info:
        read_word2vec(path)
    text = str(info.value)
    assert str(path) in text and "\n" not in text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DecoderHeadError, match="file not found"):
        read_word2vec(tmp_path / "nope.vec")


def test_expected_dim_mismatch(tmp_path: Path) -> None:
    path = _write(tmp_path / "v.vec", "1 2\na 1 2\n")
    with pytest.raises(DecoderHeadError, match="vectors have dim 2, expected 300"):
        read_word2vec(path, expected_dim=300)


def test_max_words_skips_count_check_only_when_stopping_early(tmp_path: Path) -> None:
    path = _write(tmp_path / "v.vec", "5 2\na 1 2\nb 3 4\n")
    words, _, _ = read_word2vec(path, max_words=1)
    assert words == ["a"]
    with pytest.raises(DecoderHeadError, match="header says 5 vectors but the file has 2 rows"):
        read_word2vec(path, max_words=10)
