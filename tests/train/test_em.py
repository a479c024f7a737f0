import itertools

import pytest
import torch
import torch.nn.functional as F

from decoder_head.mapping import SinkhornMapping
from decoder_head.models import AWDLSTM, AWDLSTMConfig, LanguageModel
from decoder_head.train.batches import batchify
from decoder_head.train.em import assignment_scores, em_round


def setup(seed=0, V=9, d=5):
    torch.manual_seed(seed)
    body = AWDLSTM(AWDLSTMConfig(emb_dim=d, hidden=7, input_dropout=0, hidden_dropout=0,
                                 output_dropout=0, weight_dropout=0)).eval()
    mapping = SinkhornMapping(V, d, torch.randn(V, d), tau=1.0, n_iter=30, init=torch.randn(V, V))
    stream = batchify(torch.randint(0, V, (240,)), 4)
    return LanguageModel(mapping, body, emb_dropout=0.0), stream


def test_assignment_scores_equal_a_direct_computation():
    model, stream = setup()
    scores, n = assignment_scores(model, stream, bptt=60)  # one window covers the stream
    assert n == 1
    x, y = stream[:, :-1], stream[:, 1:]
    out, _ = model.body(model.mapping.table()[x])
    log_q = F.log_softmax(out @ model.mapping.target.t(), -1)
    expected = torch.zeros_like(scores)
    for b in range(y.size(0)):
        for t in range(y.size(1)):
            expected[y[b, t]] += log_q[b, t]
    assert torch.allclose(scores, expected, atol=1e-4)


def test_em_round_picks_the_best_permutation_for_the_current_inputs():
    model, stream = setup(seed=1, V=6)
    old = model.mapping.scores().argmax(1)
    scores, _ = assignment_scores(model, stream, bptt=20)
    info = em_round(model, stream, bptt=20)
    new = model.mapping.scores().argmax(1)
    assert sorted(new.tolist()) == list(range(6))  # a permutation
    rows = torch.arange(6)
    best = max(scores[rows, torch.tensor(p)].sum().item() for p in itertools.permutations(range(6)))
    assert info["log_likelihood"] == pytest.approx(best, rel=1e-6)
    assert info["changed"] == int((old != new).sum())
    table = model.mapping.table()
    assert torch.allclose(table, model.mapping.target[new], atol=1e-5)
