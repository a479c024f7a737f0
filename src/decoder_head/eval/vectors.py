"""word2vec text-format vectors: the interchange format VecMap, MUSE and gensim all read.

Format:
    n dim                      <- header: number of rows, dimension
    word v1 v2 ... vdim        <- one row per word, the word up to the first space
Our writer uses `%.6f`; the reader is strict (any malformed line is an error naming the
path and line number) because a silently truncated or misaligned file gives wrong BLI
numbers that look plausible.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from ..errors import DecoderHeadError
from ..files import atomic_path


def write_word2vec(path: str | os.PathLike, words: list[str], emb: torch.Tensor | np.ndarray) -> None:
    """Write vectors in word2vec text format, atomically (nothing is left on failure)."""
    mat = emb.detach().cpu().numpy() if isinstance(emb, torch.Tensor) else np.asarray(emb)
    if mat.ndim != 2:
        raise DecoderHeadError(f"{path}: embeddings must be 2-D, got shape {mat.shape}")
    if len(words) != mat.shape[0]:
        raise DecoderHeadError(f"{path}: {len(words)} words but {mat.shape[0]} embedding rows")
    for i, w in enumerate(words):
        if not w or any(c.isspace() for c in w):
            raise DecoderHeadError(f"{path}: word {i} ({w!r}) is empty or contains whitespace")
    row_fmt = " ".join(["%.6f"] * mat.shape[1])
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"{mat.shape[0]} {mat.shape[1]}\n")
        for w, row in zip(words, mat.astype(np.float64).tolist()):
            f.write(f"{w} {row_fmt % tuple(row)}\n" if row else f"{w}\n")


def read_word2vec(
    path: str | os.PathLike,
    max_words: int | None = None,
    expected_dim: int | None = None,
) -> tuple[list[str], torch.Tensor, dict]:
    """Read word2vec text vectors -> (words, float32 (n, dim) matrix, stats).

    Duplicate words keep their first vector (counted in stats["skipped_duplicates"]).
    `max_words` stops after that many distinct words; when it stops reading early the header
    count is not checked, otherwise the header count must equal the rows present.
    Blank lines are ignored.
    """
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise DecoderHeadError(f"{path}: file not found") from None
    except OSError as exc:
        raise DecoderHeadError(f"{path}: cannot open ({exc.strerror})") from None

    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    stats = {"skipped_duplicates": 0, "skipped_bad_rows": 0}
    n_header = dim = -1
    n_rows = 0
    stopped_early = False

    with f:
        for lineno, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8", errors="strict")
            except UnicodeDecodeError as exc:
                raise DecoderHeadError(
                    f"{path}:{lineno}: not valid UTF-8 (byte {exc.start} of the line)"
                ) from None
            if lineno == 1:
                n_header, dim = _parse_header(path, line.lstrip("\ufeff"))
                if expected_dim is not None and dim != expected_dim:
                    raise DecoderHeadError(f"{path}: vectors have dim {dim}, expected {expected_dim}")
                continue
            if not line.strip():
                continue
            if max_words is not None and len(words) >= max_words:
                stopped_early = True
                break
            n_rows += 1
            word, _, rest = line.rstrip("\r\n").partition(" ")
            values = rest.split()
            if not word:
                raise DecoderHeadError(f"{path}:{lineno}: row starts with a space (empty word)")
            if len(values) != dim:
                raise DecoderHeadError(
                    f"{path}:{lineno}: row has {len(values)} values, header says dim {dim}"
                )
            if word in seen:
                stats["skipped_duplicates"] += 1
                continue
            try:
                vec = np.array([float(v) for v in values], dtype=np.float32)
            except ValueError:
                raise DecoderHeadError(f"{path}:{lineno}: non-numeric value in row for {word!r}") from None
            if not np.isfinite(vec).all():
                raise DecoderHeadError(f"{path}:{lineno}: non-finite value (nan/inf) in row for {word!r}")
            seen.add(word)
            words.append(word)
            rows.append(vec)

    if n_header < 0:
        raise DecoderHeadError(f"{path}: empty file, expected a word2vec header 'n dim'")
    if not stopped_early and n_rows != n_header:
        raise DecoderHeadError(
            f"{path}: header says {n_header} vectors but the file has {n_rows} rows (truncated or wrong header?)"
        )
    mat = np.stack(rows) if rows else np.zeros((0, dim), dtype=np.float32)
    return words, torch.from_numpy(mat), stats


def _parse_header(path: str | os.PathLike, line: str) -> tuple[int, int]:
    """'n dim' -> (n, dim); anything else is an error on line 1."""
    parts = line.split()
    try:
        if len(parts) != 2:
            raise ValueError
        n, dim = int(parts[0]), int(parts[1])
    except ValueError:
        shown = line.strip()[:60]
        raise DecoderHeadError(
            f"{path}:1: header must be two integers 'n dim', got {shown!r}"
        ) from None
    if n < 0 or dim < 1:
        raise DecoderHeadError(f"{path}:1: header 'n dim' must have n >= 0 and dim >= 1, got {n} {dim}")
    return n, dim
