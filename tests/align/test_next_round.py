"""refine.next_round: a second round of self-learning seeded by the first round's own space."""

import torch

from decoder_head.align.self_learning import SelfLearningConfig
from decoder_head.config import RefineConfig
from decoder_head.eval.retrieval import normalize
from decoder_head.refine import next_round

from test_align import structured_pair


def accuracy(xw: torch.Tensor, zw: torch.Tensor, perm: torch.Tensor) -> float:
    return (torch.argmax(xw @ zw.T, dim=1) == perm).float().mean().item()


def test_a_round_starts_from_the_given_spaces_own_lexicon(tmp_path):
    x, z, perm = structured_pair(n=200, d=12, noise=0.05, seed=3)
    x, z = normalize(x, center=True), normalize(z, center=True)
    sw, tw = [f"b{i}" for i in range(200)], [f"a{j}" for j in range(200)]
    cfg = RefineConfig(vectors=({"method": "ppmi"},), seed_words=200, runs=2,
                       self_learning=SelfLearningConfig(patience=2, seed=0))
    gen = torch.Generator().manual_seed(0)
    aligned = (z[perm], z)  # each B row on its translation: the lexicon read off it is the gold one
    scrambled = (z[torch.randperm(200, generator=gen)], z)  # every pair read off it is wrong
    good = next_round(x, z, sw, tw, aligned, cfg, tmp_path / "round2", "k", progress=False, words=(sw, tw))
    bad = next_round(x, z, sw, tw, scrambled, cfg, None, "k", progress=False, words=(sw, tw))
    assert accuracy(good.xw, good.zw, perm) > 0.95
    assert accuracy(bad.xw, bad.zw, perm) < 0.5
    assert sorted(p.name for p in (tmp_path / "round2").iterdir()) == ["run0", "run1"]  # each run a checkpoint
