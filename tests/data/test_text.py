from pathlib import Path

import pytest

from decoder_head.data import read_plain_text, read_wikitext
from decoder_head.errors import DecoderHeadError

FIXTURES = Path(__file__).parent / "fixtures"


def test_plain_text_one_line_per_sentence():
    assert read_plain_text(FIXTURES / "plain.txt") == [
        "En el principio crió Dios los cielos y la tierra.",
        "Y dijo Dios: Sea la luz: y fué la luz.",
    ]


def test_wikitext_drops_headings_unk_and_unescapes():
    assert read_wikitext(FIXTURES / "wiki.tokens") == [
        "Senjō no Valkyria 3 : Chronicles is a tactical role-playing game . "
        "It sold 1,000 copies , version 2.0 .",
        "As with previous games , the player fights .",
    ]


@pytest.mark.parametrize("reader", [read_plain_text, read_wikitext])
def test_missing_empty_and_binary_files_fail_with_path(reader, tmp_path):
    cases = {
        "missing.txt": None,
        "empty.txt": b" \n\n\t\n",
        "nul.txt": b"hello\x00world\n",
        "latin1.txt": "canción\n".encode("latin-1"),
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(DecoderHeadError, match=name):
            reader(path)


def test_wikitext_with_only_headings_fails(tmp_path):
    path = tmp_path / "h.tokens"
    path.write_text(" = Title = \n = = Sub = = \n", encoding="utf-8")
    with pytest.raises(DecoderHeadError, match="h.tokens"):
        read_wikitext(path)
