"""Word tokenizer shared by corpora, vocabularies and dictionaries.

Everything that compares words (LM vocabularies, BLI gold pairs) must cut text the same
way, so there is exactly one tokenizer and it is deliberately simple.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LETTERS = re.compile(r"[^\W\d_]+")
_LETTERS_OR_DIGITS = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True)
class Tokenizer:
    """Split text into maximal runs of Unicode letters.

    Why this rule: it is how the BLI dictionaries in shared/data/bli were built, so a
    vocabulary made with the default tokenizer lines up with the gold pairs.

    - Letters include accented ones: "fué", "á", "ezechîas" stay whole.
    - Anything that is not a letter separates tokens, apostrophes included:
      "god's" -> ["god", "s"] (DATA.md lists this stray "s" as a known leftover).
    - `lowercase` (default) lowercases every token.
    - `keep_numbers` also emits runs of digits ("3", "1909") as tokens; by default
      digits are separators, as are "_" and punctuation.
    """

    lowercase: bool = True
    keep_numbers: bool = False

    def __call__(self, text: str) -> list[str]:
        pattern = _LETTERS_OR_DIGITS if self.keep_numbers else _LETTERS
        tokens = pattern.findall(text)
        if self.lowercase:
            tokens = [t.lower() for t in tokens]
        return tokens
