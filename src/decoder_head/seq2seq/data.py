"""Parallel verse pairs: joined by verse id, split by id, cut at a length percentile, batched.

    Spanish RV1909  (id, text) ─┐
                                ├─ join on id ─> Pair(id, src tokens, trg tokens)
    English KJV     (id, text) ─┘       │
                                        ├─ hash(seed, id) < test_fraction        -> test
                                        ├─ hash(seed, id) < test + valid fraction -> valid
                                        └─ otherwise                              -> train

The split depends on each id alone, never on what else is in the corpus: adding or
dropping verses moves no held-out verse into training. Vocabularies and the length cap
(99th percentile, as the fast.ai translation lesson did) come from the training pairs only.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np
import torch

from ..data.corpus import CorpusSpec
from ..data.sword import read_bible
from ..data.text import _read_lines  # keeps blank lines, so line numbers stay ids
from ..data.tokenizer import Tokenizer
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from .config import ParallelConfig

TOKENIZER = Tokenizer()
PAD_TARGET = -100  # ignored by cross_entropy


@dataclass(frozen=True)
class Pair:
    id: str
    src: tuple[str, ...]
    trg: tuple[str, ...]


def read_verses(spec: str, sword_dir: str = "/usr/share/sword", cache_dir: str | None = None) -> list[tuple[str, str]]:
    """(id, text) of a corpus: verse ids for SWORD Bibles, 1-based line numbers for text files."""
    corpus = CorpusSpec.parse(spec)
    if corpus.source == "sword":
        verses = read_bible(corpus.name, sword_dir=sword_dir, cache_dir=cache_dir)
        return [(v.id, v.text) for v in verses if corpus.testament in ("all", v.testament)]
    if corpus.source == "text":
        return [(str(i), line) for i, line in enumerate(_read_lines(corpus.name), 1) if line.strip()]
    raise DecoderHeadError(f"{spec}: a parallel corpus needs ids per line; use sword:MODULE or text:PATH "
                           "(line-aligned files, the line number is the id)")


def pair_verses(src: Sequence[tuple[str, str]], trg: Sequence[tuple[str, str]],
                tokenizer: Tokenizer = TOKENIZER) -> list[Pair]:
    """Join two (id, text) lists on id, in source order; unpaired or tokenless verses are dropped."""
    targets: dict[str, str] = {}
    for verse_id, text in trg:
        if verse_id in targets:
            raise DecoderHeadError(f"target corpus has verse id {verse_id!r} twice; ids must be unique")
        targets[verse_id] = text
    pairs, seen = [], set()
    for verse_id, text in src:
        if verse_id in seen:
            raise DecoderHeadError(f"source corpus has verse id {verse_id!r} twice; ids must be unique")
        seen.add(verse_id)
        if verse_id not in targets:
            continue
        s, t = tokenizer(text), tokenizer(targets[verse_id])
        if s and t:
            pairs.append(Pair(verse_id, tuple(s), tuple(t)))
    return pairs


def split_of(verse_id: str, valid_fraction: float, test_fraction: float, seed: int = 0) -> str:
    """'train' | 'valid' | 'test' from a hash of (seed, id) alone."""
    digest = hashlib.sha256(f"{seed}:{verse_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64  # uniform in [0, 1)
    if u < test_fraction:
        return "test"
    return "valid" if u < test_fraction + valid_fraction else "train"


def length_cap(lengths: Sequence[int], percentile: float) -> int:
    return max(1, int(np.ceil(np.percentile(np.asarray(lengths), percentile))))


@dataclass
class ParallelData:
    """Splits, vocabularies and length caps; references (`Pair.trg`) are never cut."""

    train: list[Pair]
    valid: list[Pair]
    test: list[Pair]
    src_vocab: Vocab
    trg_vocab: Vocab
    max_src_len: int  # training sources (and every input at translation time) are cut here
    max_trg_len: int
    stats: dict = field(default_factory=dict)


def build_parallel(cfg: ParallelConfig) -> ParallelData:
    """Read both corpora, pair, split, measure the caps and build the vocabularies."""
    src = read_verses(cfg.src, cfg.sword_dir, cfg.cache_dir)
    trg = read_verses(cfg.trg, cfg.sword_dir, cfg.cache_dir)
    pairs = pair_verses(src, trg)
    if not pairs:
        raise DecoderHeadError(f"{cfg.src} and {cfg.trg} share no verse id with text on both sides")
    parts: dict[str, list[Pair]] = {"train": [], "valid": [], "test": []}
    for p in pairs:
        parts[split_of(p.id, cfg.valid_fraction, cfg.test_fraction, cfg.split_seed)].append(p)
    for name in ("train", "test"):
        if not parts[name]:
            raise DecoderHeadError(f"{len(pairs)} pairs leave no {name} pair with these split fractions; "
                                   "use more data or change data.valid_fraction / data.test_fraction")
    train = parts["train"]
    max_src = length_cap([len(p.src) for p in train], cfg.length_percentile)
    max_trg = length_cap([len(p.trg) for p in train], cfg.length_percentile)
    cut = [Pair(p.id, p.src[:max_src], p.trg[:max_trg]) for p in train]
    src_sents, trg_sents = [list(p.src) for p in cut], [list(p.trg) for p in cut]
    if cfg.shared_vocab:
        src_vocab = trg_vocab = Vocab.build(src_sents + trg_sents, cfg.src_vocab_size + cfg.trg_vocab_size,
                                            cfg.min_count)
    else:
        src_vocab = Vocab.build(src_sents, cfg.src_vocab_size, cfg.min_count)
        trg_vocab = Vocab.build(trg_sents, cfg.trg_vocab_size, cfg.min_count)
    stats = {
        "src_verses": len(src), "trg_verses": len(trg), "pairs": len(pairs),
        "train": len(train), "valid": len(parts["valid"]), "test": len(parts["test"]),
        "max_src_len": max_src, "max_trg_len": max_trg,
        "cut_train_pairs": sum(1 for p in train if len(p.src) > max_src or len(p.trg) > max_trg),
        "src_vocab": len(src_vocab), "trg_vocab": len(trg_vocab),
        "src_unk_rate_test": src_vocab.unk_rate([list(p.src) for p in parts["test"]]),
        "trg_unk_rate_test": trg_vocab.unk_rate([list(p.trg) for p in parts["test"]]),
    }
    return ParallelData(cut, parts["valid"], parts["test"], src_vocab, trg_vocab, max_src, max_trg, stats)


@dataclass
class Batch:
    """Padded tensors, batch first. The decoder reads `<eos>` as its start symbol (as fairseq).

        src     (B, S)  source ids + <eos>, padded with <eos> (masked by src_len)
        src_len (B,)    true lengths including the <eos>
        trg_in  (B, T)  <eos> y1 .. yn            (decoder input, teacher forcing)
        trg_out (B, T)  y1 .. yn <eos>, pad = -100 (loss target)
    """

    src: torch.Tensor
    src_len: torch.Tensor
    trg_in: torch.Tensor
    trg_out: torch.Tensor

    @property
    def n_tokens(self) -> int:
        return int((self.trg_out != PAD_TARGET).sum())


def encode_source(tokens: Sequence[str], vocab: Vocab, max_len: int) -> list[int]:
    return vocab.encode(tokens[:max_len]) + [vocab.eos_id]


def make_batch(pairs: Sequence[Pair], src_vocab: Vocab, trg_vocab: Vocab, max_src: int, max_trg: int) -> Batch:
    srcs = [encode_source(p.src, src_vocab, max_src) for p in pairs]
    trgs = [trg_vocab.encode(p.trg[:max_trg]) for p in pairs]
    eos = trg_vocab.eos_id
    B, S, T = len(pairs), max(map(len, srcs)), max(map(len, trgs)) + 1
    src = torch.full((B, S), src_vocab.eos_id, dtype=torch.long)
    trg_in = torch.full((B, T), eos, dtype=torch.long)
    trg_out = torch.full((B, T), PAD_TARGET, dtype=torch.long)
    for i, (s, t) in enumerate(zip(srcs, trgs)):
        src[i, : len(s)] = torch.tensor(s)
        trg_in[i, 1 : len(t) + 1] = torch.tensor(t, dtype=torch.long)
        trg_out[i, : len(t) + 1] = torch.tensor(t + [eos], dtype=torch.long)
    return Batch(src, torch.tensor([len(s) for s in srcs]), trg_in, trg_out)


def sortish_batches(n: int, lengths: Sequence[int], batch_size: int, seed: int) -> list[list[int]]:
    """Shuffled batches of similar-length items (fastai's SortishSampler): shuffle, sort
    chunks of 50 batches by length, cut, shuffle the batches. Less padding, still random."""
    rng = random.Random(seed)
    order = list(range(n))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches = []
    for start in range(0, n, chunk):
        part = sorted(order[start : start + chunk], key=lambda i: -lengths[i])
        batches += [part[j : j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def epoch_batches(data: ParallelData, batch_size: int, epoch: int, seed: int) -> Iterator[Batch]:
    lengths = [len(p.src) for p in data.train]
    for idx in sortish_batches(len(data.train), lengths, batch_size, seed * 100003 + epoch):
        yield make_batch([data.train[i] for i in idx], data.src_vocab, data.trg_vocab,
                         data.max_src_len, data.max_trg_len)
