import pytest

from decoder_head.data import Vocab
from decoder_head.errors import DecoderHeadError

SENTENCES = [["b", "a", "c", "a"], ["c", "d", "a"], ["e", "b"]]  # a3 b2 c2 d1 e1


def test_specials_first_then_count_desc_ties_alphabetical():
    v = Vocab.build(SENTENCES)
    assert v.itos == ["<unk>", "<eos>", "a", "b", "c", "d", "e"]
    assert v.counts == [0, 0, 3, 2, 2, 1, 1]
    assert v.words == ["a", "b", "c", "d", "e"]
    assert len(v) == 7 and v.n_specials == 2
    assert v.stoi["<unk>"] == 0 and v.stoi["<eos>"] == 1


def test_from_counts_is_build():
    from collections import Counter
    counts = Counter(w for s in SENTENCES for w in s) + Counter({"<unk>": 9, "<eos>": 9})
    for max_size, min_count in [(None, 1), (4, 1), (None, 2)]:
        built, counted = Vocab.build(SENTENCES, max_size, min_count), Vocab.from_counts(counts, max_size, min_count)
        assert (counted.itos, counted.counts) == (built.itos, built.counts)


def test_build_is_order_independent():
    assert Vocab.build(SENTENCES).itos == Vocab.build(SENTENCES[::-1]).itos


def test_max_size_counts_specials_and_min_count():
    assert Vocab.build(SENTENCES, max_size=4).itos == ["<unk>", "<eos>", "a", "b"]
    assert Vocab.build(SENTENCES, min_count=2).words == ["a", "b", "c"]
    with pytest.raises(DecoderHeadError):
        Vocab.build(SENTENCES, max_size=1)


def test_encode_decode_rank_unk_rate():
    v = Vocab.build(SENTENCES, min_count=2)
    assert v.encode(["a", "zzz", "c"]) == [2, 0, 4]
    assert v.decode([2, 0, 4]) == ["a", "<unk>", "c"]
    assert v.rank("a") == 0 and v.rank("c") == 2
    assert v.rank("d") is None and v.rank("<unk>") is None
    assert v.unk_rate(SENTENCES) == pytest.approx(2 / 9)
    assert v.unk_rate([]) == 0.0


def test_save_load_round_trip(tmp_path):
    v = Vocab.build(SENTENCES)
    v.save(tmp_path / "vocab.json")
    w = Vocab.load(tmp_path / "vocab.json")
    assert (w.itos, w.counts, w.stoi) == (v.itos, v.counts, v.stoi)
    assert Vocab.from_dict(v.to_dict()).itos == v.itos


@pytest.mark.parametrize("content", ["{not json", '{"itos": ["a"], "counts": [1]}', "[1, 2]"])
def test_load_corrupt_file_fails(tmp_path, content):
    path = tmp_path / "vocab.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DecoderHeadError, match="vocab.json"):
        Vocab.load(path)


def test_load_missing_file_fails(tmp_path):
    with pytest.raises(DecoderHeadError, match="missing.json"):
        Vocab.load(tmp_path / "missing.json")
