"""Word vocabulary: ids for the LM, frequency ranks for evaluation by frequency band.

The build is deterministic (count descending, ties alphabetical) so two runs on the same
corpus give the same ids, and a checkpoint's vocab JSON rebuilds the exact table.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any, Iterable

from ..errors import DecoderHeadError
from ..files import read_json, write_json


class Vocab:
    """Specials first (`<unk>` = 0, `<eos>` = 1), then words by descending corpus count."""

    UNK = "<unk>"
    EOS = "<eos>"
    n_specials = 2

    def __init__(self, itos: list[str], counts: list[int]) -> None:
        if itos[: self.n_specials] != [self.UNK, self.EOS]:
            raise DecoderHeadError(f"vocab must start with {self.UNK!r}, {self.EOS!r}; rebuild it")
        if len(counts) != len(itos):
            raise DecoderHeadError(f"vocab has {len(itos)} words but {len(counts)} counts; rebuild it")
        if len(set(itos)) != len(itos):
            raise DecoderHeadError("vocab has duplicate words; rebuild it")
        self.itos = list(itos)
        self.counts = [int(c) for c in counts]
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    @classmethod
    def build(
        cls, sentences: list[list[str]], max_size: int | None = None, min_count: int = 1
    ) -> Vocab:
        """Count words; keep those seen >= min_count times, at most max_size ids in all."""
        return cls.from_counts(Counter(w for sentence in sentences for w in sentence), max_size, min_count)

    @classmethod
    def from_counts(
        cls, counter: Counter[str], max_size: int | None = None, min_count: int = 1
    ) -> Vocab:
        """The same table as `build`, from word counts made elsewhere (a streamed pass over a file)."""
        if max_size is not None and max_size < cls.n_specials:
            raise DecoderHeadError(f"max_size={max_size} leaves no room for the 2 special tokens; use >= 2")
        if min_count < 1:
            raise DecoderHeadError(f"min_count={min_count} must be >= 1")
        ranked = sorted(  # a literal "<unk>"/"<eos>" in text is unknown, not a word
            ((w, c) for w, c in counter.items() if c >= min_count and w not in (cls.UNK, cls.EOS)),
            key=lambda wc: (-wc[1], wc[0]),
        )
        if max_size is not None:
            ranked = ranked[: max_size - cls.n_specials]
        itos = [cls.UNK, cls.EOS] + [w for w, _ in ranked]
        return cls(itos, [0, 0] + [c for _, c in ranked])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, word: object) -> bool:
        return word in self.stoi

    def __repr__(self) -> str:
        return f"Vocab({len(self)} ids, top={self.words[:5]})"

    @property
    def unk_id(self) -> int:
        return 0

    @property
    def eos_id(self) -> int:
        return 1

    @property
    def words(self) -> list[str]:
        """Non-special words in rank order (most frequent first)."""
        return self.itos[self.n_specials :]

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Token strings -> ids; unknown words map to the `<unk>` id."""
        return [self.stoi.get(t, 0) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids -> token strings."""
        return [self.itos[int(i)] for i in ids]

    def rank(self, word: str) -> int | None:
        """Frequency rank among non-special words (0 = most frequent), None if absent."""
        i = self.stoi.get(word)
        if i is None or i < self.n_specials:
            return None
        return i - self.n_specials

    def unk_rate(self, sentences: list[list[str]]) -> float:
        """Fraction of tokens that would encode as `<unk>` (0.0 for no tokens)."""
        total = unknown = 0
        for sentence in sentences:
            total += len(sentence)
            unknown += sum(1 for t in sentence if self.stoi.get(t, 0) < self.n_specials)
        return unknown / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"itos": self.itos, "counts": self.counts}

    @classmethod
    def from_dict(cls, d: Any) -> Vocab:
        if not isinstance(d, dict) or not isinstance(d.get("itos"), list) or not isinstance(
            d.get("counts"), list
        ):
            raise DecoderHeadError("vocab data must be a JSON object with 'itos' and 'counts' lists; rebuild it")
        if not all(isinstance(w, str) for w in d["itos"]) or not all(
            isinstance(c, int) for c in d["counts"]
        ):
            raise DecoderHeadError("vocab 'itos' must hold strings and 'counts' integers; rebuild it")
        return cls(d["itos"], d["counts"])

    def save(self, path: str | os.PathLike) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | os.PathLike) -> Vocab:
        """Read a saved vocab; a missing or corrupt file is a DecoderHeadError naming it."""
        data = read_json(path)
        try:
            return cls.from_dict(data)
        except DecoderHeadError as exc:
            raise DecoderHeadError(f"{path}: {exc}") from None
