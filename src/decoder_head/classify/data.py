"""Labelled verses, the held-out split, and how words enter the body.

    SWORD Bible (id, text) --tokenize--> Verse(id, tokens, label = book group of the id)
                                            |
                                            ├─ split_of(id) == test   -> test    (never trained on)
                                            ├─ split_of(id) == valid  -> valid   (model selection)
                                            └─ otherwise              -> train

    tokens --Lexical.encode--> [<eos>, w1 .. wn] row ids --Lexical.table--> emb (B, T, d) -> body

A `Lexical` is the swappable part: the English LM's vocabulary and table, the decoder head's
Spanish vocabulary and induced table, or a lexicon lookup (Spanish word -> English row). The
split is the seq2seq rule (a hash of the id alone), so the English and Spanish test verses are
the same verses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

import torch

from ..data.corpus import CorpusSpec
from ..data.sword import read_bible
from ..data.tokenizer import Tokenizer
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from ..seq2seq.data import split_of
from .config import TaskConfig
from .labels import group_of

TOKENIZER = Tokenizer()  # the LM's tokenizer: the same words get the same rows


@dataclass(frozen=True)
class Verse:
    id: str
    tokens: tuple[str, ...]
    label: int  # index into labels.LABELS


@dataclass
class Splits:
    train: list[Verse]
    valid: list[Verse]
    test: list[Verse]


def read_labelled(spec: str, cache_dir: str | None, sword_dir: str = "/usr/share/sword") -> list[Verse]:
    """Every non-empty verse of a SWORD Bible, tokenized and labelled by book group."""
    corpus = CorpusSpec.parse(spec)
    if corpus.source != "sword":
        raise DecoderHeadError(f"{spec}: book-group labels come from verse ids (Gen.1.1); use a sword:MODULE "
                               "corpus (a text file's lines have numbers, not verse ids)")
    verses = [Verse(v.id, tuple(TOKENIZER(v.text)), group_of(v.id))
              for v in read_bible(corpus.name, sword_dir=sword_dir, cache_dir=cache_dir)
              if corpus.testament in ("all", v.testament)]
    verses = [v for v in verses if v.tokens]
    if not verses:
        raise DecoderHeadError(f"{spec}: no verse with words in it")
    return verses


def split_verses(verses: Sequence[Verse], task: TaskConfig) -> Splits:
    """Train / valid / test by a hash of each verse id alone (seq2seq.data.split_of)."""
    parts: dict[str, list[Verse]] = {"train": [], "valid": [], "test": []}
    for v in verses:
        parts[split_of(v.id, task.valid_fraction, task.test_fraction, task.split_seed)].append(v)
    for name, part in parts.items():
        if not part:
            raise DecoderHeadError(f"{len(verses)} verses leave no {name} verse with task.valid_fraction="
                                   f"{task.valid_fraction} and task.test_fraction={task.test_fraction}")
    return Splits(**parts)


@dataclass
class Lexical:
    """How words enter the body: each word's row id and the rows (V, d) in the body's input space."""

    name: str
    stoi: Mapping[str, int]
    table: torch.Tensor  # (V, d), frozen
    unk_id: int
    eos_id: int

    @classmethod
    def from_vocab(cls, name: str, vocab: Vocab, table: torch.Tensor) -> Lexical:
        if table.size(0) != len(vocab):
            raise DecoderHeadError(f"{name}: table has {table.size(0)} rows for a {len(vocab)}-word vocabulary")
        return cls(name, vocab.stoi, table.detach(), vocab.unk_id, vocab.eos_id)

    @property
    def dim(self) -> int:
        return self.table.size(1)

    def encode(self, tokens: Sequence[str], max_len: int) -> list[int]:
        """<eos> first: the LM read every verse after the previous one's <eos>."""
        return [self.eos_id] + [self.stoi.get(t, self.unk_id) for t in tokens[:max_len]]

    def unk_rate(self, verses: Sequence[Verse], max_len: int) -> float:
        """Share of the verses' words that enter the body as <unk>."""
        ids = [i for v in verses for i in self.encode(v.tokens, max_len)[1:]]
        return sum(i == self.unk_id for i in ids) / max(1, len(ids))


def embed(lexical: Lexical, verses: Sequence[Verse], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Verses -> (emb (B, T, d), lengths (B,)). Padding (the <eos> row) trails each verse: the
    body reads left to right, so it never changes a real position; pooling masks it out."""
    ids = [lexical.encode(v.tokens, max_len) for v in verses]
    lengths = torch.tensor([len(x) for x in ids])
    padded = torch.full((len(ids), int(lengths.max())), lexical.eos_id, dtype=torch.long)
    for i, x in enumerate(ids):
        padded[i, : len(x)] = torch.tensor(x)
    return lexical.table[padded], lengths


def labels_of(verses: Sequence[Verse]) -> torch.Tensor:
    return torch.tensor([v.label for v in verses], dtype=torch.long)


def length_batches(verses: Sequence[Verse], batch_size: int) -> Iterator[list[int]]:
    """Indices in batches of similar length (longest first): little padding when scoring."""
    order = sorted(range(len(verses)), key=lambda i: -len(verses[i].tokens))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def same_ids(*parts: Sequence[Verse]) -> list[list[Verse]]:
    """Each list cut to the verse ids all of them have, in the first list's order: rows scored
    on the same verses (RV1909 lacks 18 KJV verses)."""
    shared = set.intersection(*({v.id for v in p} for p in parts))
    out = []
    for p in parts:
        by_id = {v.id: v for v in p}
        out.append([by_id[v.id] for v in parts[0] if v.id in shared])
    return out
