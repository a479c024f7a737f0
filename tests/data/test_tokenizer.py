from decoder_head.data import Tokenizer


def test_letter_runs_lowercased_with_accents_kept():
    assert Tokenizer()("Y dijo Dios: Sea la luz: y fué la luz, á Ezechîas.") == [
        "y", "dijo", "dios", "sea", "la", "luz", "y", "fué", "la", "luz", "á", "ezechîas",
    ]


def test_apostrophes_split_straight_and_curly():
    assert Tokenizer()("God's Spirit") == ["god", "s", "spirit"]
    assert Tokenizer()("God’s") == ["god", "s"]


def test_case_kept_when_asked():
    assert Tokenizer(lowercase=False)("EN el Principio") == ["EN", "el", "Principio"]


def test_numbers_are_separators_unless_kept():
    assert Tokenizer()("chapter 12, verse3_x") == ["chapter", "verse", "x"]
    assert Tokenizer(keep_numbers=True)("chapter 12, verse3") == ["chapter", "12", "verse", "3"]


def test_empty_and_punctuation_only():
    assert Tokenizer()("") == []
    assert Tokenizer()(" .,;: 123 ") == []
