"""Orthographic re-ranking: cognates move up, weight 0 changes nothing."""

import numpy as np
import pytest
import torch

from decoder_head.eval.bli import evaluate_bli
from decoder_head.eval.orthography import rerank, string_similarity, strip_accents


def test_accents_and_case_do_not_count():
    assert strip_accents("Faraón") == "faraon"
    sim = string_similarity(["faraón", "agua"], ["pharaoh", "water", "agua"])
    assert sim.shape == (2, 3)
    assert sim[1, 2] == 1.0 and sim[0, 0] > sim[0, 1]


def test_rerank_moves_the_cognate_up_and_weight_zero_is_identity():
    scores = torch.tensor([[0.9, 0.8]])
    idx = torch.tensor([[0, 1]])
    trg = ["water", "prophet"]
    assert rerank(scores, idx, ["profeta"], trg, 0.0)[1].tolist() == [[0, 1]]
    s, i = rerank(scores, idx, ["profeta"], trg, 1.0)
    assert i.tolist() == [[1, 0]] and s[0, 0] > s[0, 1]


def test_bli_with_orthography_finds_the_cognate():
    torch.manual_seed(0)
    src, trg = torch.randn(3, 8), torch.randn(4, 8)
    src_words, trg_words = ["profeta", "agua", "casa"], ["house", "water", "prophet", "king"]
    trg[2] = src[0] + 0.6 * torch.randn(8)  # near, but maybe not nearest
    gold = {"profeta": {"prophet"}}
    plain = evaluate_bli(src_words, src, trg_words, trg, gold, method="nn")
    ortho = evaluate_bli(src_words, src, trg_words, trg, gold, method="nn", orthography=10.0)
    assert ortho["p_at_1"] == 100.0 and ortho["p_at_1"] >= plain["p_at_1"]


def test_bigram_profiles_are_unit_rows_that_see_letters_not_accents():
    from decoder_head.eval.orthography import bigram_profiles

    p = bigram_profiles(["profeta", "prophet", "water", "Faraón", "faraon", "123"]).toarray()
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0)
    cos = p @ p.T
    assert cos[3, 4] == pytest.approx(1.0)  # accents and case stripped
    assert cos[0, 1] > cos[0, 2] + 0.2  # cognates share bigrams (#p pr)
    assert p[5].nonzero()[0].size == 1  # no letters: only the boundary bigram


def test_pair_scores_equal_the_dense_profile_cosines_times_the_weight():
    from decoder_head.eval.orthography import CharacterProfiles

    src, trg = ["casa", "profeta", "rey", "agua"], ["house", "prophet", "king", "water", "prophecy"]
    prof = CharacterProfiles.of(src, trg, weight=0.3)
    dense = prof.src.toarray() @ prof.trg.toarray().T  # (4, 5)
    cand = torch.tensor([[0, 1], [1, 4], [2, 2], [3, 0]])
    got = prof.pair_scores(cand, chunk=3)
    want = 0.3 * np.take_along_axis(dense, cand.numpy(), axis=1)
    assert np.allclose(got.numpy(), want, atol=1e-6)
    back = prof.swapped().pair_scores(torch.tensor([[1], [0], [3], [2], [1]]))
    assert tuple(back.shape) == (5, 1) and back[0, 0] == pytest.approx(0.3 * dense[1, 0], abs=1e-6)


def test_the_precomputed_table_gives_the_same_pair_scores_both_ways():
    import torch

    from decoder_head.eval.orthography import CharacterProfiles

    src = ["profeta", "templo", "nación", "agua", "dios", "rey", "casa"]
    trg = ["prophet", "temple", "nation", "water", "god", "king", "house", "the"]
    plain = CharacterProfiles.of(src, trg, 0.1)
    cached = plain.with_table(5, 6)  # covers the first rows only, like a vocabulary cut-off
    gen = torch.Generator().manual_seed(0)
    fwd = torch.randint(0, 6, (5, 3), generator=gen)
    bwd = torch.randint(0, 5, (6, 3), generator=gen)
    assert cached.table is not None and cached.table.shape == (5, 6)
    assert torch.equal(plain.pair_scores(fwd), cached.pair_scores(fwd))
    assert torch.equal(plain.swapped().pair_scores(bwd), cached.swapped().pair_scores(bwd))
    beyond = torch.randint(0, 8, (7, 3), generator=gen)  # rows/candidates past the table: computed
    assert torch.equal(plain.pair_scores(beyond), cached.pair_scores(beyond))
