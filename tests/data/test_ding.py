"""Ding `de :: en` lines -> single-word pairs of aligned sub-entries."""

import pytest

from decoder_head.data import parse_ding_line, read_ding
from decoder_head.errors import DecoderHeadError

GEHEN = ("gehen {vi} | gehend | gegangen | er/sie geht :: to go {went; gone} | going | gone | he/she goes")


def test_sub_entries_pair_by_position_and_verbs_lose_to():
    assert parse_ding_line(GEHEN) == [("gehen", "go"), ("gehend", "going"), ("gegangen", "gone")]


def test_synonyms_pair_all_with_all_and_notes_go():
    line = "Aalreuse {f}; Aalkorb {m} [agr.] | Aalreusen {pl} :: eel trap; weel [archaic] <weely> | eel traps; weels"
    assert parse_ding_line(line) == [("aalreuse", "weel"), ("aalkorb", "weel"), ("aalreusen", "weels")]


def test_abbreviations_between_slashes_go_and_abbreviated_words_are_no_words():
    # "/u./" marks the abbreviation of "und"; "usw." and "etc." are not letter runs alone.
    assert parse_ding_line("und {conj} /u./ | und so weiter; usw. :: and | and so on; etc.") == [("und", "and")]
    assert parse_ding_line("Ehe {f} | er/sie heiratet :: marriage | he/she marries") == [("ehe", "marriage")]


@pytest.mark.parametrize("line", [
    "# Version :: devel 2023-01-30",            # comment
    "Haus {n} | Häuser {pl} :: house",          # sub-entry counts differ: alignment unknown
    "no separator here",
])
def test_lines_without_pairs(line):
    assert parse_ding_line(line) == []


def test_read_ding_file_and_missing_file(tmp_path):
    path = tmp_path / "de-en"
    path.write_text("# License :: GPL\n" + GEHEN + "\nHaus {n} :: house; home\n", encoding="utf-8")
    assert read_ding(path) == {"gehen": {"go"}, "gehend": {"going"}, "gegangen": {"gone"}, "haus": {"house", "home"}}
    with pytest.raises(DecoderHeadError, match="apt-get install -y trans-de-en"):
        read_ding(tmp_path / "nowhere")
    (tmp_path / "empty").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(DecoderHeadError, match="no `de :: en` line"):
        read_ding(tmp_path / "empty")
