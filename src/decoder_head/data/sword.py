"""Bibles from SWORD modules (Debian `sword-text-*`), read with pysword into clean verses.

The Bible is the default testbed: the same verse ids line up across KJV, WEB and RV1909,
which gives two monolingual corpora with matching content (and a parallel corpus).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DecoderHeadError
from ..files import atomic_path

# The 66-book Protestant canon, in order (OSIS names, as in the KJV module). WEB also
# ships deuterocanonical books under 'ot'; they are dropped so all modules line up.
CANON: tuple[str, ...] = (
    "Gen", "Exod", "Lev", "Num", "Deut", "Josh", "Judg", "Ruth", "1Sam", "2Sam",
    "1Kgs", "2Kgs", "1Chr", "2Chr", "Ezra", "Neh", "Esth", "Job", "Ps", "Prov",
    "Eccl", "Song", "Isa", "Jer", "Lam", "Ezek", "Dan", "Hos", "Joel", "Amos",
    "Obad", "Jonah", "Mic", "Nah", "Hab", "Zeph", "Hag", "Zech", "Mal",
    "Matt", "Mark", "Luke", "John", "Acts", "Rom", "1Cor", "2Cor", "Gal", "Eph",
    "Phil", "Col", "1Thess", "2Thess", "1Tim", "2Tim", "Titus", "Phlm", "Heb", "Jas",
    "1Pet", "2Pet", "1John", "2John", "3John", "Jude", "Rev",
)
_CANON_SET = frozenset(CANON)

# Debian package that installs each known module: the fix we name when one is missing.
PACKAGES: dict[str, str] = {
    "engKJV2006eb": "sword-text-kjv",
    "engWEB2015eb": "sword-text-web",
    "spaRV1909eb": "sword-text-sparv",
}
_INSTALL = "apt-get install -y sword-text-kjv sword-text-web sword-text-sparv"

# Elements whose whole content is not verse text (footnotes, headings, variant readings).
_DROPPED = re.compile(r"<(note|title|rdg|catchWord)\b[^>]*(?<!/)>.*?</\1\s*>", re.S)
_SELF_CLOSING = re.compile(r"<[^<>]*/>")
_TAG = re.compile(r"<[^<>]*>")
_KJV_MARKER = re.compile(r"\\\+?nd\*?")  # raw USFM divine-name markers left in KJV notes
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Verse:
    """One verse: id like "Gen.1.1", testament "ot"/"nt", cleaned plain text."""

    id: str
    testament: str
    text: str


def clean_osis(raw: str) -> str:
    """OSIS XML of a verse -> plain text, without gluing neighbouring words.

    pysword's own cleaning deletes notes with '' and so glues "God<note>..</note>created"
    into "godcreated"; here dropped content and milestones become a space instead.
    """
    text, previous = raw, None
    while text != previous:  # repeat: a dropped element may sit inside another one
        previous, text = text, _DROPPED.sub(" ", text)
    text = _SELF_CLOSING.sub(" ", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _KJV_MARKER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def bible_available(module: str, sword_dir: str = "/usr/share/sword") -> bool:
    """Cheap check (no parsing) that a module is installed and pysword importable."""
    try:
        import pysword  # noqa: F401
    except ImportError:
        return False
    mods = Path(sword_dir) / "mods.d"
    if not mods.is_dir():
        return False
    return any(p.name.lower() == f"{module.lower()}.conf" for p in mods.iterdir())


def _missing_module_error(module: str, sword_dir: str) -> DecoderHeadError:
    package = PACKAGES.get(module)
    hint = f" (Debian package {package})" if package else ""
    return DecoderHeadError(
        f"SWORD module {module!r}{hint} not found in {sword_dir}; "
        f"install it as root with `{_INSTALL}` or pass the right sword_dir"
    )


def _read_with_pysword(module: str, sword_dir: str) -> list[Verse]:
    """The slow path (~30-45 s a module): decode every canonical verse with pysword."""
    try:
        from pysword.modules import SwordModules
    except ImportError:
        raise DecoderHeadError("pysword is not installed; run `pip install pysword`") from None
    if not Path(sword_dir).is_dir():
        raise _missing_module_error(module, sword_dir)
    modules = SwordModules(sword_dir)
    try:
        found = modules.parse_modules()
    except Exception:  # pysword raises bare exceptions on a broken folder
        raise _missing_module_error(module, sword_dir) from None
    if module not in found:
        raise _missing_module_error(module, sword_dir)
    bible = modules.get_bible_from_module(module)
    books = bible.get_structure().get_books()
    verses = []
    for testament in ("ot", "nt"):
        for book in books.get(testament, []):
            if book.osis_name not in _CANON_SET:
                continue
            ids = [
                f"{book.osis_name}.{chapter}.{verse}"
                for chapter, n_verses in enumerate(book.chapter_lengths, 1)
                for verse in range(1, n_verses + 1)
            ]
            raws = list(bible.get_iter(books=[book.name], clean=False))
            if len(raws) != len(ids):
                raise DecoderHeadError(
                    f"{module}: {book.osis_name} yields {len(raws)} verses but its "
                    f"versification has {len(ids)}; reinstall the module with `{_INSTALL}`"
                )
            for verse_id, raw in zip(ids, raws):
                text = clean_osis(raw)
                if text:  # RV1909 has 18 empty verses (different numbering)
                    verses.append(Verse(verse_id, testament, text))
    return verses


def _write_cache(path: Path, verses: list[Verse]) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            for v in verses:
                f.write(f"{v.id}\t{v.testament}\t{v.text}\n")


def _read_cache(path: Path) -> list[Verse] | None:
    """Cached verses, or None when the cache is unreadable (it is then rebuilt)."""
    verses = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) != 3 or fields[1] not in ("ot", "nt") or not fields[2]:
                    return None
                verses.append(Verse(*fields))
    except (OSError, UnicodeDecodeError):
        return None
    return verses or None


def read_bible(
    module: str, sword_dir: str = "/usr/share/sword", cache_dir: str | None = None
) -> list[Verse]:
    """All non-empty verses of the 66-book canon, in order, optionally cached as TSV.

    The cache `<cache_dir>/<module>.tsv` (id, testament, text) turns a ~40 s pysword read
    into a fraction of a second; a corrupt cache is silently rebuilt.
    """
    cache = Path(cache_dir) / f"{module}.tsv" if cache_dir is not None else None
    if cache is not None and cache.is_file():
        verses = _read_cache(cache)
        if verses is not None:
            return verses
    verses = _read_with_pysword(module, sword_dir)
    if not verses:
        raise DecoderHeadError(f"{module}: no verse text found; reinstall with `{_INSTALL}`")
    if cache is not None:
        _write_cache(cache, verses)
    return verses
