"""Token streams and BPTT windows, the layout of pytorch/examples' word_language_model.

A corpus becomes one stream (sentences joined by <eos>), cut into B equal columns:

    stream  a b c d e f g h i j k l m n o p q r s t u v w x     (B = 4)
    batch   | a g m s |        window t: rows [t*bptt, (t+1)*bptt) of every column,
            | b h n t |        target = the same rows shifted down by one.
            | c i o u |        Column j continues in the next window, so the recurrent
            | d j p v |        state carries across windows (detached).
            | e k q w |
            | f l r x |
"""

from __future__ import annotations

from typing import Iterator

import torch

from ..data.vocab import Vocab
from ..errors import DecoderHeadError


def encode_stream(sentences: list[list[str]], vocab: Vocab) -> torch.Tensor:
    """All sentences as one 1-D id stream, each followed by <eos>."""
    eos = vocab.stoi[vocab.EOS]
    ids: list[int] = []
    for sent in sentences:
        ids.extend(vocab.encode(sent))
        ids.append(eos)
    return torch.tensor(ids, dtype=torch.long)


def batchify(stream: torch.Tensor, batch_size: int) -> torch.Tensor:
    """(N,) -> (B, N // B): row j is the j-th contiguous slice of the stream."""
    n = stream.numel() // batch_size
    if n < 2:
        raise DecoderHeadError(
            f"corpus too small: {stream.numel()} tokens for batch size {batch_size}"
        )
    return stream[: n * batch_size].view(batch_size, n)


def window_at(batched: torch.Tensor, bptt: int, j: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Window j: (inputs (B, t), targets (B, t)), t <= bptt, as int64 ids (a streamed corpus
    keeps int32 ids on disk; only the window in use is widened)."""
    i = j * bptt
    t = min(bptt, batched.size(1) - 1 - i)
    return batched[:, i : i + t].long(), batched[:, i + 1 : i + 1 + t].long()


def windows(batched: torch.Tensor, bptt: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield every window in order (see window_at)."""
    for j in range(n_windows(batched, bptt)):
        yield window_at(batched, bptt, j)


def n_windows(batched: torch.Tensor, bptt: int) -> int:
    return (batched.size(1) - 2) // bptt + 1
