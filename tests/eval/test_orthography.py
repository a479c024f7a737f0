"""Orthographic re-ranking: cognates move up, weight 0 changes nothing."""

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
