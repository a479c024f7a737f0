"""refine's seed: the stage's pairs first, identical strings for the words they leave (refine.seed_identical)."""

import dataclasses
import hashlib
import json

from decoder_head.config import RefineConfig
from decoder_head.refine import _key, seed_indices

SRC = ["de", "la", "roma", "dios", "2", "casa"]
TRG = ["the", "of", "god", "rome", "2", "house", "la"]
LEXICON = {"de": "of", "la": "the", "dios": "god", "casa": "nowhere", "roma": "rome"}


def pairs(src_idx, trg_idx):
    return [(SRC[i], TRG[j]) for i, j in zip(src_idx.tolist(), trg_idx.tolist())]


def test_the_lexicon_alone_keeps_its_first_pairs_with_vectors():
    assert pairs(*seed_indices(LEXICON, SRC, TRG, 4)) == [("de", "of"), ("la", "the"), ("dios", "god")]


def test_identical_strings_fill_only_the_rows_the_lexicon_leaves():
    got = pairs(*seed_indices(LEXICON, SRC, TRG, 3, identical=True))
    # "la" keeps the lexicon's "the", not its identical "la"; "casa" and "roma" are past the first 3
    # pairs and no A word is spelled like them: neither is seeded
    assert got == [("de", "of"), ("la", "the"), ("dios", "god"), ("2", "2")]


def test_the_checkpoint_key_tells_the_seeds_apart_and_keeps_old_keys():
    # with seed_identical off, one self-learning run and every run kept the key is what it was before
    # those options existed, and join never enters it: old checkpoints resume
    cfg = RefineConfig(vectors=({"method": "ppmi"},))
    on = dataclasses.replace(cfg, seed_identical=True)
    corpora = ("text:b.txt", "text:a.txt")
    assert _key(LEXICON, corpora, cfg, None) != _key(LEXICON, corpora, on, None)
    spec = {k: v for k, v in dataclasses.asdict(cfg).items() if k not in ("parallel", "seed_from", "prior",
                                                                          "seed_identical", "runs", "keep_within",
                                                                          "rounds", "join", "join_agreement")}
    blob = json.dumps([list(LEXICON.items())[:cfg.seed_words], list(corpora), spec], sort_keys=True, default=str)
    assert _key(LEXICON, corpora, cfg, None) == hashlib.sha256(blob.encode()).hexdigest()[:16]
    within = dataclasses.replace(cfg, keep_within=0.005)
    assert _key(LEXICON, corpora, cfg, None) != _key(LEXICON, corpora, within, None)
    two_rounds = dataclasses.replace(cfg, rounds=2)
    assert _key(LEXICON, corpora, cfg, None) != _key(LEXICON, corpora, two_rounds, None)


def test_refine_spaces_aligns_given_spaces_and_its_result_is_kept_under_its_key(tmp_path):
    """Spaces that no corpus made (a rotated, shuffled copy): 40 seed pairs carry self-learning to every
    word; the saved result comes back under its key only."""
    import torch

    from decoder_head.align.self_learning import SelfLearningConfig
    from decoder_head.eval.bli import evaluate_bli
    from decoder_head.refine import load_refined, refine_spaces, save_refined

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(300, 16, generator=gen) * torch.linspace(3.0, 0.3, 16)
    rotation, _ = torch.linalg.qr(torch.randn(16, 16, generator=gen))
    perm = torch.randperm(300, generator=gen)
    z = torch.empty_like(x)
    z[perm] = x @ rotation
    sw, tw = [f"b{i}" for i in range(300)], [f"a{j}" for j in range(300)]
    lexicon = {sw[i]: tw[int(perm[i])] for i in range(40)}
    cfg = RefineConfig(vectors=({"method": "ppmi"},), seed_words=40, rounds=2,
                       self_learning=SelfLearningConfig(patience=3))
    out = refine_spaces(lexicon, (sw, x, tw, z), cfg, tmp_path / "runs", "k", progress=False)
    gold = {sw[i]: {tw[int(perm[i])]} for i in range(300)}
    assert out.seed_pairs == 40 and evaluate_bli(sw, out.xw, tw, out.zw, gold, method="csls")["p_at_1"] >= 99.0
    save_refined(tmp_path, "k", out, cfg)
    held = load_refined(tmp_path, "k", cfg)
    assert torch.equal(held.xw, out.xw) and held.src_words == sw and held.iterations == out.iterations
    assert load_refined(tmp_path, "other", cfg) is None and load_refined(tmp_path / "none", "k", cfg) is None
