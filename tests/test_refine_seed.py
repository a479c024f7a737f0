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
    # those options existed: old checkpoints resume
    cfg = RefineConfig(vectors=({"method": "ppmi"},))
    on = dataclasses.replace(cfg, seed_identical=True)
    corpora = ("text:b.txt", "text:a.txt")
    assert _key(LEXICON, corpora, cfg, None) != _key(LEXICON, corpora, on, None)
    spec = {k: v for k, v in dataclasses.asdict(cfg).items() if k not in ("parallel", "seed_from", "prior",
                                                                          "seed_identical", "runs", "keep_within",
                                                                          "rounds")}
    blob = json.dumps([list(LEXICON.items())[:cfg.seed_words], list(corpora), spec], sort_keys=True, default=str)
    assert _key(LEXICON, corpora, cfg, None) == hashlib.sha256(blob.encode()).hexdigest()[:16]
    within = dataclasses.replace(cfg, keep_within=0.005)
    assert _key(LEXICON, corpora, cfg, None) != _key(LEXICON, corpora, within, None)
    two_rounds = dataclasses.replace(cfg, rounds=2)
    assert _key(LEXICON, corpora, cfg, None) != _key(LEXICON, corpora, two_rounds, None)
