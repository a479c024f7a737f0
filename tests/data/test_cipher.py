"""data.cipher: Spanish in Armenian letters, word for word, nothing merged, written once."""

from __future__ import annotations

from pathlib import Path

from decoder_head.data import cipher
from decoder_head.data.dictionary import read_muse, write_muse
from decoder_head.data.tokenizer import Tokenizer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_cipher_is_one_armenian_letter_per_letter_and_keeps_every_token():
    assert len(set(cipher.ARMENIAN)) == len(cipher.LATIN) == len(set(cipher.LATIN))
    assert all(c.isalpha() and c.lower() == c and 0x561 <= ord(c) <= 0x586 for c in cipher.ARMENIAN)
    text = "Y dijo Dios: Sea la luz; y fué la luz. ¡Oh Señor, pingüino 1909!"
    tokens, hidden = Tokenizer()(text), Tokenizer()(cipher.encipher(text))
    assert len(hidden) == len(tokens)
    assert dict(zip(tokens, hidden)) == {t: cipher.encipher(t) for t in tokens}  # word for word
    assert len(set(hidden)) == len(set(tokens))  # nothing merges
    assert not any(c.isascii() and c.isalpha() for c in "".join(hidden))  # no Latin letter is left to match


def test_letters_outside_the_table_get_letters_of_their_own():
    """Greek, Cyrillic, macrons and Armenian itself in the Spanish leads: each becomes one Yi
    syllable, so no token keeps a letter the English side could share and nothing merges."""
    text = "Kōbō y Ωmega; ԱՐՄԱՆ, ārman y армян: aռ"
    table = cipher.table_for(text)
    tokens, hidden = Tokenizer()(text), Tokenizer()(cipher.encipher(text, table))
    assert len(hidden) == len(tokens) and len(set(hidden)) == len(set(tokens))
    assert all(set(h).isdisjoint(set(t)) for t, h in zip(tokens, hidden))  # every letter renamed
    yi = {chr(cipher.YI + i) for i in range(1165)}
    assert set(cipher.encipher("ōωաа", table)) <= yi and len(set(cipher.encipher("ōωաа", table))) == 4
    assert cipher.table_for("y dijo dios") == cipher.TABLE  # RV1909's letters: the fixed table alone


def test_text_and_yardstick_are_written_once_with_one_table(tmp_path, monkeypatch):
    gold = {"casa": {"house", "home"}, "señor": {"lord"}}
    for split in ("train", "test"):
        write_muse(tmp_path / f"es-en.{split}.txt", gold)
    out = tmp_path / "cipher"
    cipher.write_cipher(f"text:{FIXTURES}/tiny.es.txt", tmp_path / "es-en", out / "tiny.hy.txt", out / "es-en")
    plain = (FIXTURES / "tiny.es.txt").read_text(encoding="utf-8")
    text = (out / "tiny.hy.txt").read_text(encoding="utf-8")
    assert Tokenizer()(text) == [cipher.encipher(t) for t in Tokenizer()(plain)]
    test = read_muse(out / "es-en.test.txt")
    assert test == {cipher.encipher("casa"): {"house", "home"}, cipher.encipher("señor"): {"lord"}}
    assert sorted(p.name for p in out.iterdir()) == ["es-en.test.txt", "es-en.train.txt", "tiny.hy.txt"]

    def no_export(*args, **kwargs):
        raise AssertionError("the bed was written again")

    monkeypatch.setattr(cipher, "export_text", no_export)
    cipher.write_cipher(f"text:{FIXTURES}/tiny.es.txt", tmp_path / "es-en", out / "tiny.hy.txt", out / "es-en")
