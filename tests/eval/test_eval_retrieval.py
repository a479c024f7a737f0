"""Retrieval invariants: unit rows, and NN / CSLS / isf equal brute-force numpy versions."""

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from decoder_head.errors import DecoderHeadError
from decoder_head.eval.retrieval import mean_topk_similarity, normalize, pairwise_scores, topk


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=1, keepdims=True)


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(37, 8)), rng.normal(size=(29, 8))


def test_normalize_unit_rows() -> None:
    x = torch.randn(10, 5, dtype=torch.float64) * 7
    assert torch.allclose(normalize(x).norm(dim=1), torch.ones(10, dtype=torch.float64))


def test_normalize_center_matches_vecmap_steps() -> None:
    x = np.random.default_rng(1).normal(loc=3.0, size=(20, 6))
    u = _unit(x)
    expected = _unit(u - u.mean(axis=0))
    got = normalize(torch.from_numpy(x), center=True).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-12)
    np.testing.assert_allclose(got.mean(axis=0) @ got.mean(axis=0), 0.0, atol=1e-2)


@pytest.mark.parametrize("center", [False, True])
def test_normalize_zero_row_stays_zero(center: bool) -> None:
    x = torch.randn(4, 3)
    x[2] = 0
    y = normalize(x, center=center)
    assert not torch.isnan(y).any()
    assert torch.equal(y[2], torch.zeros(3))
    assert torch.allclose(y[[0, 1, 3]].norm(dim=1), torch.ones(3))


def test_mean_topk_similarity_clips_k(data) -> None:
    x, y = map(_unit, data)
    q, keys = torch.from_numpy(x), torch.from_numpy(y[:3])
    expected = (x @ y[:3].T).mean(axis=1)
    np.testing.assert_allclose(mean_topk_similarity(q, keys, k=10).numpy(), expected, atol=1e-12)


@pytest.mark.parametrize("chunk", [4096, 5])
def test_nn_topk_is_argsort_of_cosine(data, chunk: int) -> None:
    x, y = data
    cos = _unit(x) @ _unit(y).T
    scores, idx = topk(torch.from_numpy(x), torch.from_numpy(y), k=4, method="nn", chunk=chunk)
    expected = np.argsort(-cos, axis=1)[:, :4]
    np.testing.assert_array_equal(idx.numpy(), expected)
    np.testing.assert_allclose(scores.numpy(), np.take_along_axis(cos, expected, 1), atol=1e-12)


def _brute_csls(x: np.ndarray, y: np.ndarray, knn: int) -> np.ndarray:
    """CSLS written independently: Conneau et al. 2018, eq. 6, over the full matrix."""
    cos = _unit(x) @ _unit(y).T  # (n_src, n_trg)
    r_src = np.sort(cos, axis=1)[:, ::-1][:, :knn].mean(axis=1)  # each source vs targets
    r_trg = np.sort(cos, axis=0)[::-1, :][:knn, :].mean(axis=0)  # each target vs sources
    return 2 * cos - r_src[:, None] - r_trg[None, :]


@pytest.mark.parametrize("chunk", [4096, 6])
def test_csls_equals_brute_force(data, chunk: int) -> None:
    x, y = data
    expected = _brute_csls(x, y, knn=5)
    scores, idx = topk(torch.from_numpy(x), torch.from_numpy(y), k=3, method="csls", knn=5, chunk=chunk)
    best = np.argsort(-expected, axis=1)[:, :3]
    np.testing.assert_array_equal(idx.numpy(), best)
    np.testing.assert_allclose(scores.numpy(), np.take_along_axis(expected, best, 1), atol=1e-10)
    full = pairwise_scores(torch.from_numpy(x), torch.from_numpy(y), method="csls", knn=5)
    np.testing.assert_allclose(full.numpy(), expected, atol=1e-10)


def test_csls_float32_agrees(data) -> None:
    x, y = data
    expected = _brute_csls(x, y, knn=5)
    _, idx = topk(torch.from_numpy(x).float(), torch.from_numpy(y).float(), k=1, method="csls", knn=5, chunk=4)
    np.testing.assert_array_equal(idx[:, 0].numpy(), expected.argmax(axis=1))


@pytest.mark.parametrize("method", ["nn", "csls", "isf"])
def test_rows_subset_keeps_full_statistics(data, method: str) -> None:
    x, y = map(torch.from_numpy, data)
    rows = torch.tensor([3, 0, 30])
    full_s, full_i = topk(x, y, k=4, method=method, knn=5)
    sub_s, sub_i = topk(x, y, k=4, method=method, knn=5, rows=rows, chunk=2)
    assert torch.equal(sub_i, full_i[rows])
    assert torch.allclose(sub_s, full_s[rows])


def test_isf_columns_sum_to_one_and_match_brute_force(data) -> None:
    x, y = data
    beta = 10.0
    cos = _unit(x) @ _unit(y).T
    expected = np.exp(beta * cos - logsumexp(beta * cos, axis=0, keepdims=True))
    full = pairwise_scores(torch.from_numpy(x), torch.from_numpy(y), method="isf", beta=beta)
    np.testing.assert_allclose(full.sum(dim=0).numpy(), np.ones(y.shape[0]), atol=1e-10)
    np.testing.assert_allclose(full.numpy(), expected, atol=1e-12)
    scores, idx = topk(torch.from_numpy(x), torch.from_numpy(y), k=2, method="isf", beta=beta, chunk=5)
    best = np.argsort(-expected, axis=1)[:, :2]
    np.testing.assert_array_equal(idx.numpy(), best)
    np.testing.assert_allclose(scores.numpy(), np.take_along_axis(expected, best, 1), atol=1e-12)


def test_isf_large_beta_does_not_overflow(data) -> None:
    x, y = map(torch.from_numpy, data)
    full = pairwise_scores(x.float(), y.float(), method="isf", beta=1000.0)
    assert torch.isfinite(full).all()
    assert torch.allclose(full.sum(dim=0), torch.ones(y.shape[0]), atol=1e-4)


def test_k_clipped_to_targets(data) -> None:
    x, y = map(torch.from_numpy, data)
    scores, idx = topk(x, y[:2], k=10)
    assert scores.shape == idx.shape == (x.shape[0], 2)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="unknown retrieval method"):
        topk(torch.randn(3, 2), torch.randn(3, 2), method="cosine")
    with pytest.raises(DecoderHeadError, match="dimension"):
        topk(torch.randn(3, 2), torch.randn(3, 4))
    with pytest.raises(DecoderHeadError, match="2-D"):
        topk(torch.randn(3), torch.randn(3, 4))


def test_bf16_matmul_shortlist_agrees_with_float32() -> None:
    gen = torch.Generator().manual_seed(2)
    x, y = torch.randn(200, 32, generator=gen), torch.randn(300, 32, generator=gen)
    s32, i32 = topk(x, y, k=5, method="nn")
    s16, i16 = topk(x, y, k=5, method="nn", matmul_dtype=torch.bfloat16, chunk=64)
    assert s16.dtype == torch.float32
    assert torch.allclose(s16, s32, atol=2e-2)
    assert (i16[:, 0] == i32[:, 0]).float().mean() > 0.9  # near-ties may swap, nothing else
    with pytest.raises(DecoderHeadError, match="only supported for nn"):
        topk(x, y, method="csls", matmul_dtype=torch.bfloat16)


def test_shortlist_dtype_uses_bf16_only_where_asked_or_native(monkeypatch: pytest.MonkeyPatch) -> None:
    from decoder_head.eval import retrieval

    assert retrieval.shortlist_dtype(True) == torch.bfloat16
    assert retrieval.shortlist_dtype(False) is None
    for native, expected in ((True, torch.bfloat16), (False, None)):
        monkeypatch.setattr(retrieval, "native_bf16", lambda native=native: native)
        assert retrieval.shortlist_dtype(None) == expected
