"""Verse pairing, the split by id, the length cap and batch layout, on a few lines."""

from pathlib import Path

import pytest

from decoder_head.data.sword import bible_available
from decoder_head.errors import DecoderHeadError
from decoder_head.seq2seq.config import ParallelConfig
from decoder_head.seq2seq.data import (
    PAD_TARGET,
    Pair,
    build_parallel,
    make_batch,
    pair_verses,
    read_verses,
    sortish_batches,
    split_of,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_pairing_by_id_drops_unpaired_and_empty_verses():
    src = [("Gen.1.1", "En el principio"), ("Gen.1.2", "Y la tierra"), ("Gen.1.3", "..."), ("Exod.1.1", "Estos")]
    trg = [("Gen.1.3", "And God said"), ("Gen.1.1", "In the beginning"), ("Gen.1.2", "And the earth"),
           ("Rev.1.1", "The Revelation")]
    pairs = pair_verses(src, trg)
    # Exod.1.1 has no English, Rev.1.1 no Spanish, Gen.1.3 has no Spanish word: all dropped
    assert [p.id for p in pairs] == ["Gen.1.1", "Gen.1.2"]
    assert pairs[0] == Pair("Gen.1.1", ("en", "el", "principio"), ("in", "the", "beginning"))


def test_duplicate_ids_are_an_error():
    with pytest.raises(DecoderHeadError, match="twice"):
        pair_verses([("a", "x"), ("a", "y")], [("a", "z")])


def test_split_depends_on_the_id_alone():
    ids = [f"Gen.{c}.{v}" for c in range(1, 40) for v in range(1, 30)]
    first = {i: split_of(i, 0.1, 0.1, seed=0) for i in ids}
    # the same ids inside a smaller corpus land in the same part
    assert all(split_of(i, 0.1, 0.1, seed=0) == first[i] for i in ids[::7])
    counts = {s: sum(1 for v in first.values() if v == s) for s in ("train", "valid", "test")}
    assert 0.05 < counts["test"] / len(ids) < 0.15 and 0.05 < counts["valid"] / len(ids) < 0.15
    assert {i: split_of(i, 0.1, 0.1, seed=1) for i in ids} != first  # the seed moves the held-out ids


def _cfg(**kw):
    base = dict(src=f"text:{FIXTURES / 'es.txt'}", trg=f"text:{FIXTURES / 'en.txt'}", valid_fraction=0.2,
                test_fraction=0.2, min_count=1, length_percentile=90)
    return ParallelConfig(**{**base, **kw})


def test_no_test_verse_leaks_into_training_nor_into_the_vocabulary():
    data = build_parallel(_cfg())
    train_ids, test_ids = {p.id for p in data.train}, {p.id for p in data.test}
    valid_ids = {p.id for p in data.valid}
    assert test_ids and train_ids and not (train_ids & test_ids) and not (train_ids & valid_ids)
    assert len(train_ids | test_ids | valid_ids) == 12
    train_words = {w for p in data.train for w in p.src}
    test_only = {w for p in data.test for w in p.src} - train_words
    assert test_only and not any(w in data.src_vocab for w in test_only)


def test_training_pairs_are_cut_at_the_percentile_but_references_are_not():
    data = build_parallel(_cfg(length_percentile=50))
    assert all(len(p.src) <= data.max_src_len and len(p.trg) <= data.max_trg_len for p in data.train)
    full = {p.id: p for p in pair_verses(read_verses(_cfg().src), read_verses(_cfg().trg))}
    assert any(len(full[p.id].src) > data.max_src_len for p in data.train)  # something was cut
    assert all(p.trg == full[p.id].trg for p in data.test)


def test_too_few_pairs_for_a_test_split_is_a_clear_error(tmp_path):
    (tmp_path / "a.txt").write_text("uno\n")
    (tmp_path / "b.txt").write_text("one\n")
    with pytest.raises(DecoderHeadError, match="no (train|test) pair"):
        build_parallel(_cfg(src=f"text:{tmp_path / 'a.txt'}", trg=f"text:{tmp_path / 'b.txt'}"))


def test_wikitext_has_no_ids():
    with pytest.raises(DecoderHeadError, match="needs ids"):
        read_verses("wikitext:x.tokens")


def test_batch_layout():
    data = build_parallel(_cfg())
    pairs = data.train[:3]
    b = make_batch(pairs, data.src_vocab, data.trg_vocab, data.max_src_len, data.max_trg_len)
    eos = data.trg_vocab.eos_id
    for i, p in enumerate(pairs):
        n = min(len(p.trg), data.max_trg_len)
        assert b.src_len[i] == min(len(p.src), data.max_src_len) + 1
        assert b.src[i, b.src_len[i] - 1] == data.src_vocab.eos_id
        assert b.trg_in[i, 0] == eos and b.trg_out[i, n] == eos
        assert b.trg_in[i, 1 : n + 1].tolist() == b.trg_out[i, :n].tolist()  # shifted by one
        assert (b.trg_out[i, n + 1 :] == PAD_TARGET).all()
    assert b.n_tokens == sum(min(len(p.trg), data.max_trg_len) + 1 for p in pairs)


def test_sortish_batches_cover_every_item_once():
    lengths = [5, 1, 9, 3, 7, 2, 8]
    batches = sortish_batches(len(lengths), lengths, 3, seed=0)
    assert sorted(i for b in batches for i in b) == list(range(7))
    assert batches == sortish_batches(len(lengths), lengths, 3, seed=0)


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.bible
@pytest.mark.skipif(not (bible_available("spaRV1909eb") and bible_available("engKJV2006eb")),
                    reason="Debian packages sword-text-sparv / sword-text-kjv not installed")
def test_bible_verse_pairs():
    data = build_parallel(ParallelConfig(cache_dir=str(ROOT / "runs" / "cache")))
    s = data.stats
    assert s["pairs"] == 31084  # every non-empty RV1909 verse has a KJV verse with the same id
    assert s["test"] + s["valid"] + s["train"] == s["pairs"] and 700 < s["test"] < 1200
    assert not {p.id for p in data.test} & {p.id for p in data.train}
    assert 30 < data.max_src_len < 80 and 30 < data.max_trg_len < 90  # 99th percentile of verse lengths
    assert s["cut_train_pairs"] < 0.03 * s["train"]
