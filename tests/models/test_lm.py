import torch

from decoder_head.mapping import FreeMapping, SinkhornMapping
from decoder_head.models import AWDLSTM, AWDLSTMConfig, LanguageModel


def tiny_lm(vocab=12, dim=6):
    torch.manual_seed(0)
    body = AWDLSTM(AWDLSTMConfig(emb_dim=dim, hidden=10, n_layers=2))
    return LanguageModel(FreeMapping(vocab, dim), body, emb_dropout=0.1)


def test_shapes_and_explicit_state():
    lm = tiny_lm().eval()
    ids = torch.randint(0, 12, (3, 5))
    logits, state = lm(ids)
    assert logits.shape == (3, 5, 12)
    assert len(state) == 2 and state[0][0].shape == (1, 3, 10) and state[1][0].shape == (1, 3, 6)


def test_incremental_forward_equals_full_forward():
    lm = tiny_lm().eval()
    ids = torch.randint(0, 12, (2, 6))
    full, _ = lm(ids)
    first, state = lm(ids[:, :3])
    second, _ = lm(ids[:, 3:], state)
    assert torch.allclose(torch.cat([first, second], 1), full, atol=1e-5)


def test_identity_mixture_reproduces_the_original_logits():
    lm = tiny_lm().eval()
    table = lm.mapping.table().detach()
    ids = torch.randint(0, 12, (2, 7))
    original, _ = lm(ids)
    identity = SinkhornMapping(12, 6, table, tau=0.01, n_iter=20, init=torch.eye(12) * 10)
    swapped = LanguageModel(identity, lm.body, emb_dropout=0.0).eval()
    again, _ = swapped(ids)
    assert torch.allclose(again, original, atol=1e-4)


def test_dropout_only_in_training_mode():
    lm = tiny_lm()
    ids = torch.randint(0, 12, (2, 5))
    lm.eval()
    a, _ = lm(ids)
    b, _ = lm(ids)
    assert torch.equal(a, b)
    lm.train()
    torch.manual_seed(1)
    c, _ = lm(ids)
    assert not torch.allclose(a, c)


def test_weight_drop_leaves_raw_weights_untouched():
    lm = tiny_lm().train()
    before = lm.body.layers[0].lstm.weight_hh_l0.detach().clone()
    lm(torch.randint(0, 12, (2, 5)))
    assert torch.equal(lm.body.layers[0].lstm.weight_hh_l0, before)
