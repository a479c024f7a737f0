"""Book groups from verse ids: a partition of the canon in order, seven groups."""

import pytest

from decoder_head.classify.labels import GROUPS, LABELS, book_of, group_of
from decoder_head.data.sword import CANON
from decoder_head.errors import DecoderHeadError


def test_groups_cover_the_canon_once_in_order():
    books = [b for _, group in GROUPS for b in group]
    assert tuple(books) == CANON and len(books) == 66
    assert LABELS == ("Law", "History", "Wisdom", "Prophets", "Gospels and Acts", "Epistles", "Revelation")


@pytest.mark.parametrize("verse_id, label", [
    ("Gen.1.1", "Law"), ("Deut.34.12", "Law"), ("Josh.1.1", "History"), ("Esth.10.3", "History"),
    ("Ps.23.1", "Wisdom"), ("Song.8.14", "Wisdom"), ("Isa.1.1", "Prophets"), ("Lam.1.1", "Prophets"),
    ("Mal.4.6", "Prophets"), ("Matt.1.1", "Gospels and Acts"), ("Acts.28.31", "Gospels and Acts"),
    ("Rom.1.1", "Epistles"), ("1John.1.1", "Epistles"), ("Jude.1.25", "Epistles"), ("Rev.22.21", "Revelation"),
])
def test_group_of_a_verse_id(verse_id, label):
    assert LABELS[group_of(verse_id)] == label


def test_an_id_outside_the_canon_is_one_clear_error():
    assert book_of("1Sam.3.10") == "1Sam"
    with pytest.raises(DecoderHeadError, match="'Tob' is not one of the 66"):
        group_of("Tob.1.1")
    with pytest.raises(DecoderHeadError, match="sword:MODULE"):
        group_of("17")  # a text file's line number
