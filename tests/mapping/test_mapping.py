import pytest
import torch

from decoder_head.errors import DecoderHeadError
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
    assert {"free", "linear", "softmax", "sinkhorn", "gumbel-sinkhorn", "autoshuffle"} <= set(REGISTRY)
    assert isinstance(build_mapping("free", 10, 4), FreeMapping)
    with pytest.raises(DecoderHeadError, match="unknown mapping 'nope'; known: autoshuffle, free"):
        build_mapping("nope", 10, 4)


def test_build_mapping_drops_arguments_meant_for_another_mapping_with_a_warning():
    with pytest.warns(UserWarning, match="'free' ignores argument\\(s\\) n_iter, tau; it takes: init_std"):
        m = build_mapping("free", 10, 4, tau=1.0, n_iter=10, init_std=0.5)
    assert isinstance(m, FreeMapping)


def test_build_mapping_turns_bad_values_into_one_line_errors():
    with pytest.raises(DecoderHeadError, match="mapping 'sinkhorn': tau must be > 0"):
        build_mapping("sinkhorn", 5, 4, target=torch.randn(5, 4), tau=0.0)
    with pytest.raises(DecoderHeadError, match="mapping 'linear': init logits must be \\(5, 6\\)"):
        build_mapping("linear", 5, 4, target=torch.randn(6, 4), init=torch.zeros(5, 5))


def test_sinkhorn_rejects_target_of_wrong_dimension():
    with pytest.raises(ValueError, match="target table"):
        SinkhornMapping(5, 4, torch.randn(5, 3))
