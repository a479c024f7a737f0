"""sacrebleu scoring, lexicon reading and the word-by-word baseline."""

import pytest

from decoder_head.data.sword import bible_available
from decoder_head.data.vocab import Vocab
from decoder_head.errors import DecoderHeadError
from decoder_head.seq2seq.data import Pair
from decoder_head.eval.bli import read_lexicon
from decoder_head.seq2seq.evaluate import (
    corpus_scores,
    evaluate_lexicon,
    freedict_lexicon,
    word_by_word,
)

PAIRS = [Pair("1", ("y", "dijo", "dios"), ("and", "god", "said")),
         Pair("2", ("la", "luz", "de", "moisés"), ("the", "light", "of", "moses"))]


def test_scores_and_signature():
    perfect = corpus_scores(["and god said unto moses"], ["and god said unto moses"])
    assert perfect["bleu"] == 100.0 and perfect["chrf"] == 100.0
    wrong = corpus_scores(["xx yy zz ww vv"], ["and god said unto moses"])
    assert wrong["bleu"] < 1 and wrong["chrf"] < 10
    for key in ("bleu_signature", "chrf_signature"):
        assert "nrefs:1" in perfect[key] and "version:" in perfect[key]
    with pytest.raises(DecoderHeadError, match="one hypothesis per reference"):
        corpus_scores(["a"], ["a", "b"])


def test_word_by_word_copies_or_drops_unknown_words():
    lexicon = {"y": "and", "dijo": "said", "dios": "god", "la": "the", "luz": "light", "de": "of"}
    assert word_by_word(PAIRS, lexicon) == ["and said god", "the light of moisés"]
    assert word_by_word(PAIRS, lexicon, unknown="drop")[1] == "the light of"
    row = evaluate_lexicon("toy", lexicon, PAIRS)
    assert row["token_coverage"] == pytest.approx(6 / 7, abs=1e-4) and row["model"] == "word-by-word toy"
    assert 0 < row["bleu"] < 100 and row["examples"][0]["hyp"] == "and said god"


def test_read_lexicon_takes_rank_one(tmp_path):
    p = tmp_path / "lexicon.tsv"
    p.write_text("src\trank\ttrg\tscore\ndios\t2\tgods\t0.5\ndios\t1\tgod\t0.9\nluz\t1\tlight\t0.7\n")
    assert read_lexicon(p) == {"dios": "god", "luz": "light"}
    p.write_text("dios god\n")
    with pytest.raises(DecoderHeadError, match="header"):
        read_lexicon(p)
    p.write_text("src\trank\ttrg\tscore\ndios\tone\tgod\t0.9\n")
    with pytest.raises(DecoderHeadError, match=":2:"):
        read_lexicon(p)
    with pytest.raises(DecoderHeadError, match="not found"):
        read_lexicon(tmp_path / "missing.tsv")


@pytest.mark.bible
@pytest.mark.skipif(not bible_available("spaRV1909eb"), reason="Debian Bible/FreeDict packages not installed")
def test_freedict_lexicon_prefers_the_frequent_english_candidate():
    vocab = Vocab(["<unk>", "<eos>", "the", "and", "house"], [0, 0, 50, 40, 3])
    try:
        lexicon = freedict_lexicon(vocab)
    except DecoderHeadError as exc:
        pytest.skip(str(exc))
    assert lexicon["casa"] == "house" and len(lexicon) > 1000
