"""Agreement between spaces: what refine.join reads to decide whether two self-learned spaces may be joined."""

import torch

from decoder_head.experiment import Lexicon, agreement, top1

SRC, TRG = [f"s{i}" for i in range(6)], [f"t{i}" for i in range(6)]


def space(shift: int) -> Lexicon:
    """B's word i lands on A's word i + shift (mod 6): one-hot rows, so CSLS reads the map back exactly."""
    eye = torch.eye(6)
    return Lexicon(SRC, eye, TRG, eye[[(i - shift) % 6 for i in range(6)]])


def test_top1_reads_each_source_words_best_target_and_agreement_counts_the_shared_reading():
    same, other = space(0), space(1)
    assert top1(same, knn=2) == {f"s{i}": f"t{i}" for i in range(6)}
    assert top1(other, knn=2, words=["s0", "s5"]) == {"s0": "t1", "s5": "t0"}
    assert agreement(top1(same, knn=2), same, knn=2) == 1.0
    assert agreement(top1(same, knn=2), other, knn=2) == 0.0
    # only the seed's words count, and a seed with none of B's words agrees on nothing
    assert agreement({"s0": "t1", "s1": "t1", "zz": "t0"}, other, knn=2) == 0.5
    assert agreement({"zz": "t0"}, same, knn=2) == 0.0
