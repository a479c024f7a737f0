"""benchmarks/cipher.py: the es-en bed in Armenian letters, and beds.py's es-en.cipher bed."""

from __future__ import annotations

from pathlib import Path

import torch

from bench_module import load
from decoder_head.data.dictionary import read_muse, write_muse
from decoder_head.data.tokenizer import Tokenizer

ROOT = Path(__file__).resolve().parents[2]


def test_the_cipher_is_one_armenian_letter_per_letter_and_keeps_every_token():
    cipher = load("cipher")
    assert len(set(cipher.ARMENIAN)) == len(cipher.LATIN) == len(set(cipher.LATIN))
    assert all(c.isalpha() and c.lower() == c and 0x561 <= ord(c) <= 0x586 for c in cipher.ARMENIAN)
    text = "Y dijo Dios: Sea la luz; y fué la luz. ¡Oh Señor, pingüino 1909!"
    tokens, hidden = Tokenizer()(text), Tokenizer()(cipher.encipher(text))
    assert len(hidden) == len(tokens)
    assert dict(zip(tokens, hidden)) == {t: cipher.encipher(t) for t in tokens}  # word for word
    assert len(set(hidden)) == len(set(tokens))  # nothing merges
    assert not any(c.isascii() and c.isalpha() for c in "".join(hidden))  # no Latin letter is left to match


def test_letters_outside_the_table_get_letters_of_their_own(tmp_path):
    """Greek, Cyrillic, macrons and Armenian itself in the Spanish leads: each becomes one Yi
    syllable, so no token keeps a letter the English side could share and nothing merges."""
    cipher = load("cipher")
    text = "Kōbō y Ωmega; ԱՐՄԱՆ, ārman y армян: aռ"
    table = cipher.table_for(text)
    tokens, hidden = Tokenizer()(text), Tokenizer()(cipher.encipher(text, table))
    assert len(hidden) == len(tokens) and len(set(hidden)) == len(set(tokens))
    assert all(set(h).isdisjoint(set(t)) for t, h in zip(tokens, hidden))  # every letter renamed
    yi = {chr(cipher.YI + i) for i in range(1165)}
    assert set(cipher.encipher("ōωաа", table)) <= yi and len(set(cipher.encipher("ōωաа", table))) == 4
    assert cipher.table_for("y dijo dios") == cipher.TABLE  # RV1909's letters: the fixed table alone


def test_the_bed_is_written_once_with_its_yardstick_enciphered(tmp_path, monkeypatch):
    cipher = load("cipher")
    (tmp_path / "data").mkdir()
    gold = {"casa": {"house", "home"}, "señor": {"lord"}}
    for split in ("train", "test"):
        write_muse(tmp_path / f"data/es-en.{split}.txt", gold)
    monkeypatch.setitem(cipher.BEDS, "tiny", cipher.CipherBed(f"text:{ROOT}/tests/fixtures/tiny.es.txt",
                                                             "data/es-en", "tiny.hy.txt"))
    cipher.write_bed("tiny", tmp_path)
    plain = (ROOT / "tests/fixtures/tiny.es.txt").read_text(encoding="utf-8")
    text = (tmp_path / cipher.BEDS["tiny"].text).read_text(encoding="utf-8")
    assert Tokenizer()(text) == [cipher.encipher(t) for t in Tokenizer()(plain)]
    test = read_muse(tmp_path / f"{cipher.BEDS['tiny'].yardstick}.test.txt")
    assert test == {cipher.encipher("casa"): {"house", "home"}, cipher.encipher("señor"): {"lord"}}
    assert sorted(p.name for p in (tmp_path / cipher.FOLDER).iterdir()) == [
        "es-en.test.txt", "es-en.train.txt", "tiny.hy.txt"]  # no plain copy left behind

    def no_export(*args, **kwargs):
        raise AssertionError("the bed was written again")

    monkeypatch.setattr(cipher, "export_text", no_export)
    cipher.write_bed("tiny", tmp_path)  # already there: nothing is rewritten


def test_the_cipher_bed_reads_its_text_and_yardstick_and_has_no_identical_strings_row(monkeypatch, capsys):
    beds = load("beds")
    cfg = beds.bed_config("es-en.cipher", 1)
    assert cfg.induce.corpus == "text:runs/beds/cipher/spaRV1909eb.hy.txt" and cfg.lm.corpus == "sword:engKJV2006eb"
    assert cfg.eval.dictionary == "runs/beds/cipher/es-en.bible.test.txt"
    wiki = beds.bed_config("es-en.wiki.cipher", 0)
    assert wiki.induce.corpus == "text:runs/beds/cipher/wikileads-es.hy.txt" and wiki.lm.corpus == "wikileads:en"
    assert wiki.eval.dictionary == "runs/beds/cipher/es-en.wiki.test.txt"
    assert beds.bed_config("es-en.ot-nt", 0).eval.dictionary == "data/bli/es-en.bible.test.txt"
    sw, tw = ["աբ", "գդ"], ["ab", "cd"]
    monkeypatch.setattr(beds, "aligned_spaces", lambda cfg, workdir: (sw, torch.eye(2), tw, torch.eye(2)))
    monkeypatch.setattr(beds, "train_split", lambda cfg: {"աբ": {"ab"}})
    identical, pairs = beds.OPTIONAL["identical"], beds.OPTIONAL["pairs"]
    seeds = beds.seeds_without_decoder_head(cfg, ROOT / "runs", {identical, pairs})
    assert seeds == {pairs: {"աբ": "ab"}}
    assert "no row" in capsys.readouterr().err
