"""`decoder-head embed` on the 400-verse fixture: word2vec text out, frequency order (seconds)."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

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


def test_embed_ppmi_writes_deterministic_frequency_ordered_vectors(tmp_path):
    corpus = FIXTURES / "tiny.en.txt"
    outs = [tmp_path / f"en{i}.vec" for i in range(2)]
    for out in outs:
        assert main(["embed", f"text:{corpus}", str(out), "--method", "ppmi", "--dim", "16", "--window", "4",
                     "--min-count", "3", "--cache-dir", str(tmp_path / "cache")]) == 0
    (words, emb, _), (words2, emb2, _) = (read_word2vec(o) for o in outs)
    assert words == words2 and torch.equal(emb, emb2)  # no sampling: same input, same numbers
    assert emb.shape == (len(words), 16)
    counts = Counter(t for line in corpus.read_text(encoding="utf-8").splitlines() for t in Tokenizer()(line))
    assert set(words) == {w for w, c in counts.items() if c >= 3}
    freqs = [counts[w] for w in words]
    assert freqs == sorted(freqs, reverse=True)


def test_ppmi_counts_stay_inside_sentences_and_weight_by_distance():
    from decoder_head.align.ppmi import cooccurrences, ppmi_matrix

    words = ["a", "b", "c"]
    c = cooccurrences([["a", "b", "c"], ["c", "a"]], words, window=2).toarray()
    assert np.allclose(c, c.T)
    assert c[0, 1] == 1.0 and c[1, 2] == 1.0  # neighbours
    assert c[0, 2] == 0.5 + 1.0  # a..c at distance 2 in verse 1, adjacent in verse 2
    assert c[0, 0] == 0.0
    p = ppmi_matrix(cooccurrences([["a", "b"]] * 5 + [["a", "c"], ["b", "c"]], words, 1), 0.75).toarray()
    assert (p >= 0).all() and p[0, 1] > 0


def test_ppmi_needs_more_words_than_dimensions():
    from decoder_head.align.ppmi import PPMIConfig, ppmi_vectors

    with pytest.raises(DecoderHeadError, match="need more than"):
        ppmi_vectors([["a", "b", "a", "b", "a", "b"]], PPMIConfig(dim=8, min_count=1))
    with pytest.raises(DecoderHeadError):
        PPMIConfig(cds=0.0)


def test_concatenated_spaces_keep_shared_words_in_first_order_with_equal_weight():
    from decoder_head.align.embed import concatenate_spaces

    a = (["the", "god", "said"], torch.randn(3, 4) * 10)
    b = (["said", "the", "lord"], torch.randn(3, 2))
    words, v = concatenate_spaces([a, b])
    assert words == ["the", "said"] and v.shape == (2, 6)
    assert torch.allclose(v[:, :4].norm(dim=1), torch.ones(2)) and torch.allclose(v[:, 4:].norm(dim=1), torch.ones(2))
    with pytest.raises(DecoderHeadError, match="share no word"):
        concatenate_spaces([a, (["x"], torch.randn(1, 2))])


def test_embed_fasttext_is_reproducible_frequency_ordered_and_pools_character_ngrams(tmp_path):
    corpus = FIXTURES / "tiny.en.txt"
    outs = [tmp_path / f"ft{i}.vec" for i in range(2)]
    for out in outs:
        assert main(["embed", f"text:{corpus}", str(out), "--method", "fasttext", "--dim", "16", "--epochs", "2",
                     "--min-count", "3", "--workers", "1", "--cache-dir", str(tmp_path / "cache")]) == 0
    (words, emb, _), (words2, emb2, _) = (read_word2vec(o) for o in outs)
    assert words == words2 and torch.equal(emb, emb2)  # one worker: the same file twice
    counts = Counter(t for line in corpus.read_text(encoding="utf-8").splitlines() for t in Tokenizer()(line))
    assert set(words) == {w for w, c in counts.items() if c >= 3}
    assert [counts[w] for w in words] == sorted((counts[w] for w in words), reverse=True)

    from decoder_head.align.word2vec import FastTextConfig, train_word2vec

    # a word's fastText vector is built from its n-grams: two words that share every 3..4-gram but
    # never share a context still come out close, which skip-gram's whole-word vectors do not
    sentences = [["xx", "walking", "aa"], ["yy", "walkings", "bb"]] * 30 + [["aa", "bb", "xx", "yy"]] * 30
    cos = {}
    for cfg in (Word2VecConfig(dim=16, min_count=1, epochs=5, workers=1),
                FastTextConfig(dim=16, min_count=1, epochs=5, workers=1, min_n=3, max_n=4)):
        w, v = train_word2vec(sentences, cfg)
        a, b = torch.tensor(v[w.index("walking")]), torch.tensor(v[w.index("walkings")])
        cos[type(cfg).__name__] = float(torch.nn.functional.cosine_similarity(a, b, dim=0))
    assert cos["FastTextConfig"] > 0.5 > cos["Word2VecConfig"]
    with pytest.raises(DecoderHeadError, match="min_n"):
        FastTextConfig(min_n=4, max_n=3)
