import gzip
from pathlib import Path

import pytest

from decoder_head.data import (
    decode_dictd_number,
    freedict_de_en,
    freedict_es_en,
    merge,
    parse_tei_entry,
    parse_dictd_entry,
    read_dictd,
    read_muse,
    write_muse,
)
from decoder_head.data.dictionary import _B64
from decoder_head.errors import DecoderHeadError

FIXTURES = Path(__file__).parent / "fixtures"


def _encode(n: int) -> str:
    digits = ""
    while True:
        digits = _B64[n % 64] + digits
        n //= 64
        if n == 0:
            return digits


def _write_dictd(folder: Path, name: str, entries: list[tuple[str, str]]) -> None:
    """A tiny dictd pair: header entry + `entries` (index headword, entry text)."""
    body, index = b"", []
    for headword, text in [("00databaseinfo", "00-database-info\nsome info\n")] + entries:
        data = text.encode("utf-8")
        index.append(f"{headword}\t{_encode(len(body))}\t{_encode(len(data))}\n")
        body += data
    (folder / f"{name}.index").write_text("".join(index), encoding="utf-8")
    with gzip.open(folder / f"{name}.dict.dz", "wb") as f:
        f.write(body)


def test_decode_dictd_number():
    assert decode_dictd_number("A") == 0
    assert decode_dictd_number("B") == 1
    assert decode_dictd_number("/") == 63
    assert decode_dictd_number("BA") == 64
    assert decode_dictd_number("CgE") == 2 * 64 * 64 + 32 * 64 + 4
    with pytest.raises(DecoderHeadError):
        decode_dictd_number("A-")


def test_parse_entry_skips_headword_pronunciation_and_sense_numbers():
    entry = "a /ˈa/\n1. at, to; toward (motion)\n2. in,  inside\n"
    assert parse_dictd_entry(entry) == ["at", "to", "toward", "in", "inside"]
    assert parse_dictd_entry("rayos x\n/rˈaʝos/\nX-rays\n") == ["X-rays"]


def test_read_dictd_merges_repeated_headwords(tmp_path):
    _write_dictd(tmp_path, "t", [("a", "a /ə/\n1. un, una\n"), ("a", "a /əlɔt/\nmucho\n"),
                                 ("spain", "Spain /spein/\nEspaña\n")])
    d = read_dictd(tmp_path / "t.index", tmp_path / "t.dict.dz")
    assert d == {"a": ["un", "una", "mucho"], "spain": ["España"]}


def test_freedict_es_en_merges_both_directions(tmp_path):
    _write_dictd(tmp_path, "freedict-spa-eng", [
        ("casa", "casa /kˈasa/\nhouse, home\n"),
        ("a bordo", "a bordo /a βˈoɾðo/\naboard\n"),          # multi-word headword: skipped
        ("rayos x", "rayos x /rˈaʝos/\nX‐rays\n"),
    ])
    _write_dictd(tmp_path, "freedict-eng-spa", [
        ("house", "house /haus/\ncasa, vivienda\n"),
        ("spain", "Spain /spein/\nEspaña\n"),
        ("moment", "moment /moumənt/\nun momento\n"),         # multi-word translation: skipped
    ])
    assert freedict_es_en(tmp_path) == {
        "casa": {"house", "home"}, "vivienda": {"house"}, "españa": {"spain"},
    }


def test_freedict_missing_names_apt_fix(tmp_path):
    with pytest.raises(DecoderHeadError, match="dict-freedict-eng-spa dict-freedict-spa-eng"):
        freedict_es_en(tmp_path)


def test_read_muse_tab_or_space_lowercased():
    assert read_muse(FIXTURES / "muse.txt") == {
        "dios": {"god"}, "casa": {"house", "home"}, "tierra": {"earth", "land"},
    }
    assert "Casa" in read_muse(FIXTURES / "muse.txt", lowercase=False)


def test_read_muse_malformed_line_names_line_number(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("casa house\n\nperro dog hound\n", encoding="utf-8")
    with pytest.raises(DecoderHeadError, match=r"bad.txt:3"):
        read_muse(path)


def test_read_muse_empty_or_missing(tmp_path):
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    with pytest.raises(DecoderHeadError, match="empty.txt"):
        read_muse(tmp_path / "empty.txt")
    with pytest.raises(DecoderHeadError, match="nope.txt"):
        read_muse(tmp_path / "nope.txt")


def test_write_muse_round_trip_sorted(tmp_path):
    pairs = {"tierra": {"land", "earth"}, "casa": {"house"}}
    write_muse(tmp_path / "d.txt", pairs)
    assert (tmp_path / "d.txt").read_text(encoding="utf-8") == (
        "casa house\ntierra earth\ntierra land\n"
    )
    assert read_muse(tmp_path / "d.txt") == pairs


TEI_BROT = ('Brot /bɾˈoːt/ <neut, n, sg>\nbread <n>\n      "Der Mensch lebt nicht vom Brot allein. (Bibel)"  - '
            'Man does not live by bread alone. (Bible)\n see: {Brote}, {Bauernbrot}\n')


def test_parse_tei_entry_skips_examples_notes_and_references():
    assert parse_tei_entry(TEI_BROT) == ("Brot", ["bread"])
    entry = ("Durchsatzmenge /dˈʊɐ̯çzatsmɛŋə/ <fem, n, sg>\nprocess throughput <n>, throughput <n>\n"
             "         Note: of a factory/conveyor/pipeline etc.\n   Synonyms: {Durchleistung}, {Durchsatz}\n\n"
             " [techn.] output <n>; yield (of a plant) <n>\n")
    assert parse_tei_entry(entry) == ("Durchsatzmenge", ["process throughput", "throughput", "output", "yield"])
    assert parse_tei_entry("go /ɡˈəʊ/ (went /wˈɛnt/ <>, gone /ɡˈɒn/ <>) <v>\narbeiten, führen <v>\n")[0] == "go"


def test_freedict_de_en_merges_both_directions_by_entry_headword(tmp_path):
    _write_dictd(tmp_path, "freedict-deu-eng", [
        ("brot", TEI_BROT),
        ("adur", "A-Dur /ˈaːduːɐ̯/ <neut, n>\nA major <n>\n"),     # index "adur" is no word: skipped
        ("haus", "Haus /haʊ̯s/ <neut, n, sg>\nhouse <n>, home <n>\n"),
    ])
    _write_dictd(tmp_path, "freedict-eng-deu", [
        ("house", "house /haʊs/ <n>\nGebäude <neut>, Haus <neut>\n"),
        ("go", "go /ɡˈəʊ/ (went /wˈɛnt/ <>) <v>\nvor sich gehen <v>\n"),  # multi-word translation: skipped
    ])
    assert freedict_de_en(tmp_path) == {"brot": {"bread"}, "haus": {"house", "home"}, "gebäude": {"house"}}


def test_freedict_de_en_missing_names_apt_fix(tmp_path):
    with pytest.raises(DecoderHeadError, match="dict-freedict-deu-eng dict-freedict-eng-deu"):
        freedict_de_en(tmp_path)


def test_merge_is_a_union():
    assert merge({"a": {"x"}}, {"a": {"y"}, "b": {"z"}}, {}) == {"a": {"x", "y"}, "b": {"z"}}
