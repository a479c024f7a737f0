import pytest
import torch

from decoder_head.mapping import REGISTRY, FreeMapping, SinkhornMapping, build_mapping, log_sinkhorn


@pytest.mark.parametrize("shape", [(7, 7), (6, 9), (9, 6)])
def test_sinkhorn_rows_and_columns_sum_to_their_marginals(shape):
    torch.manual_seed(0)
    p = log_sinkhorn(torch.randn(*shape) * 3, n_iter=200).exp()
    rows, cols = shape
    assert torch.allclose(p.sum(1), torch.ones(rows), atol=1e-5)
    assert torch.allclose(p.sum(0), torch.full((cols,), rows / cols), atol=1e-4)


def test_sinkhorn_low_temperature_approaches_the_permutation():
    torch.manual_seed(0)
    perm = torch.randperm(6)
    logits = torch.randn(6, 6) * 0.1
    logits[torch.arange(6), perm] += 1.0
    m = SinkhornMapping(6, 3, torch.randn(6, 3), tau=0.01, n_iter=50, init=logits)
    assert torch.equal(m.scores().argmax(1), perm)
    assert torch.allclose(m.table(), m.target[perm], atol=1e-3)


def test_sinkhorn_table_is_differentiable_in_logits():
    torch.manual_seed(0)
    m = SinkhornMapping(5, 4, torch.randn(5, 4), init=torch.randn(5, 5))
    m.table().pow(2).sum().backward()
    assert m.logits.grad is not None and m.logits.grad.abs().sum() > 0
    assert m.target.requires_grad is False


def test_registry_builds_by_name_and_rejects_unknown():
    assert {"free", "sinkhorn"} <= set(REGISTRY)
    assert isinstance(build_mapping("free", 10, 4), FreeMapping)
    with pytest.raises(ValueError, match="unknown mapping"):
        build_mapping("nope", 10, 4)


def test_sinkhorn_rejects_target_of_wrong_dimension():
    with pytest.raises(ValueError, match="target table"):
        SinkhornMapping(5, 4, torch.randn(5, 3))
