"""Integration test on the real Debian packages (one ~40 s Bible read per session)."""

import time

import pytest

from decoder_head.data import (
    CorpusSpec,
    Tokenizer,
    bible_available,
    freedict_es_en,
    load_sentences,
    read_bible,
)
from decoder_head.errors import DecoderHeadError

pytestmark = pytest.mark.bible

MODULE = "spaRV1909eb"


@pytest.fixture(scope="module")
def rv1909(tmp_path_factory):
    if not bible_available(MODULE):
        pytest.skip(f"{MODULE} not installed (apt-get install -y sword-text-sparv; pip install pysword)")
    cache = tmp_path_factory.mktemp("bible-cache")
    return read_bible(MODULE, cache_dir=str(cache)), cache


def test_rv1909_verses_and_cache(rv1909):
    verses, cache = rv1909
    assert len(verses) == 31102 - 18  # 18 RV1909 verses are empty
    assert verses[0].id == "Gen.1.1" and verses[0].testament == "ot"
    assert verses[0].text == "EN el principio crió Dios los cielos y la tierra."
    assert verses[-1].id.startswith("Rev.22.") and verses[-1].testament == "nt"
    assert sum(v.testament == "nt" for v in verses) == 7955
    assert all(v.text and "<" not in v.text for v in verses)

    cache_file = cache / f"{MODULE}.tsv"
    assert cache_file.is_file()
    start = time.perf_counter()
    again = read_bible(MODULE, sword_dir="/nonexistent", cache_dir=str(cache))  # cache only
    assert time.perf_counter() - start < 5
    assert again == verses

    nt = load_sentences(CorpusSpec.parse(f"sword:{MODULE}:nt"), Tokenizer(), cache_dir=str(cache))
    assert len(nt) == 7955 and nt[0][:2] == ["libro", "de"]


def test_freedict_es_en_size():
    try:
        pairs = freedict_es_en()
    except DecoderHeadError as exc:  # a missing package is a skip, not a failure
        pytest.skip(f"FreeDict not installed: {exc}")
    n_pairs = sum(len(t) for t in pairs.values())
    assert 8900 <= n_pairs <= 9200  # DATA.md: 9,058
    assert pairs["dios"] == {"god"} and "house" in pairs["casa"]
