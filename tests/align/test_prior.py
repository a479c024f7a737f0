"""A seed stage's scores inside self-learning and retrieval (align.prior) on synthetic spaces."""

import pytest
import torch

from decoder_head.align import SelfLearningConfig, self_learning
from decoder_head.align.induction import induce_dictionary
from decoder_head.align.prior import PairPrior, PriorConfig
from decoder_head.config import RefineConfig, load_run_config
from decoder_head.errors import DecoderHeadError
from decoder_head.eval.bli import evaluate_bli, translate
from decoder_head.eval.retrieval import normalize

from test_align import p_at_1, structured_pair


def stage_of(pairs: dict[int, int], n_src: int, n_trg: int, dim: int = 32, seed: int = 0):
    """A seed stage whose B row i sits on A row pairs[i] (others random): its CSLS top-1 is that row."""
    gen = torch.Generator().manual_seed(seed)
    trg = normalize(torch.randn(n_trg, dim, generator=gen))
    src = normalize(torch.randn(n_src, dim, generator=gen))
    for i, j in pairs.items():
        src[i] = trg[j]
    return src, trg


def test_prior_is_the_stage_softmax_on_the_spaces_rows_with_absent_words_left_out():
    src, trg = stage_of({0: 2, 1: 0, 2: 1}, 3, 3)
    stage_src, stage_trg = (["uno", "dos", "tres"], src), (["one", "two", "three"], trg)
    # the spaces hold the words in other rows, and "tres" has no vector
    prior = PairPrior.of(stage_src, stage_trg, ["dos", "x", "uno"], ["three", "one", "two", "y"],
                         PriorConfig(weight=2.0, temperature=0.05, top=2), knn=1)
    assert len(prior) == 4  # 2 stage words with vectors x top 2, every target present
    p = prior.lookup(torch.tensor([2, 0, 0, 1]), torch.tensor([0, 1, 3, 1]))  # uno-three, dos-one, dos-y, x-one
    assert p[0] > 0.9 and p[1] > 0.9 and p[2] == 0 and p[3] == 0
    # pair_scores: rows 0.. by default, the weight applied; swapped reads target rows against sources
    forward = prior.pair_scores(torch.tensor([[1, 0], [3, 0], [0, 0]]))
    assert torch.allclose(forward[0], 2.0 * prior.lookup(torch.tensor(0), torch.tensor([1, 0])))
    backward = prior.swapped().pair_scores(torch.tensor([[2], [0], [0]]))  # three<-uno, one<-dos, two<-dos
    assert backward[0, 0] > 1.8 and backward[1, 0] > 1.8 and backward[2, 0] < 0.2
    src_rows, trg_rows = prior.anchors(0.9)
    assert sorted(zip(src_rows.tolist(), trg_rows.tolist())) == [(0, 1), (2, 0)]


def test_a_confident_prior_decides_dictionary_induction_on_unrelated_spaces():
    gen = torch.Generator().manual_seed(1)
    x, z = normalize(torch.randn(40, 8, generator=gen)), normalize(torch.randn(40, 8, generator=gen))
    truth = torch.randperm(40, generator=gen)
    words_x, words_z = [f"b{i}" for i in range(40)], [f"a{int(truth.argsort()[j])}" for j in range(40)]
    src, trg = stage_of({i: i for i in range(40)}, 40, 40)  # the stage knows b_i = a_i
    stage = ([f"b{i}" for i in range(40)], src), ([f"a{i}" for i in range(40)], trg)
    prior = PairPrior.of(*stage, words_x, words_z, PriorConfig(weight=5.0, top=3))
    s_plain, t_plain, _ = induce_dictionary(x, z, cutoff=40, knn=5, candidates=0)
    assert int((t_plain[:40] == truth).sum()) < 10
    for shortlist in (0, 5):  # 5: most true pairs are not among the cosine-nearest; the prior adds them
        s, t, _ = induce_dictionary(x, z, cutoff=40, knn=5, candidates=shortlist, bonus=prior)
        assert torch.equal(t[:40], truth) and torch.equal(s[40:], truth.argsort())  # both directions follow it


def test_anchors_rescue_self_learning_from_a_wrong_seed():
    x, z, perm = structured_pair(n=300, d=16, noise=0.01, seed=5)
    sw, tw = [f"b{i}" for i in range(300)], [""] * 300
    for i in range(300):
        tw[int(perm[i])] = f"a{i}"
    known = list(range(0, 300, 10))  # the stage holds 1 word in 10 (as the decoder head's 2k of 20k), all right
    src, trg = stage_of({k: i for k, i in enumerate(known)}, len(known), 300)
    stage = ([f"b{i}" for i in known], src), ([f"a{i}" for i in range(300)], trg)
    wrong = (torch.arange(5), torch.arange(5, 10))
    cfg = SelfLearningConfig(patience=3, bf16=False)  # float32 shortlist on every CPU
    plain = self_learning(x, z, *wrong, cfg, progress=False)
    assert p_at_1(plain.xw, plain.zw, perm, "csls") < 20
    prior = PairPrior.of(*stage, sw, tw, PriorConfig(weight=0.0, top=3))
    anchors = prior.anchors(0.5)
    assert sorted(zip(anchors[0].tolist(), anchors[1].tolist())) == [(i, int(perm[i])) for i in known]
    anchored = self_learning(x, z, *wrong, cfg, progress=False, anchors=anchors)
    assert p_at_1(anchored.xw, anchored.zw, perm, "csls") >= 99.0


def test_retrieval_re_ranks_by_the_prior_only_where_it_has_entries():
    gen = torch.Generator().manual_seed(2)
    xs, zs = normalize(torch.randn(30, 8, generator=gen)), normalize(torch.randn(30, 8, generator=gen))
    sw, tw = [f"b{i}" for i in range(30)], [f"a{i}" for i in range(30)]
    gold = {f"b{i}": {f"a{i}"} for i in range(30)}
    src, trg = stage_of({i: i for i in range(15)}, 15, 30)  # the stage holds the first 15 words only
    prior = PairPrior.of((sw[:15], src), (tw, trg), sw, tw, PriorConfig(weight=10.0, top=2))
    plain, helped = translate(sw, xs, tw, zs, k=1), translate(sw, xs, tw, zs, k=1, prior=prior)
    assert [helped[w][0][0] for w in sw[:15]] == tw[:15]  # the stage's words follow it
    assert [helped[w] for w in sw[15:]] == [plain[w] for w in sw[15:]]  # the others keep their CSLS top-1
    assert sum(plain[w][0][0] == t for w, t in zip(sw, tw)) < 5
    assert evaluate_bli(sw, xs, tw, zs, gold, prior=prior)["p_at_1"] >= 50.0


def test_prior_config_is_checked_and_reaches_the_run_config():
    with pytest.raises(DecoderHeadError, match="temperature"):
        PriorConfig(temperature=0)
    assert not PriorConfig().active and PriorConfig(weight=0.3, induction=False).active
    assert not PriorConfig(weight=0.3, induction=False).in_loop and PriorConfig(anchors=0.5).in_loop
    cfg = load_run_config("default", ["refine.prior.weight=0.3", "refine.prior.induction=false"])
    assert cfg.refine.prior == PriorConfig(weight=0.3, induction=False)
    assert RefineConfig().prior == PriorConfig()
    with pytest.raises(DecoderHeadError, match="prior"):
        load_run_config("default", ["refine.prior.anchors=2"])
