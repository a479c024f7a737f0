import itertools

import pytest
import torch

from decoder_head.mapping import (
    REGISTRY,
    AutoShuffleMapping,
    GumbelSinkhornMapping,
    LinearMapping,
    MixtureMapping,
    SinkhornMapping,
    SoftmaxMapping,
    build_mapping,
    log_sinkhorn,
    sparse_log_sinkhorn,
)
from decoder_head.mapping.autoshuffle import l1_l2_penalty
from decoder_head.models import AWDLSTM, AWDLSTMConfig, LanguageModel
from decoder_head.train.batches import batchify
from decoder_head.train.em import em_round

MIXTURES = sorted(name for name, cls in REGISTRY.items() if issubclass(cls, MixtureMapping))
SUPPORTS = [None, 4, 6]  # dense, sparse top-4, sparse with every column (k = V_t)


def make(name, V=6, d=3, init=None, topk=None, seed=0, **kw):
    torch.manual_seed(seed)
    target = torch.randn(V, d)
    init = torch.randn(V, V) if init is None else init
    return build_mapping(name, V, d, target=target, init=init, topk=topk, **kw)


def dense_l1_l2(p):
    return l1_l2_penalty(p.abs().sum(1), p.pow(2).sum(1), p.abs().sum(0), p.pow(2).sum(0))


def test_every_mixture_is_registered():
    assert MIXTURES == ["autoshuffle", "gumbel-sinkhorn", "linear", "sinkhorn", "softmax"]


@pytest.mark.parametrize("topk", SUPPORTS)
@pytest.mark.parametrize("name", MIXTURES)
def test_table_shape_and_gradient_reach_only_the_mapping_parameters(name, topk):
    m = make(name, topk=topk).train()
    table = m.table()
    assert table.shape == (6, 3)
    (table.pow(2).sum() + m.penalty()).backward()
    assert m.param().grad is not None and m.param().grad.abs().sum() > 0
    assert not m.target.requires_grad
    assert [n for n, _ in m.named_parameters()] == [m.param_name]


@pytest.mark.parametrize("topk", SUPPORTS)
@pytest.mark.parametrize("name", MIXTURES)
def test_identity_init_reproduces_the_frozen_table(name, topk):
    kw = {"tau_start": 0.1, "tau_end": 0.1} if name == "gumbel-sinkhorn" else {}
    m = make(name, init=torch.eye(6) * 20, topk=topk, **kw).eval()
    assert torch.allclose(m.table(), m.target, atol=1e-4)
    assert torch.equal(m.best_columns(), torch.arange(6))
    assert torch.equal(m.hard_assignment(), torch.arange(6))


@pytest.mark.parametrize("topk", SUPPORTS)
@pytest.mark.parametrize("name", MIXTURES)
def test_assign_makes_rows_exact_copies_of_the_assigned_frozen_rows(name, topk):
    m = make(name, topk=topk, seed=3).eval()
    cols = torch.tensor([5, 0, 3, 1, 4, 2])
    m.assign(torch.arange(6), cols)
    assert torch.allclose(m.table(), m.target[cols], atol=1e-5)
    assert torch.equal(m.best_columns(), cols)
    assert torch.equal(m.scores().argmax(1), cols)


def test_sparse_assign_brings_a_column_missing_from_the_support_into_it():
    m = make("sinkhorn", topk=2, seed=1).eval()
    missing = int(next(c for c in range(6) if c not in m.support[0].tolist()))
    m.assign(torch.tensor([0]), torch.tensor([missing]))
    assert missing in m.support[0].tolist()
    assert m.best_columns()[0] == missing
    assert m.scores()[0].isinf().sum() == 4  # still 2 finite entries per row


@pytest.mark.parametrize("shape", [(6, 6), (5, 8), (8, 5)])
def test_sparse_sinkhorn_equals_dense_when_every_row_holds_every_column(shape):
    torch.manual_seed(0)
    rows, cols = shape
    x = torch.randn(rows, cols) * 2
    support = torch.stack([torch.randperm(cols) for _ in range(rows)])  # every column, shuffled order
    dense = log_sinkhorn(x, n_iter=15)
    sparse = sparse_log_sinkhorn(x.gather(1, support), support, cols, n_iter=15)
    assert torch.allclose(sparse, dense.gather(1, support), atol=1e-5)


@pytest.mark.parametrize("name", MIXTURES)
def test_sparse_mapping_with_k_equal_v_t_equals_the_dense_mapping(name):
    init = torch.randn(6, 6, generator=torch.Generator().manual_seed(5))
    dense, sparse = make(name, init=init), make(name, init=init, topk=6)
    for m in (dense, sparse):
        m.eval()  # no Gumbel noise: both must be the same function of the same logits
    assert torch.allclose(dense.table(), sparse.table(), atol=1e-5)
    assert torch.allclose(dense.scores(), sparse.scores(), atol=1e-5)
    assert torch.allclose(dense.penalty(), sparse.penalty(), atol=1e-5)
    assert torch.equal(dense.hard_assignment(), sparse.hard_assignment())


def test_sparse_table_leaves_columns_outside_the_support_out():
    m = make("softmax", topk=2, seed=2).eval()
    w = torch.zeros(6, 6).scatter_(1, m.support, m.weights())
    assert torch.allclose(m.table(), w @ m.target, atol=1e-6)
    assert (w > 0).sum(1).tolist() == [2] * 6


def test_sparse_tables_train_under_deterministic_kernels():
    was = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)  # the training loop runs with these
    try:
        grads = []
        for _ in range(2):
            m = make("autoshuffle", topk=3, seed=4).train()
            (m.table().sum() + m.penalty()).backward()
            grads.append(m.logits.grad)
        assert torch.equal(grads[0], grads[1])
    finally:
        torch.use_deterministic_algorithms(was)


@pytest.mark.parametrize("topk", [None, 6])
def test_gumbel_sinkhorn_is_doubly_stochastic_with_noise_and_rounds_to_a_permutation(topk):
    m = make("gumbel-sinkhorn", topk=topk, n_iter=200).train()
    w = torch.zeros(6, 6).scatter_(1, m.support, m.weights()) if topk else m.weights()
    assert torch.allclose(w.sum(1), torch.ones(6), atol=1e-5)
    assert torch.allclose(w.sum(0), torch.ones(6), atol=1e-4)
    assert sorted(m.hard_assignment().tolist()) == list(range(6))


def test_gumbel_noise_only_in_training_mode():
    m = make("gumbel-sinkhorn")
    m.train()
    assert not torch.allclose(m.table(), m.table())
    m.eval()
    assert torch.equal(m.table(), m.table())
    assert torch.equal(m.scores(), m.scores())  # scores never carry noise


def test_gumbel_temperature_anneals_geometrically_and_is_checkpointed():
    m = make("gumbel-sinkhorn", tau_start=1.0, tau_end=0.01)
    assert m.temperature() == pytest.approx(1.0)
    m.set_progress(0.5)
    assert m.temperature() == pytest.approx(0.1)
    m.set_progress(2.0)  # clamped
    assert m.temperature() == pytest.approx(0.01)
    fresh = make("gumbel-sinkhorn", tau_start=1.0, tau_end=0.01)
    fresh.load_state_dict(m.state_dict())
    assert fresh.temperature() == pytest.approx(0.01)


def test_set_progress_is_a_no_op_for_mappings_without_a_schedule():
    m = make("sinkhorn")
    before = m.table().detach().clone()
    m.set_progress(0.7)
    assert torch.equal(m.table(), before) and m.tau == 1.0


def test_hard_assignment_is_the_best_permutation():
    m = make("sinkhorn", seed=7)
    s = m.scores()
    best = max(itertools.permutations(range(6)), key=lambda p: s[torch.arange(6), torch.tensor(p)].sum().item())
    assert m.hard_assignment().tolist() == list(best)


def test_sparse_hard_assignment_stays_on_the_support_and_falls_back_when_it_cannot():
    m = make("softmax", topk=3, seed=8)
    cols = m.hard_assignment()
    assert sorted(cols.tolist()) == list(range(6))
    assert all(c in m.support[r].tolist() for r, c in enumerate(cols.tolist()))
    m.support[:] = torch.tensor([0, 1, 2])  # every row on the same 3 columns: no full matching
    assert sorted(m.hard_assignment().tolist()) == list(range(6))


def test_hard_assignment_with_more_words_than_rows_gives_the_rest_their_best_column():
    torch.manual_seed(0)
    m = SinkhornMapping(6, 3, torch.randn(4, 3), init=torch.randn(6, 4))
    s = m.scores()
    # brute force: which 4 words get frozen rows 0..3 one-to-one; the other 2 take their best row
    chosen = max(itertools.permutations(range(6), 4), key=lambda rows: sum(s[r, j].item() for j, r in enumerate(rows)))
    expected = s.argmax(1)
    expected[list(chosen)] = torch.arange(4)
    assert torch.equal(m.hard_assignment(), expected)


def test_harden_rounds_to_the_hard_assignment():
    m = make("autoshuffle", seed=9)
    cols = m.hard_assignment()
    assert torch.equal(m.harden(), cols)
    assert torch.allclose(m.table(), m.target[cols], atol=1e-5)


def test_l1_l2_penalty_is_zero_exactly_at_a_permutation_and_positive_off_it():
    perm = torch.eye(5)[torch.randperm(5, generator=torch.Generator().manual_seed(0))]
    assert dense_l1_l2(perm).item() == 0.0
    uniform = torch.full((5, 5), 0.2)
    assert dense_l1_l2(uniform).item() == pytest.approx(2 * 5 * (1 - 5 ** -0.5), rel=1e-5)
    nearly = 0.9 * perm + 0.1 * uniform
    assert 0 < dense_l1_l2(nearly).item() < dense_l1_l2(uniform).item()


@pytest.mark.parametrize("topk", [None, 3])
def test_autoshuffle_penalty_vanishes_at_a_hard_assignment_and_has_gradient_off_it(topk):
    m = make("autoshuffle", init=0.1 * torch.randn(6, 6), topk=topk, penalty_weight=0.5)  # near uniform
    m.train()
    m.table()
    soft = m.penalty()
    soft.backward()
    assert soft.item() > 0.5 and m.logits.grad.abs().sum() > 0
    with torch.no_grad():
        m.harden()
    assert m.penalty().item() < 1e-6


def test_autoshuffle_penalty_reuses_this_steps_weights_and_matches_a_fresh_one():
    m = make("autoshuffle", penalty_weight=0.1).train()
    m.table()
    assert "weights" in m._step
    cached = m.penalty()
    assert not m._step
    assert torch.allclose(cached, m.penalty())


@pytest.mark.parametrize("name", MIXTURES)
def test_state_dict_holds_only_the_parameter_and_buffers_after_a_step(name):
    m = make(name, topk=3).train()
    (m.table().sum() + m.penalty()).backward()
    assert sorted(m.state_dict()) == sorted([m.param_name, "target", "support"]
                                            + (["progress"] if name == "gumbel-sinkhorn" else []))
    assert [n for n, _ in m.named_parameters()] == [m.param_name]


@pytest.mark.parametrize("topk", [None, 6])
def test_linear_penalty_is_zero_when_rows_and_columns_sum_to_one(topk):
    m = make("linear", init=torch.zeros(6, 6), topk=topk, penalty_weight=2.0)  # softmax(0): P = 1/6
    assert m.penalty().item() == pytest.approx(0.0, abs=1e-6)
    m.assign(torch.arange(6), torch.tensor([1, 0, 2, 3, 5, 4]))  # a permutation
    assert m.penalty().item() == pytest.approx(0.0, abs=1e-6)
    with torch.no_grad():
        m.p.mul_(2.0)  # rows and columns now sum to 2
    assert m.penalty().item() == pytest.approx(2.0 * (1 + 1))


def test_linear_init_as_raw_keeps_the_given_values():
    init = torch.randn(6, 6) * 0.01
    assert torch.equal(make("linear", init=init, init_as="raw").p.detach(), init)
    assert torch.allclose(make("linear", init=init).p.detach().sum(1), torch.ones(6))


@pytest.mark.parametrize("name", MIXTURES)
def test_normalize_gives_unit_length_centred_rows(name):
    m = make(name, normalize=True)
    assert torch.allclose(m.target.norm(dim=1), torch.ones(6), atol=1e-5)
    raw = make(name)
    kept = make(name, normalize=True, keep_scale=True)
    assert torch.allclose(kept.target.norm(dim=1), torch.full((6,), raw.target.norm(dim=1).mean().item()), atol=1e-5)
    assert not torch.allclose(m.target, raw.target / raw.target.norm(dim=1, keepdim=True))  # centred too


def test_refresh_support_keeps_the_best_column_and_takes_the_candidates_top():
    m = make("softmax", topk=2, seed=11)
    best = m.best_columns().clone()
    kept_logit = m.logits.detach().gather(1, m.support.eq(best[:, None]).to(torch.uint8).argmax(1, keepdim=True))
    candidates = torch.zeros(6, 6)
    candidates[torch.arange(6), (best + 3) % 6] = 1.0  # a column away from the current best
    changed = m.refresh_support(candidates)
    assert sorted(map(sorted, m.support.tolist())) == sorted(sorted([b, (b + 3) % 6]) for b in best.tolist())
    assert torch.equal(m.best_columns(), best)
    slot = m.support.eq(best[:, None]).to(torch.uint8).argmax(1, keepdim=True)
    assert torch.equal(m.logits.detach().gather(1, slot), kept_logit)  # carried over
    assert 0 < changed <= 6
    assert m.refresh_support(candidates) == 0  # same candidates, same support


def test_refresh_support_by_similarity_and_dense_is_a_no_op():
    m = make("softmax", topk=3, seed=12)
    assert m.refresh_support() >= 0 and m.support.shape == (6, 3)
    assert all(len(set(r)) == 3 for r in m.support.tolist())
    assert make("softmax").refresh_support() == 0


def test_sparse_without_init_draws_a_random_support_per_row():
    torch.manual_seed(0)
    m = SoftmaxMapping(50, 3, torch.randn(50, 3), topk=5)
    assert len({tuple(sorted(r)) for r in m.support.tolist()}) > 40


def test_bad_arguments_are_rejected():
    t = torch.randn(6, 3)
    with pytest.raises(ValueError, match="topk"):
        SoftmaxMapping(6, 3, t, topk=0)
    with pytest.raises(ValueError, match="tau_start"):
        GumbelSinkhornMapping(6, 3, t, tau_end=0.0)
    with pytest.raises(ValueError, match="init_as"):
        LinearMapping(6, 3, t, init_as="kaiming")
    with pytest.raises(ValueError, match="penalty_weight"):
        AutoShuffleMapping(6, 3, t, penalty_weight=-1)
    with pytest.raises(ValueError, match="candidates"):
        SoftmaxMapping(6, 3, t, topk=2).refresh_support(torch.zeros(6, 5))


@pytest.mark.parametrize("topk", [None, 4])
def test_em_round_runs_on_every_support(topk):
    torch.manual_seed(0)
    V, d = 8, 5
    body = AWDLSTM(AWDLSTMConfig(emb_dim=d, hidden=7, input_dropout=0, hidden_dropout=0,
                                 output_dropout=0, weight_dropout=0)).eval()
    mapping = GumbelSinkhornMapping(V, d, torch.randn(V, d), init=torch.randn(V, V), topk=topk)
    model = LanguageModel(mapping, body, emb_dropout=0.0)
    info = em_round(model, batchify(torch.randint(0, V, (200,)), 4), bptt=20)
    cols = mapping.best_columns()
    assert sorted(cols.tolist()) == list(range(V)) and info["windows"] > 0
    assert torch.allclose(mapping.table(), mapping.target[cols], atol=1e-5)
