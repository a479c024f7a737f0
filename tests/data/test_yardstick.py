"""Yardsticks: the frequency filter, the split by source word, the files; the checked-in ones."""

from collections import Counter
from pathlib import Path

import pytest

from decoder_head.data import read_muse
from decoder_head.data.sword import bible_available
from decoder_head.data.yardstick import YARDSTICKS, Yardstick, build, filter_by_counts, main, split_by_source
from decoder_head.errors import DecoderHeadError
from decoder_head.files import read_json

ROOT = Path(__file__).resolve().parents[2]
BLI = ROOT / "data" / "bli"


def test_filter_keeps_pairs_with_both_words_frequent():
    gold = {"casa": {"house", "home"}, "perro": {"dog"}, "gato": {"cat"}}
    es = {"casa": 3, "perro": 5, "gato": 2}
    en = {"house": 3, "home": 2, "dog": 1, "cat": 9}
    assert filter_by_counts(gold, Counter(es), Counter(en), 3) == {"casa": {"house"}}


def test_split_is_deterministic_disjoint_and_by_source_word():
    pairs = {f"w{i:03d}": {f"t{i}", f"u{i}"} for i in range(100)}
    train, test = split_by_source(pairs)
    assert (train, test) == split_by_source(dict(reversed(list(pairs.items()))))  # input order is irrelevant
    assert len(test) == 30 and len(train) == 70 and not set(train) & set(test)
    assert {**train, **test} == pairs
    assert split_by_source(pairs, seed=1)[1] != test


def test_build_writes_muse_files_and_counts(tmp_path):
    (tmp_path / "xx.txt").write_text("casa casa casa perro perro perro gato\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("house house house dog dog dog cat cat cat\n", encoding="utf-8")
    y = Yardstick("xx-en.test", f"text:{tmp_path / 'xx.txt'}", f"text:{tmp_path / 'en.txt'}", "freedict-es-en",
                  test_fraction=0.5)
    gold = {"casa": {"house", "home"}, "perro": {"dog"}, "gato": {"cat"}}
    stats = build(y, tmp_path / "bli", cache_dir=None, gold=gold)
    full = read_muse(tmp_path / "bli" / "xx-en.test.full.txt")
    train, test = (read_muse(tmp_path / "bli" / f"xx-en.test.{p}.txt") for p in ("train", "test"))
    assert full == {"casa": {"house"}, "perro": {"dog"}} and {**train, **test} == full and len(test) == 1
    assert stats["full"] == {"pairs": 2, "source_words": 2} and stats["source_tokens"] == 7
    assert read_json(tmp_path / "bli" / "yardsticks.json")["xx-en.test"] == stats


def test_build_without_overlap_fails_and_writes_nothing(tmp_path):
    (tmp_path / "a.txt").write_text("uno dos tres\n", encoding="utf-8")
    y = Yardstick("none", f"text:{tmp_path / 'a.txt'}", f"text:{tmp_path / 'a.txt'}", "freedict-es-en")
    with pytest.raises(DecoderHeadError, match="no gold pair"):
        build(y, tmp_path / "bli", cache_dir=None, gold={"casa": {"house"}})
    assert not (tmp_path / "bli").exists()


def test_unknown_gold_and_command_errors():
    with pytest.raises(DecoderHeadError, match="gold"):
        Yardstick("x", "text:a", "text:b", "wiktionary")
    with pytest.raises(SystemExit):
        main(["no-such-yardstick"])


@pytest.mark.parametrize("name", sorted(YARDSTICKS))
def test_checked_in_yardsticks_match_their_counts(name):
    """The files in data/bli are what yardsticks.json says: sizes, and train/test a split of full."""
    stats = read_json(BLI / "yardsticks.json")[name]
    full, train, test = (read_muse(BLI / f"{name}.{p}.txt") for p in ("full", "train", "test"))
    assert {**train, **test} == full and not set(train) & set(test)
    for part, pairs in (("full", full), ("train", train), ("test", test)):
        assert stats[part] == {"pairs": sum(map(len, pairs.values())), "source_words": len(pairs)}
    assert (train, test) == split_by_source(full, stats["test_fraction"], stats["seed"])


@pytest.mark.bible
@pytest.mark.skipif(not (bible_available("engKJV2006eb") and bible_available("spaRV1909eb")
                         and Path("/usr/share/dictd/freedict-spa-eng.index").is_file()),
                    reason="needs sword-text-kjv, sword-text-sparv, dict-freedict-{spa-eng,eng-spa}")
def test_es_en_bible_rebuilds_byte_for_byte(tmp_path):
    # The pipeline's text cache when `make run` made it (read only: a second), else a fresh read (~90 s).
    cache = ROOT / "runs" / "cache"
    if not all((cache / f"{m}.tsv").is_file() for m in ("engKJV2006eb", "spaRV1909eb")):
        cache = tmp_path / "cache"
    build(YARDSTICKS["es-en.bible"], tmp_path, cache_dir=str(cache))
    for part in ("full", "train", "test"):
        assert (tmp_path / f"es-en.bible.{part}.txt").read_bytes() == (BLI / f"es-en.bible.{part}.txt").read_bytes()


def test_command_prints_one_error_line(monkeypatch, capsys):
    from decoder_head.data import yardstick

    def missing(*args, **kwargs):
        raise DecoderHeadError("/usr/share/trans/de-en: Ding dictionary not found; install it as root with `x`")

    monkeypatch.setattr(yardstick, "build", missing)
    assert main(["de-en.bible"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("decoder-head: error: /usr/share/trans/de-en") and err.count("\n") == 1


def test_en_es_bible_is_the_es_en_bible_read_the_other_way():
    """Same corpora, same gold pairs, same count rule: only the direction (and so the split) differs."""
    from decoder_head.data.dictionary import invert

    es_en, en_es = (read_muse(BLI / f"{name}.full.txt") for name in ("es-en.bible", "en-es.bible"))
    assert invert(es_en) == en_es and invert(en_es) == es_en
    assert set(read_muse(BLI / "en-es.bible.test.txt")) != set(invert(read_muse(BLI / "es-en.bible.test.txt")))
