"""`decoder-head embed` on the 400-verse fixture: word2vec text out, frequency order (seconds)."""

from collections import Counter
from pathlib import Path

import pytest

from decoder_head.align.word2vec import Word2VecConfig
from decoder_head.cli import main
from decoder_head.data.tokenizer import Tokenizer
from decoder_head.errors import DecoderHeadError
from decoder_head.eval.vectors import read_word2vec

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_embed_writes_vectors_in_frequency_order(tmp_path):
    out = tmp_path / "en.vec"
    corpus = FIXTURES / "tiny.en.txt"
    assert main(["embed", f"text:{corpus}", str(out), "--dim", "16", "--epochs", "1", "--min-count", "3",
                 "--workers", "1", "--cache-dir", str(tmp_path / "cache")]) == 0
    words, emb, _ = read_word2vec(out)
    assert emb.shape == (len(words), 16)
    counts = Counter(t for line in corpus.read_text(encoding="utf-8").splitlines() for t in Tokenizer()(line))
    assert set(words) == {w for w, c in counts.items() if c >= 3}
    freqs = [counts[w] for w in words]
    assert freqs == sorted(freqs, reverse=True)


def test_embed_bad_config_and_missing_corpus_are_user_errors(tmp_path, capsys):
    with pytest.raises(DecoderHeadError):
        Word2VecConfig(dim=0)
    assert main(["embed", f"text:{tmp_path / 'missing.txt'}", str(tmp_path / "x.vec")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
