"""Cross-space retrieval (NN, CSLS, inverted softmax), written once for every stage.

Training (dictionary induction), evaluation (BLI) and the alignment baselines all ask the
same question: for each source row, which target rows are closest? Everything here works
on query chunks so that a V x V similarity matrix is never held in memory:

    src (n_src, d) --chunk of `chunk` rows--> (chunk, d) @ trg.T (d, n_trg) = (chunk, n_trg)
                                                   |
                                   score, keep top-k, drop the block

Peak memory is therefore O(chunk * n_trg), not O(n_src * n_trg).

`matmul_dtype=torch.bfloat16` rounds the operands of the nn cosine matmul to bf16 (products
summed in float32): ~3x faster on CPUs with AVX512-BF16 or AMX, cosines good to ~1e-3, but
~7x *slower* on CPUs without them (measured: AVX2-only AMD EPYC), where bf16 is emulated.
`shortlist_dtype()` picks bf16 only where the hardware has it. The self-learning loop uses
it to shortlist candidates; evaluation never does.

Methods (scores for a unit-length source x and target y, cos = x . y):
  nn    cos(x, y)
  csls  2 cos(x, y) - r_trg(y) - r_src(x)             (Conneau et al. 2018, eq. 6)
        r_trg(y): mean cos of y to its knn nearest sources (all sources)
        r_src(x): mean cos of x to its knn nearest targets
  isf   exp(beta cos(x, y)) / sum_x' exp(beta cos(x', y))   (Smith et al. 2017)
        i.e. a softmax over *sources* for each target column; computed in log space.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable, Iterator

import torch

from ..errors import DecoderHeadError

METHODS = ("nn", "csls", "isf")

ScoreFn = Callable[[int, int], torch.Tensor]


@functools.cache
def native_bf16() -> bool:
    """True when this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX; Linux flags)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


def shortlist_dtype(bf16: bool | None) -> torch.dtype | None:
    """The matmul dtype for cosine shortlists: bf16 if asked (True) or, for None (auto), if native."""
    use = native_bf16() if bf16 is None else bf16
    return torch.bfloat16 if use else None


def _as_float(x: torch.Tensor, name: str) -> torch.Tensor:
    """Accept any 2-D tensor; keep float64 if given (tests compare against numpy)."""
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(x)
    if x.dim() != 2:
        raise DecoderHeadError(f"{name} must be a 2-D matrix (rows = words), got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        x = x.float()
    return x


def normalize(x: torch.Tensor, center: bool = False) -> torch.Tensor:
    """Unit-length rows, so a dot product is a cosine.

    With `center`, follow VecMap's `unit center unit`: unit length, subtract the mean row,
    unit length again (centering removes the shared direction that makes every word look
    similar). Zero rows (padding, unknown words) stay exactly zero instead of turning into
    NaN, and are left out of the mean so they cannot match anything.
    """
    x = _as_float(x, "x")

    def unit(m: torch.Tensor) -> torch.Tensor:
        norms = m.norm(dim=1, keepdim=True)  # (n, 1)
        return m / norms.clamp_min(torch.finfo(m.dtype).tiny)

    out = unit(x)  # zero rows stay zero (0 / tiny)
    if center:
        zero = x.abs().sum(dim=1) == 0  # (n,)
        if (~zero).any():
            out = out - out[~zero].mean(dim=0, keepdim=True)
        out = unit(out)
        out[zero] = 0.0
    return out


def _chunks(n: int, chunk: int) -> Iterator[tuple[int, int]]:
    if chunk < 1:
        raise DecoderHeadError(f"chunk must be >= 1, got {chunk}")
    for start in range(0, n, chunk):
        yield start, min(start + chunk, n)


def mean_topk_similarity(
    queries: torch.Tensor, keys: torch.Tensor, k: int = 10, chunk: int = 4096
) -> torch.Tensor:
    """Mean cosine of each query to its k nearest keys: the r term of CSLS (hubness penalty).

    Inputs are assumed unit-normalised already; k is clipped to len(keys). Returns (n_q,).
    """
    queries = _as_float(queries, "queries")
    keys = _as_float(keys, "keys")
    _check_dims(queries, keys)
    k = min(k, keys.shape[0])
    out = torch.zeros(queries.shape[0], dtype=queries.dtype)
    if k <= 0:
        return out
    for start, end in _chunks(queries.shape[0], chunk):
        sims = queries[start:end] @ keys.T  # (c, n_keys)
        out[start:end] = sims.topk(k, dim=1).values.mean(dim=1)
    return out


def _check_dims(a: torch.Tensor, b: torch.Tensor) -> None:
    if a.shape[1] != b.shape[1]:
        raise DecoderHeadError(
            f"source and target embeddings differ in dimension: {a.shape[1]} vs {b.shape[1]}"
        )


def _column_logsumexp(src: torch.Tensor, trg: torch.Tensor, beta: float, chunk: int) -> torch.Tensor:
    """log sum_x exp(beta cos(x, y)) for every target y, accumulated over source chunks. (n_trg,)"""
    lse = torch.full((trg.shape[0],), float("-inf"), dtype=src.dtype)
    for start, end in _chunks(src.shape[0], chunk):
        block = beta * (src[start:end] @ trg.T)  # (c, n_trg)
        lse = torch.logaddexp(lse, torch.logsumexp(block, dim=0))
    return lse


def _scorer(
    src: torch.Tensor,
    trg: torch.Tensor,
    method: str,
    knn: int,
    beta: float,
    chunk: int,
    rows: torch.Tensor | None,
    matmul_dtype: torch.dtype | None = None,
) -> tuple[torch.Tensor, ScoreFn, bool]:
    """Prepare per-method statistics once; return (queries, block scorer, scores_are_log).

    The scorer maps a query row range [start, end) to its (end - start, n_trg) score block.
    Statistics that sum over *sources* (r_trg, the isf denominator) always use every source
    row, even when only `rows` are queried, as MUSE and VecMap do.
    """
    if method not in METHODS:
        raise ValueError(f"unknown retrieval method {method!r}; choose one of {', '.join(METHODS)}")
    src = normalize(_as_float(src, "src"))
    trg = normalize(_as_float(trg, "trg"))
    _check_dims(src, trg)
    queries = src if rows is None else src[torch.as_tensor(rows, dtype=torch.long)]

    if method == "nn":
        if matmul_dtype is not None and matmul_dtype != queries.dtype:
            low = trg.to(matmul_dtype)
            # The block stays low precision: topk reads half the bytes; `topk` stores float values.
            return queries, lambda s, e: queries[s:e].to(matmul_dtype) @ low.T, False
        return queries, lambda s, e: queries[s:e] @ trg.T, False
    if matmul_dtype is not None:
        raise DecoderHeadError("matmul_dtype is only supported for nn retrieval (CSLS/isf stay exact)")
    if method == "csls":
        r_trg = mean_topk_similarity(trg, src, knn, chunk)  # (n_trg,)
        r_src = mean_topk_similarity(queries, trg, knn, chunk)  # (n_q,)

        def csls(s: int, e: int) -> torch.Tensor:
            return 2 * (queries[s:e] @ trg.T) - r_trg[None, :] - r_src[s:e, None]

        return queries, csls, False
    # isf: rank by the log score (monotone), report the probability.
    lse = _column_logsumexp(src, trg, beta, chunk)  # (n_trg,)
    return queries, lambda s, e: beta * (queries[s:e] @ trg.T) - lse[None, :], True


def topk(
    src: torch.Tensor,
    trg: torch.Tensor,
    k: int = 10,
    method: str = "nn",
    knn: int = 10,
    chunk: int = 4096,
    *,
    beta: float = 30.0,
    rows: torch.Tensor | None = None,
    matmul_dtype: torch.dtype | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Best k target rows for each source row: (scores (n, k), indices (n, k)), best first.

    `rows` (optional source row indices) restricts which sources are *queried* while CSLS
    and isf statistics still cover all of `src`; indexing `src` beforehand would change
    those statistics. k is clipped to len(trg). `matmul_dtype` (nn only): see the module doc.
    """
    queries, score, is_log = _scorer(src, trg, method, knn, beta, chunk, rows, matmul_dtype)
    n, k = queries.shape[0], min(k, trg.shape[0])
    scores = torch.empty(n, max(k, 0), dtype=queries.dtype)
    indices = torch.empty(n, max(k, 0), dtype=torch.long)
    if k <= 0:
        return scores, indices
    for start, end in _chunks(n, chunk):
        best = score(start, end).topk(k, dim=1)
        scores[start:end] = best.values
        indices[start:end] = best.indices
    if is_log:
        scores = scores.exp()
    return scores, indices


def pairwise_scores(
    src: torch.Tensor,
    trg: torch.Tensor,
    method: str = "nn",
    knn: int = 10,
    *,
    beta: float = 30.0,
) -> torch.Tensor:
    """Full (n_src, n_trg) score matrix, same scores as `topk`; only for small vocabularies."""
    src = _as_float(src, "src")
    queries, score, is_log = _scorer(src, trg, method, knn, beta, max(src.shape[0], 1), None)
    out = score(0, queries.shape[0])
    return out.exp() if is_log else out
