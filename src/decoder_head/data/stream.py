"""Corpora larger than memory: word counts and ids from passes over a file, ids in a memmap.

The in-memory path (`load_sentences` -> `split_train_valid` -> `Vocab.build` -> `encode_stream`)
holds every sentence as Python strings, ~100 bytes a token. Here a `text:` or `wikitext:`
file is read `chunk_lines` sentences at a time and never held whole:

    pass 1  count sentences (non-empty after tokenizing)            -> n
            held-out mask: split_train_valid's own seeded permutation (4 bytes a sentence, once)
    pass 2  count the words of the training sentences               -> Counter -> Vocab.from_counts
    pass 3  encode each sentence + <eos>, chunk by chunk, appended   -> train.i32, valid.i32
            to the train or the valid file (int32, little-endian)    -> np.memmap -> torch view

The ids are those of the in-memory path, token for token, and the split is the same
sentences (tests/data/test_stream.py), so switching a corpus to streaming changes no number.
The tensors are int32 views of the files (`torch.from_numpy` on a copy-on-write memmap):
`batchify` cuts them without copying; cast a window with `.long()` before it meets an
embedding or a loss.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import os
import random
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from ..errors import DecoderHeadError
from ..files import atomic_path, write_json
from .corpus import CorpusSpec
from .text import iter_text
from .tokenizer import Tokenizer
from .vocab import Vocab

STREAMABLE = ("text", "wikitext")
ID_DTYPE = np.dtype("<i4")


@dataclass(frozen=True)
class StreamConfig:
    """How a large corpus is split, counted and encoded.

    chunk_lines: sentences tokenized and encoded at a time: the bound on what is in memory
        besides the vocabulary and the held-out mask.
    valid_fraction, seed: the held-out share, chosen exactly as `split_train_valid` does.
    max_size, min_count: the vocabulary, as in `Vocab.build`.
    """

    chunk_lines: int = 10_000
    valid_fraction: float = 0.05
    seed: int = 0
    max_size: int | None = None
    min_count: int = 1

    def __post_init__(self) -> None:
        if self.chunk_lines < 1:
            raise DecoderHeadError(f"chunk_lines={self.chunk_lines} must be >= 1")
        if not 0.0 < self.valid_fraction < 0.5:
            raise DecoderHeadError(f"valid_fraction={self.valid_fraction} must be in (0, 0.5)")
        if self.max_size is not None and self.max_size < Vocab.n_specials:
            raise DecoderHeadError(f"max_size={self.max_size} leaves no room for the 2 special tokens; use >= 2")
        if self.min_count < 1:
            raise DecoderHeadError(f"min_count={self.min_count} must be >= 1")


@dataclass
class StreamedCorpus:
    """A corpus split, counted and encoded: the two id streams `batchify` takes, and the vocab."""

    vocab: Vocab
    train: torch.Tensor  # (N_train,) int32, memmap-backed
    valid: torch.Tensor  # (N_valid,) int32, memmap-backed
    n_sentences: int
    n_valid: int
    folder: Path


def _require_streamable(spec: CorpusSpec) -> None:
    if spec.source not in STREAMABLE:
        raise DecoderHeadError(f"corpus {spec} cannot be streamed; only text:PATH and wikitext:PATH files can "
                               "(Bibles and wiki leads fit in memory: read them with load_sentences)")


def iter_sentence_chunks(spec: CorpusSpec, tokenizer: Tokenizer, chunk_lines: int) -> Iterator[list[list[str]]]:
    """Tokenized non-empty sentences of a file, at most `chunk_lines` at a time, in file order."""
    _require_streamable(spec)
    chunk: list[list[str]] = []
    for text in iter_text(spec.name, wikitext=spec.source == "wikitext"):
        tokens = tokenizer(text)
        if tokens:
            chunk.append(tokens)
            if len(chunk) == chunk_lines:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def count_sentences(spec: CorpusSpec, tokenizer: Tokenizer, chunk_lines: int = 10_000) -> int:
    """Sentences `load_sentences` would return; a corpus without any is an error, as there."""
    n = sum(len(chunk) for chunk in iter_sentence_chunks(spec, tokenizer, chunk_lines))
    if n == 0:
        raise DecoderHeadError(f"corpus {spec} has no token with {tokenizer}; check the file's language/content")
    return n


def held_out(n: int, valid_fraction: float = 0.05, seed: int = 0) -> np.ndarray:
    """(n,) bool, True for the validation sentences `split_train_valid` picks among n.

    The same seeded `random.shuffle` of 0..n-1, on a 4-byte array instead of a list of ints
    (its draws depend only on the length, not on what is shuffled).
    """
    if not 0.0 < valid_fraction < 0.5:
        raise DecoderHeadError(f"valid_fraction={valid_fraction} must be in (0, 0.5)")
    if n < 2:
        raise DecoderHeadError(f"need at least 2 sentences to split off a validation set, got {n}")
    n_valid = min(max(1, round(n * valid_fraction)), n - 1)
    order = array.array("L" if n > 2**32 - 1 else "I", range(n))
    random.Random(seed).shuffle(order)
    mask = np.zeros(n, dtype=bool)
    mask[np.frombuffer(order, dtype=order.typecode, count=n_valid)] = True
    return mask


def count_words(spec: CorpusSpec, tokenizer: Tokenizer, skip: np.ndarray | None = None,
                chunk_lines: int = 10_000) -> Counter[str]:
    """Word counts of the corpus, leaving out sentence i where skip[i] (the held-out ones)."""
    counts: Counter[str] = Counter()
    start = 0
    for chunk in iter_sentence_chunks(spec, tokenizer, chunk_lines):
        skipped = [False] * len(chunk) if skip is None else skip[start : start + len(chunk)].tolist()
        for tokens, s in zip(chunk, skipped):
            if not s:
                counts.update(tokens)
        start += len(chunk)
    return counts


def _as_tensor(path: Path) -> torch.Tensor:
    """A read-from-disk int32 view: copy-on-write, so torch gets a writable array and the file stays as is."""
    if path.stat().st_size == 0:
        return torch.zeros(0, dtype=torch.int32)
    return torch.from_numpy(np.memmap(path, dtype=ID_DTYPE, mode="c"))


def _encode_parts(spec: CorpusSpec, vocab: Vocab, tokenizer: Tokenizer, paths: list[Path],
                  part: np.ndarray | None, chunk_lines: int) -> list[int]:
    """One pass: sentence i's ids + <eos> appended to paths[part[i]] (-1: to none; part None: all to paths[0]).

    Each file is written under a temporary name and renamed when the pass finished, so an
    interrupted encode leaves no half-written id file. Returns the ids written per file.
    """
    eos, unk, stoi = vocab.eos_id, vocab.unk_id, vocab.stoi
    written = [0] * len(paths)
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(open(stack.enter_context(atomic_path(p)), "wb")) for p in paths]
        start = 0
        for chunk in iter_sentence_chunks(spec, tokenizer, chunk_lines):
            parts = np.zeros(len(chunk), dtype=np.int8) if part is None else part[start : start + len(chunk)]
            buffers: list[list[int]] = [[] for _ in paths]
            for tokens, k in zip(chunk, parts.tolist()):
                if k >= 0:
                    buffers[k].extend([stoi.get(t, unk) for t in tokens])
                    buffers[k].append(eos)
            for k, ids in enumerate(buffers):
                np.asarray(ids, dtype=ID_DTYPE).tofile(files[k])
                written[k] += len(ids)
            start += len(chunk)
    return written


def encode_to_memmap(spec: CorpusSpec, vocab: Vocab, tokenizer: Tokenizer, path: str | os.PathLike,
                     keep: np.ndarray | None = None, chunk_lines: int = 10_000) -> torch.Tensor:
    """The ids `encode_stream` gives (each sentence + <eos>), of the sentences i with keep[i]
    (all when None), written to `path` chunk by chunk; returned as an int32 tensor view of the file."""
    part = None if keep is None else np.where(keep, 0, -1).astype(np.int8)
    _encode_parts(spec, vocab, tokenizer, [Path(path)], part, chunk_lines)
    return _as_tensor(Path(path))


def _fingerprint(spec: CorpusSpec, tokenizer: Tokenizer, cfg: StreamConfig, vocab: Vocab | None) -> str:
    """What the cached ids depend on: the file (path, size, mtime), the tokenizer, the split and
    the vocabulary (its settings, or the given table itself)."""
    stat = Path(spec.name).stat()
    table = None if vocab is None else hashlib.sha1("\n".join(vocab.itos).encode()).hexdigest()
    key = {"spec": str(spec), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
           "tokenizer": asdict(tokenizer), "split": [cfg.valid_fraction, cfg.seed],
           "vocab": [cfg.max_size, cfg.min_count] if table is None else table}
    return hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]


def stream_corpus(spec: CorpusSpec, tokenizer: Tokenizer, cache_dir: str | os.PathLike,
                  cfg: StreamConfig = StreamConfig(), vocab: Vocab | None = None) -> StreamedCorpus:
    """Split, count and encode a large file once; later calls reuse `<cache_dir>/stream/<label>-<key>/`.

    `vocab`: encode with this table instead of counting one (recovery re-reads the LM's corpus
    with the LM's own vocabulary).

    The folder holds vocab.json, train.i32, valid.i32 and meta.json; meta.json is written last,
    so a folder without it (an interrupted run) is rebuilt.
    """
    _require_streamable(spec)
    if not Path(spec.name).is_file():
        raise DecoderHeadError(f"{spec.name}: file not found; pass the path of an existing text file")
    folder = Path(cache_dir) / "stream" / f"{spec.label()}-{_fingerprint(spec, tokenizer, cfg, vocab)}"
    meta_path = folder / "meta.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return StreamedCorpus(Vocab.load(folder / "vocab.json"), _as_tensor(folder / "train.i32"),
                              _as_tensor(folder / "valid.i32"), meta["n_sentences"], meta["n_valid"], folder)
    n = count_sentences(spec, tokenizer, cfg.chunk_lines)
    mask = held_out(n, cfg.valid_fraction, cfg.seed)
    if vocab is None:
        vocab = Vocab.from_counts(count_words(spec, tokenizer, mask, cfg.chunk_lines), cfg.max_size, cfg.min_count)
    vocab.save(folder / "vocab.json")
    n_train_ids, n_valid_ids = _encode_parts(spec, vocab, tokenizer, [folder / "train.i32", folder / "valid.i32"],
                                             mask.astype(np.int8), cfg.chunk_lines)
    n_valid = int(mask.sum())
    write_json(meta_path, {"spec": str(spec), "n_sentences": n, "n_valid": n_valid, "train_ids": n_train_ids,
                           "valid_ids": n_valid_ids, "config": asdict(cfg)})
    return StreamedCorpus(vocab, _as_tensor(folder / "train.i32"), _as_tensor(folder / "valid.i32"),
                          n, n_valid, folder)
