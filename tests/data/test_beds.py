"""data.beds: each named test bed as run-config overrides; a cipher bed's files made on first use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from decoder_head.config import load_run_config
from decoder_head.data import beds
from decoder_head.data.cipher import encipher
from decoder_head.data.dictionary import read_muse
from decoder_head.errors import DecoderHeadError

ROOT = Path(__file__).resolve().parents[2]


def test_every_plain_bed_has_its_yardstick_in_the_repository():
    for name, bed in beds.BEDS.items():
        if bed.cipher_of is None:
            assert all((ROOT / bed.split(s)).is_file() for s in ("train", "test")), name


def test_a_bed_sets_both_corpora_the_language_codes_and_the_test_split():
    cfg = load_run_config("default", beds.BEDS["en-es.bible"].overrides())
    assert (cfg.lm.corpus, cfg.induce.corpus) == ("sword:spaRV1909eb", "sword:engKJV2006eb")
    assert tuple(cfg.languages) == ("en", "es") and cfg.eval.dictionary == "data/bli/en-es.bible.test.txt"
    ot_nt = load_run_config("default", beds.BEDS["es-en.ot-nt"].overrides())
    assert ot_nt.lm.corpus == "sword:engKJV2006eb:ot" and ot_nt.eval.dictionary == "data/bli/es-en.bible.test.txt"
    wiki = beds.BEDS["es-en.wiki.cipher"]
    assert wiki.text == "text:runs/beds/cipher/wikileads-es.hy.txt" and wiki.lm == "wikileads:en"
    assert wiki.split("test") == "runs/beds/cipher/es-en.wiki.test.txt" and wiki.cipher_of == "es-en.wiki"


def test_an_unknown_bed_is_one_error_naming_the_beds():
    with pytest.raises(DecoderHeadError, match="es-en.bible"):
        beds.get_bed("xx-en.bible")


def test_a_cipher_bed_is_written_from_its_plain_bed_once(tmp_path, monkeypatch):
    """`prepare` enciphers the plain bed's B text and yardstick under root; a plain bed needs nothing."""
    (tmp_path / "data/bli").mkdir(parents=True)
    for split in ("train", "test"):
        shutil.copy(ROOT / "tests/fixtures/tiny.es-en.txt", tmp_path / f"data/bli/tiny.{split}.txt")
    plain = beds.Bed("text:en.txt", f"text:{ROOT}/tests/fixtures/tiny.es.txt", ("es", "en"), "data/bli/tiny")
    monkeypatch.setitem(beds.BEDS, "tiny", plain)
    monkeypatch.setitem(beds.BEDS, "tiny.cipher", beds._ciphered("tiny", plain, "tiny.hy.txt"))
    assert beds.prepare("tiny", tmp_path) is plain and not (tmp_path / "runs").exists()
    bed = beds.prepare("tiny.cipher", tmp_path)
    assert (tmp_path / bed.text.removeprefix("text:")).is_file()
    gold = read_muse(tmp_path / "data/bli/tiny.test.txt")
    assert read_muse(tmp_path / bed.split("test")) == {encipher(s): ts for s, ts in gold.items()}
