"""Concat pooling against a brute-force loop; padding never changes a verse's features."""

import torch

from decoder_head.classify.head import Classifier, PoolingHead, concat_pool
from decoder_head.models import AWDLSTM, AWDLSTMConfig


def test_concat_pool_is_last_max_mean_over_the_real_positions():
    torch.manual_seed(0)
    out = torch.randn(3, 5, 4)
    lengths = torch.tensor([5, 2, 1])
    pooled = concat_pool(out, lengths)
    assert pooled.shape == (3, 12)
    for i, n in enumerate(lengths.tolist()):
        real = out[i, :n]
        expected = torch.cat([real[-1], real.max(0).values, real.mean(0)])
        assert torch.allclose(pooled[i], expected)


def test_padding_after_a_verse_does_not_change_its_features_or_logits():
    torch.manual_seed(0)
    body = AWDLSTM(AWDLSTMConfig(emb_dim=6, hidden=10, n_layers=2)).eval()
    model = Classifier(body, PoolingHead(6, 7, hidden=5)).eval()
    short, long_ = torch.randn(1, 3, 6), torch.randn(1, 8, 6)
    batch = torch.cat([torch.cat([short, torch.randn(1, 5, 6)], 1), long_])  # junk after the short verse
    alone = model(short, torch.tensor([3]))
    together = model(batch, torch.tensor([3, 8]))
    assert together.shape == (2, 7)
    assert torch.allclose(alone[0], together[0], atol=1e-6)
    assert torch.allclose(model(long_, torch.tensor([8]))[0], together[1], atol=1e-6)
