import builtins

import pytest

from decoder_head.data import bible_available, clean_osis, read_bible
from decoder_head.data.sword import CANON
from decoder_head.errors import DecoderHeadError

WEB_GEN_1_1 = (
    '<w lemma="strong:H0430">In</w> <w lemma="strong:H0853">the</w> '
    '<w lemma="strong:H7225">beginning</w>, <w lemma="strong:H0430">God</w>'
    '<note placement="foot"><reference type="annotateRef">1:1 </reference>The Hebrew word '
    'rendered “God” is “אֱלֹהִ֑ים” (Elohim).</note><w lemma="strong:H1254">created</w> '
    '<w lemma="strong:H0853">the</w> <w lemma="strong:H8064">heavens</w> '
    '<w lemma="strong:H0430">and</w> <w lemma="strong:H0853">the</w> '
    '<w lemma="strong:H0776">earth</w>. '
)


def test_note_content_replaced_by_space_not_glued():
    assert clean_osis(WEB_GEN_1_1) == "In the beginning, God created the heavens and the earth."
    assert clean_osis('<w lemma="strong:H0430">God</w><note placement="foot"><reference '
                      'type="annotateRef">1:1 </reference>The Hebrew word ...</note>'
                      '<w lemma="strong:H1254">created</w>') == "God created"


def test_titles_rdg_catchword_dropped():
    raw = ('<title canonical="true" type="psalm">A Psalm of David.</title>The LORD '
           '<note type="variant"><catchWord>is</catchWord><rdg>was</rdg></note>is my shepherd')
    assert clean_osis(raw) == "The LORD is my shepherd"


def test_self_closing_tags_become_spaces():
    raw = ('<div type="x-milestone" subType="x-preverse" sID="pv1"/>God<div sID="gen26" '
           'type="x-p"/>said<lb/>let <chapter eID="Gen.1"/>')
    assert clean_osis(raw) == "God said let"


def test_entities_kjv_markers_and_whitespace():
    raw = ('the \\nd <w lemma="strong:H3068">LORD</w>\\+nd*, Tom &amp; Jerry &lt;x&gt;'
           ' <transChange type="added">was</transChange>\n  here ')
    assert clean_osis(raw) == "the LORD , Tom & Jerry <x> was here"


def test_canon_has_66_books():
    assert len(CANON) == 66 == len(set(CANON))
    assert CANON[0] == "Gen" and CANON[39] == "Matt" and CANON[-1] == "Rev"


def test_missing_sword_dir_names_apt_fix(tmp_path):
    assert not bible_available("spaRV1909eb", str(tmp_path / "nowhere"))
    with pytest.raises(DecoderHeadError, match="apt-get install -y sword-text-kjv"):
        read_bible("spaRV1909eb", sword_dir=str(tmp_path / "nowhere"))


def test_missing_module_names_package(tmp_path):
    (tmp_path / "mods.d").mkdir()
    (tmp_path / "modules").mkdir()
    assert not bible_available("engKJV2006eb", str(tmp_path))
    with pytest.raises(DecoderHeadError, match="sword-text-kjv"):
        read_bible("engKJV2006eb", sword_dir=str(tmp_path))


def test_missing_pysword_says_pip_install(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pysword(name, *args, **kwargs):
        if name.startswith("pysword"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pysword)
    with pytest.raises(DecoderHeadError, match="pip install pysword"):
        read_bible("spaRV1909eb", sword_dir=str(tmp_path))


def test_cache_is_read_without_pysword(tmp_path):
    (tmp_path / "fakeMod.tsv").write_text(
        "Gen.1.1\tot\tIn the beginning\nMatt.1.1\tnt\tThe book\n", encoding="utf-8"
    )
    verses = read_bible("fakeMod", sword_dir=str(tmp_path / "none"), cache_dir=str(tmp_path))
    assert [(v.id, v.testament, v.text) for v in verses] == [
        ("Gen.1.1", "ot", "In the beginning"),
        ("Matt.1.1", "nt", "The book"),
    ]
