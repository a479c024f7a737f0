"""Book groups of Bible verses, read off the verse id: a labelled task that costs nothing.

Seven groups, the traditional division of the 66-book canon as English Bibles print it
(each a run of consecutive books, so a label is a function of the book alone):

    Law               Gen-Deut     laws and the patriarchs' narrative       ~5,900 KJV verses
    History           Josh-Esth    narrative of kings and wars              ~7,000
    Wisdom            Job-Song     poetry: psalms, proverbs                 ~4,800
    Prophets          Isa-Mal      oracles ("thus saith the LORD")          ~5,500
    Gospels and Acts  Matt-Acts    narrative of Jesus and the apostles      ~4,800
    Epistles          Rom-Jude     letters                                  ~2,800
    Revelation        Rev          apocalyptic vision                          ~400

Why these: each group has a genre and a vocabulary of its own, so the task asks what a verse
is about and how it speaks, not which words it spells; yet neighbours are hard to tell apart
(Genesis reads like Samuel, Psalms like Isaiah), so it is not solved by one keyword. Revelation
is 1.3% of the verses: macro-F1 weighs it like the others.
"""

from __future__ import annotations

from ..errors import DecoderHeadError

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Law", ("Gen", "Exod", "Lev", "Num", "Deut")),
    ("History", ("Josh", "Judg", "Ruth", "1Sam", "2Sam", "1Kgs", "2Kgs", "1Chr", "2Chr", "Ezra", "Neh", "Esth")),
    ("Wisdom", ("Job", "Ps", "Prov", "Eccl", "Song")),
    ("Prophets", ("Isa", "Jer", "Lam", "Ezek", "Dan", "Hos", "Joel", "Amos", "Obad", "Jonah", "Mic", "Nah",
                  "Hab", "Zeph", "Hag", "Zech", "Mal")),
    ("Gospels and Acts", ("Matt", "Mark", "Luke", "John", "Acts")),
    ("Epistles", ("Rom", "1Cor", "2Cor", "Gal", "Eph", "Phil", "Col", "1Thess", "2Thess", "1Tim", "2Tim", "Titus",
                  "Phlm", "Heb", "Jas", "1Pet", "2Pet", "1John", "2John", "3John", "Jude")),
    ("Revelation", ("Rev",)),
)
LABELS: tuple[str, ...] = tuple(name for name, _ in GROUPS)
_GROUP_OF_BOOK = {book: i for i, (_, books) in enumerate(GROUPS) for book in books}


def book_of(verse_id: str) -> str:
    """'1Sam.3.10' -> '1Sam' (OSIS ids, as data.sword writes them)."""
    return verse_id.split(".", 1)[0]


def group_of(verse_id: str) -> int:
    """The index in LABELS of the verse's book group."""
    book = book_of(verse_id)
    if book not in _GROUP_OF_BOOK:
        raise DecoderHeadError(f"verse id {verse_id!r}: book {book!r} is not one of the 66 canonical books "
                               "(book groups need OSIS verse ids like Gen.1.1: use a sword:MODULE corpus)")
    return _GROUP_OF_BOOK[book]
