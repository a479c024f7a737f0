"""align.ensemble: several self-learning runs averaged into one space of one run's dimension."""

import pytest
import torch

from decoder_head.align.ensemble import combine, ensemble_self_learning, join, run_seed
from decoder_head.align.self_learning import SelfLearningConfig, self_learning
from decoder_head.eval.retrieval import normalize

from test_align import structured_pair


def cosines(x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    return normalize(x) @ normalize(z).T


def low_rank_run(d: int, rank: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A run's (xw, zw): 30 and 20 rows in one rank-`rank` subspace of d dimensions."""
    basis = torch.randn(rank, d, generator=gen, dtype=torch.float64)
    return tuple(torch.randn(n, rank, generator=gen, dtype=torch.float64) @ basis for n in (30, 20))


def test_combined_cosines_are_the_runs_mean_when_the_cut_loses_nothing():
    gen = torch.Generator().manual_seed(0)
    # two runs whose spaces each span 4 of 8 dimensions: the concatenation has rank 8, so the cut is exact
    runs = [low_rank_run(8, 4, gen) for _ in range(2)]
    xw, zw = combine(runs)
    assert xw.shape == (30, 8) and zw.shape == (20, 8)
    mean = (cosines(*runs[0]) + cosines(*runs[1])) / 2
    assert torch.allclose(xw @ zw.T, mean, atol=1e-8)
    assert torch.allclose(xw.norm(dim=1), torch.ones(30, dtype=torch.float64))
    assert combine(runs[:1]) == runs[0]


def test_combining_rotated_copies_of_one_space_keeps_its_cosines():
    gen = torch.Generator().manual_seed(1)
    x, z = torch.randn(25, 6, generator=gen, dtype=torch.float64), torch.randn(15, 6, generator=gen, dtype=torch.float64)
    q, _ = torch.linalg.qr(torch.randn(6, 6, generator=gen, dtype=torch.float64))
    xw, zw = combine([(x, z), (x @ q, z @ q), (x, z)])
    assert torch.allclose(xw @ zw.T, cosines(x, z), atol=1e-8)


def test_joined_cosines_are_the_weighted_mean_and_a_missing_word_leaves_that_space_out():
    gen = torch.Generator().manual_seed(2)
    vectors = (["b0", "b1", "b2"], torch.randn(3, 5, generator=gen), ["a0", "a1", "a2", "a3"], torch.randn(4, 5, generator=gen))
    # the tables' space: other words and another order, B's "b2" and A's "a3" missing, one extra word
    tables = (["b1", "bx", "b0"], torch.randn(3, 3, generator=gen), ["a2", "a0", "a1"], torch.randn(3, 3, generator=gen))
    src, x, trg, z = join([vectors, tables], (0.8, 0.2))
    assert (src, trg) == (vectors[0], vectors[2]) and x.shape == (3, 8) and z.shape == (4, 8)
    cv = cosines(vectors[1], vectors[3])
    ct = cosines(tables[1], tables[3])  # rows b1, bx, b0 against a2, a0, a1
    assert torch.allclose((x @ z.T)[0, 1], 0.8 * cv[0, 1] + 0.2 * ct[2, 2], atol=1e-6)  # b0 . a1
    assert torch.allclose((x @ z.T)[1, 2], 0.8 * cv[1, 2] + 0.2 * ct[0, 0], atol=1e-6)  # b1 . a2
    assert torch.allclose((x @ z.T)[2], 0.8 * cv[2], atol=1e-6)  # b2: the tables say nothing of it
    assert torch.allclose((x @ z.T)[:, 3], 0.8 * cv[:, 3], atol=1e-6)  # nor of a3
    _, alone, _, _ = join([vectors], (1.0,))
    assert torch.allclose(alone, normalize(vectors[1]))
    for weights in ((0.5, 0.6), (1.2, -0.2), (1.0,)):
        with pytest.raises(ValueError, match="join"):
            join([vectors, tables], weights)


def test_runs_use_their_own_seeds_and_one_run_is_plain_self_learning():
    assert [run_seed(s, 3, i) for s in (0, 1) for i in range(3)] == [0, 1, 2, 3, 4, 5]
    assert run_seed(7, 1, 0) == 7
    x, z, perm = structured_pair(n=200, d=12, noise=0.05, seed=2)
    x, z = normalize(x.float(), center=True), normalize(z.float(), center=True)
    seed = (torch.arange(0, 200, 10), perm[torch.arange(0, 200, 10)])
    cfg = SelfLearningConfig(patience=2, seed=1)
    one = ensemble_self_learning(x, z, *seed, cfg, runs=1, progress=False)
    plain = self_learning(x, z, *seed, cfg, progress=False)
    assert torch.equal(one.xw, plain.xw) and one.iterations == plain.iterations
    members = [self_learning(x, z, *seed, SelfLearningConfig(patience=2, seed=s), progress=False) for s in (2, 3)]
    two = ensemble_self_learning(x, z, *seed, cfg, runs=2, progress=False)
    xw, zw = combine([(m.xw, m.zw) for m in members])
    assert torch.allclose(two.xw, xw) and torch.allclose(two.zw, zw)
    assert two.iterations == sum(m.iterations for m in members)
    shared = set.intersection(*(set(zip(m.src_idx.tolist(), m.trg_idx.tolist())) for m in members))
    assert shared and set(zip(two.src_idx.tolist(), two.trg_idx.tolist())) == shared
    with pytest.raises(ValueError):
        ensemble_self_learning(x, z, *seed, cfg, runs=0)


def test_finished_runs_are_checkpoints_that_a_rerun_reuses(tmp_path, monkeypatch):
    x, z, perm = structured_pair(n=120, d=10, noise=0.05, seed=3)
    x, z = normalize(x.float(), center=True), normalize(z.float(), center=True)
    seed = (torch.arange(0, 120, 10), perm[torch.arange(0, 120, 10)])
    cfg = SelfLearningConfig(patience=2, seed=0)
    first = ensemble_self_learning(x, z, *seed, cfg, runs=2, run_dir=tmp_path, key="k", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run0", "run1"]

    def killed(*args, **kwargs):
        raise AssertionError("a saved run was run again")

    monkeypatch.setattr("decoder_head.align.ensemble.self_learning", killed)
    again = ensemble_self_learning(x, z, *seed, cfg, runs=2, run_dir=tmp_path, key="k", progress=False)
    assert torch.equal(again.xw, first.xw) and again.iterations == first.iterations
    assert torch.equal(again.src_idx, first.src_idx)
    with pytest.raises(AssertionError, match="run again"):  # another key: the saved runs are not this one's
        ensemble_self_learning(x, z, *seed, cfg, runs=2, run_dir=tmp_path, key="other", progress=False)


def test_runs_far_below_the_best_objective_are_left_out_of_the_average(monkeypatch, capsys):
    """keep_within: a run that ended in a worse basin (lower objective) is not averaged in; with
    None, or a tolerance that covers it, every run is."""
    from decoder_head.align import ensemble
    from decoder_head.align.self_learning import SelfLearningResult

    gen = torch.Generator().manual_seed(4)
    good, bad = low_rank_run(8, 4, gen), low_rank_run(8, 4, gen)
    objectives = {0: 0.41, 1: 0.39, 2: 0.409}  # by the run's RNG seed

    def fake_run(x, z, src, trg, cfg, **kwargs):
        xw, zw = bad if cfg.seed == 1 else good
        return SelfLearningResult(xw.float(), zw.float(), src, trg, 3, objectives[cfg.seed])

    monkeypatch.setattr(ensemble, "self_learning", fake_run)
    args = (torch.zeros(30, 8), torch.zeros(20, 8), torch.arange(3), torch.arange(3), SelfLearningConfig(seed=0))
    kept = ensemble_self_learning(*args, runs=3, keep_within=0.005)
    assert "2 of 3 runs within 0.005" in capsys.readouterr().out
    assert torch.allclose(kept.xw @ kept.zw.T, cosines(*good).float(), atol=1e-5)  # the two good runs agree
    assert kept.iterations == 6 and kept.objective == pytest.approx(0.4095)
    every = ensemble_self_learning(*args, runs=3)
    assert torch.allclose(every.xw, ensemble_self_learning(*args, runs=3, keep_within=0.05).xw)
    assert not torch.allclose(every.xw @ every.zw.T, kept.xw @ kept.zw.T, atol=1e-3)
    assert [r.objective for r in ensemble.kept_runs([fake_run(*args[:4], SelfLearningConfig(seed=s))
                                                     for s in (0, 1, 2)], 0.0)] == [0.41]
