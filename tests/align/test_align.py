"""Alignment baselines on small synthetic spaces with a known answer (seconds)."""

import json

import numpy as np
import pytest
import torch

from decoder_head.align import (
    AlignConfig, GromovConfig, SelfLearningConfig, align, gw_coupling, identical_seed, orthogonal_map,
    self_learning,
)
from decoder_head.align.induction import induce_dictionary, stochastic_pick
from decoder_head.align.seeds import dictionary_seed
from decoder_head.cli import main
from decoder_head.errors import DecoderHeadError
from decoder_head.eval.bli import evaluate_bli
from decoder_head.eval.retrieval import normalize, pairwise_scores
from decoder_head.eval.vectors import write_word2vec


def random_rotation(d: int, gen: torch.Generator) -> torch.Tensor:
    q, r = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    return q * torch.sign(torch.diagonal(r))  # Haar-distributed orthogonal matrix


def structured_pair(n: int = 400, d: int = 20, noise: float = 0.01, seed: int = 0):
    """x: anisotropic Gaussian cloud; z: x rotated, rows permuted, slightly noised.

    Returns (x, z, perm) with z[perm[i]] ~ x[i] @ R. Rows of x stay in a frequency-like order
    (larger norms first is irrelevant: everything is normalised), z is shuffled except that
    the permutation keeps the top rows near the top so frequency cut-offs still overlap.
    """
    gen = torch.Generator().manual_seed(seed)
    scales = torch.linspace(3.0, 0.3, d, dtype=torch.float64)  # anisotropic: distinct spectrum
    x = torch.randn(n, d, generator=gen, dtype=torch.float64) * scales
    rot = random_rotation(d, gen)
    perm = torch.randperm(n, generator=gen)
    z = torch.empty_like(x)
    z[perm] = x @ rot + noise * torch.randn(n, d, generator=gen, dtype=torch.float64)
    return x.float(), z.float(), perm


def p_at_1(xw, zw, perm, method="csls"):
    words_x = [f"x{i}" for i in range(len(xw))]
    words_z = [f"z{j}" for j in range(len(zw))]
    gold = {f"x{i}": {f"z{int(perm[i])}"} for i in range(len(xw))}
    return evaluate_bli(words_x, xw, words_z, zw, gold, method=method)["p_at_1"]


def test_orthogonal_map_recovers_a_rotation_exactly():
    gen = torch.Generator().manual_seed(1)
    rot = random_rotation(16, gen)
    x = torch.randn(100, 16, generator=gen, dtype=torch.float64)
    w = orthogonal_map(x, x @ rot)
    assert torch.allclose(w, rot, atol=1e-10)
    assert torch.allclose(w.T @ w, torch.eye(16, dtype=torch.float64), atol=1e-10)


def test_procrustes_from_a_train_dictionary_gives_p_at_1_100():
    x, z, perm = structured_pair(noise=0.01, seed=2)
    sw = [f"x{i}" for i in range(len(x))]
    tw = [f"z{j}" for j in range(len(z))]
    train = {f"x{i}": {f"z{int(perm[i])}"} for i in range(0, 400, 4)}  # a quarter of the pairs
    xw, zw = align("procrustes", sw, x, tw, z, train, AlignConfig(progress=False))
    assert p_at_1(xw, zw, perm, "nn") == 100.0
    assert p_at_1(xw, zw, perm, "csls") == 100.0


def test_induction_scores_match_retrieval_csls():
    """The E-step's CSLS (on shortlists from retrieval.topk) ranks exactly like eval.retrieval's CSLS."""
    gen = torch.Generator().manual_seed(3)
    x = normalize(torch.randn(50, 8, generator=gen))
    z = normalize(torch.randn(40, 8, generator=gen))
    full = pairwise_scores(x, z, "csls", knn=5)  # (50, 40)
    for candidates in (0, 40, 50):  # exact rows, and shortlists as long as the rows
        src_idx, trg_idx, objective = induce_dictionary(x, z, cutoff=1000, knn=5, candidates=candidates)
        assert torch.equal(trg_idx[:50], full.argmax(dim=1))
        assert torch.equal(src_idx[50:], full.argmax(dim=0))
        assert torch.equal(src_idx[:50], torch.arange(50)) and torch.equal(trg_idx[50:], torch.arange(40))
        cos = x @ z.T
        assert objective == pytest.approx(0.5 * float(cos.max(1).values.mean() + cos.max(0).values.mean()), abs=1e-6)
    # A short list keeps the winners whenever they are among the K cosine-nearest.
    _, short_trg, _ = induce_dictionary(x, z, cutoff=1000, knn=5, candidates=10)
    in_list = (full.argmax(dim=1)[:, None] == (x @ z.T).topk(10, dim=1).indices).any(dim=1)
    assert in_list.sum() > 40
    assert torch.equal(short_trg[:50][in_list], full.argmax(dim=1)[in_list])


def test_induction_cutoff_uses_only_the_most_frequent_words():
    gen = torch.Generator().manual_seed(8)
    x, z = normalize(torch.randn(30, 6, generator=gen)), normalize(torch.randn(25, 6, generator=gen))
    src_idx, trg_idx, _ = induce_dictionary(x, z, cutoff=10, knn=3)
    assert len(src_idx) == len(trg_idx) == 20
    assert src_idx.max() < 10 and trg_idx.max() < 10


def test_stochastic_pick_has_the_distribution_of_a_dropout_argmax():
    """First kept entry in score order: P(rank g) = (1 - p)^g p, as an argmax after dropout."""
    n, k, p = 20000, 8, 0.3
    scores = torch.arange(k, 0, -1, dtype=torch.float32).repeat(n, 1)  # column j has rank j
    picks = stochastic_pick(scores, p, torch.Generator().manual_seed(0))
    freq = torch.bincount(picks, minlength=k).double() / n
    expected = torch.tensor([(1 - p) ** g * p for g in range(k)], dtype=torch.float64)
    expected[-1] += (1 - p) ** k  # ranks past the list land on its last entry
    assert torch.allclose(freq, expected, atol=0.01)
    # brute force: mask entries with prob 1 - p, argmax of the rest (rows with none kept: last column)
    gen = torch.Generator().manual_seed(1)
    keep = torch.rand(n, k, generator=gen) < p
    brute = scores.masked_fill(~keep, float("-inf")).argmax(dim=1)
    brute[~keep.any(dim=1)] = k - 1
    assert torch.allclose(torch.bincount(brute, minlength=k).double() / n, freq, atol=0.015)
    assert torch.equal(stochastic_pick(scores[:5], 1.0, None), torch.zeros(5, dtype=torch.long))


def test_unsupervised_self_learning_recovers_rotation_and_permutation():
    x, z, perm = structured_pair(n=400, d=20, noise=0.01, seed=0)
    sw = [f"x{i}" for i in range(len(x))]
    tw = [f"z{j}" for j in range(len(z))]
    cfg = AlignConfig(self_learning=SelfLearningConfig(patience=3), init_vocab=400, progress=False)
    xw, zw = align("unsupervised", sw, x, tw, z, None, cfg)
    assert p_at_1(xw, zw, perm, "csls") >= 99.0


def test_identical_seed_finds_shared_strings():
    src, trg = identical_seed(["de", "la", "dios", "jesus", "x"], ["the", "jesus", "of", "x", "moab"])
    assert list(zip(src.tolist(), trg.tolist())) == [(3, 1), (4, 3)]
    with pytest.raises(DecoderHeadError):
        identical_seed(["a"], ["b"])


def test_identical_seed_then_self_learning_aligns():
    x, z, perm = structured_pair(n=300, d=16, noise=0.01, seed=4)
    sw = [f"w{i}" for i in range(len(x))]
    tw = [f"v{j}" for j in range(len(z))]
    for i in range(0, 300, 10):  # 30 anchor words spelled the same on both sides
        tw[int(perm[i])] = sw[i]
    cfg = AlignConfig(self_learning=SelfLearningConfig(patience=3), progress=False)
    xw, zw = align("identical", sw, x, tw, z, None, cfg)
    assert p_at_1(xw, zw, perm, "csls") >= 99.0


@pytest.mark.parametrize("solver, epsilon", [("exact", 1e-3), ("entropic-log", 1e-3), ("entropic", 1e-2)])
def test_gw_coupling_argmax_matches_a_permuted_copy(solver, epsilon):
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(40, 6, generator=gen, dtype=torch.float64) * torch.linspace(3, 0.5, 6, dtype=torch.float64)
    perm = torch.randperm(40, generator=gen)
    z = torch.empty_like(x)
    z[perm] = x @ random_rotation(6, gen)
    coupling = gw_coupling(x, z, GromovConfig(n_words=40, solver=solver, epsilon=epsilon, max_iter=30, tol=1e-6))
    assert coupling.shape == (40, 40)
    assert np.allclose(coupling.sum(axis=1), 1 / 40, atol=1e-4) and np.allclose(coupling.sum(axis=0), 1 / 40, atol=1e-4)
    assert (coupling.argmax(axis=1) == perm.numpy()).all()


def test_dictionary_seed_without_overlap_is_a_user_error():
    with pytest.raises(DecoderHeadError, match="shares no pair"):
        dictionary_seed(["a", "b"], ["c", "d"], {"x": {"y"}})


@pytest.fixture()
def tiny_vecs(tmp_path):
    x, z, perm = structured_pair(n=120, d=10, noise=0.01, seed=6)
    sw = [f"s{i}" for i in range(len(x))]
    tw = [f"t{j}" for j in range(len(z))]
    write_word2vec(tmp_path / "src.vec", sw, x)
    write_word2vec(tmp_path / "trg.vec", tw, z)
    pairs = [f"s{i} t{int(perm[i])}" for i in range(len(x))]
    (tmp_path / "train.txt").write_text("\n".join(pairs[::3]) + "\n")
    (tmp_path / "test.txt").write_text("\n".join(pairs[1::3]) + "\n")
    (tmp_path / "bad.txt").write_text("nope nada\nzilch cero\n")
    return tmp_path


@pytest.mark.parametrize("method, extra", [("procrustes", []), ("unsupervised", []), ("gw", []),
                                           ("unsupervised", ["--orthography", "0.1"])])
def test_align_cli_end_to_end(tiny_vecs, method, extra):
    out = tiny_vecs / f"out-{method}{len(extra)}"
    args = ["align", str(tiny_vecs / "src.vec"), str(tiny_vecs / "trg.vec"), "--method", method,
            "--train-dict", str(tiny_vecs / "train.txt"), "--dictionary", str(tiny_vecs / "test.txt"),
            "--out", str(out), *extra]
    assert main(args) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert set(m) >= {"method", "dictionary", "coverage", "nn", "csls", "seconds"}
    assert set(m["nn"]) == set(m["csls"]) == {"p_at_1", "p_at_5", "p_at_10"}
    assert m["method"] == method and m["coverage"] == 1.0
    for name in ("src.mapped.vec", "trg.mapped.vec", "lexicon.tsv"):
        assert (out / name).is_file()
    if method == "procrustes":
        assert m["csls"]["p_at_1"] == 100.0


def test_align_cli_train_dict_without_overlap_exits_2(tiny_vecs, capsys):
    args = ["align", str(tiny_vecs / "src.vec"), str(tiny_vecs / "trg.vec"), "--method", "procrustes",
            "--train-dict", str(tiny_vecs / "bad.txt"), "--out", str(tiny_vecs / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("decoder-head: error:") and "shares no pair" in err
    assert len(err.splitlines()) == 1
    assert not (tiny_vecs / "out" / "metrics.json").exists()


def test_refinement_recovers_what_a_tiny_train_dictionary_cannot():
    """12 pairs cannot pin down a 20-d rotation; CSLS re-induction + Procrustes rounds can."""
    x, z, perm = structured_pair(n=400, d=20, noise=0.01, seed=7)
    sw = [f"x{i}" for i in range(len(x))]
    tw = [f"z{j}" for j in range(len(z))]
    train = {f"x{i}": {f"z{int(perm[i])}"} for i in range(12)}
    cfg = AlignConfig(progress=False, refine_rounds=5)
    plain = p_at_1(*align("procrustes", sw, x, tw, z, train, cfg), perm)
    refined = p_at_1(*align("procrustes-refine", sw, x, tw, z, train, cfg), perm)
    assert plain < 90.0 and refined >= 99.0


def test_whitening_matches_vecmap_svd_formula():
    """(M^T M)^(-1/2) from the Gram eigendecomposition equals VecMap's V S^-1 V^T and whitens M."""
    import importlib

    whitening = importlib.import_module("decoder_head.align.self_learning")._whitening
    gen = torch.Generator().manual_seed(9)
    m = torch.randn(200, 12, generator=gen, dtype=torch.float64) * torch.linspace(4, 0.2, 12, dtype=torch.float64)
    _, s, vt = torch.linalg.svd(m, full_matrices=False)
    w = whitening(m)
    assert torch.allclose(w, vt.T @ torch.diag(1 / s) @ vt, atol=1e-10)
    assert torch.allclose((m @ w).T @ (m @ w), torch.eye(12, dtype=torch.float64), atol=1e-10)


def _letters(i: int) -> str:
    """A distinct 4-letter word per index (profiles only see letters)."""
    return "".join("abcdefghijklmnopqrstuvwxyz"[(i // 26**k) % 26] for k in range(4))


def test_orthography_in_dictionary_induction_picks_the_same_spelling():
    gen = torch.Generator().manual_seed(3)
    x, z = normalize(torch.randn(50, 8, generator=gen)), normalize(torch.randn(60, 8, generator=gen))
    sw = [_letters(i * 7) for i in range(50)]
    tw = [_letters(i * 7) for i in range(60)][::-1]  # same spellings, other rows, unrelated vectors
    from decoder_head.eval.orthography import CharacterProfiles

    plain, fwd_plain, _ = induce_dictionary(x, z, cutoff=60, knn=5, candidates=0)
    src, trg, _ = induce_dictionary(x, z, cutoff=60, knn=5, candidates=0,
                                    bonus=CharacterProfiles.of(sw, tw, weight=5.0))
    same = [sw[s] == tw[t] for s, t in zip(src[:50].tolist(), trg[:50].tolist())]
    assert all(same)
    assert sum(sw[s] == tw[t] for s, t in zip(plain[:50].tolist(), fwd_plain[:50].tolist())) < 10


def test_self_learning_with_orthography_recovers_from_a_useless_seed():
    x, z, perm = structured_pair(n=300, d=16, noise=0.01, seed=5)
    sw = [_letters(i) for i in range(len(x))]
    tw = [""] * len(z)
    for i in range(len(x)):
        tw[int(perm[i])] = sw[i]  # every word is its own cognate
    wrong = (torch.arange(5), torch.arange(5, 10))  # five wrong pairs
    cfg = SelfLearningConfig(orthography=0.5, patience=3, bf16=False)  # float32 shortlist on every CPU
    r = self_learning(x, z, *wrong, cfg, progress=False, words=(sw, tw))
    assert p_at_1(r.xw, r.zw, perm, "csls") >= 99.0
    with pytest.raises(DecoderHeadError, match="needs the words"):
        self_learning(x, z, *wrong, cfg, progress=False)
