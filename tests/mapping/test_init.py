import pytest
import torch

from decoder_head.errors import DecoderHeadError
from decoder_head.mapping import SoftmaxMapping
from decoder_head.mapping.init import anchor_digest, seed_logits, seed_pairs

SRC = ["<unk>", "<eos>", "dios", "12", "jesus", "3:16", "dios"]
TRG = ["<unk>", "<eos>", "god", "3:16", "jesus", "12", "moses"]


def test_identical_pairs_skip_the_specials():
    rows, cols = seed_pairs(SRC, TRG, "identical", n_specials=2)
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(3, 5), (4, 4), (5, 3)]


def test_numeral_pairs_are_the_identical_numerals_only():
    rows, cols = seed_pairs(SRC, TRG, "numerals", n_specials=2)
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(3, 5), (5, 3)]


def test_no_shared_string_gives_an_empty_seed_and_unknown_kinds_are_bad_input():
    rows, cols = seed_pairs(["a", "b"], ["c", "d"])
    assert rows.numel() == 0 and cols.numel() == 0
    with pytest.raises(DecoderHeadError, match="unknown seed 'cognates'.*no such file"):
        seed_pairs(SRC, TRG, "cognates")


def test_a_pair_file_seeds_the_pairs_both_vocabularies_have(tmp_path):
    """Every translation of a source word that both vocabularies hold is seeded; specials, unknown words
    and a pair file's case do not matter; its content (not its name) is what names the run."""
    f = tmp_path / "known.txt"
    f.write_text("Dios god\ndios moses\njesus jesus\nnada nothing\n<unk> <unk>\n")
    src = ["<unk>", "<eos>", "dios", "12", "jesus"]
    rows, cols = seed_pairs(src, TRG, str(f), n_specials=2)
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(2, 2), (2, 6), (4, 4)]
    digest = anchor_digest(str(f))
    assert list(digest) == ["anchors_file"] and anchor_digest("identical") == {} and anchor_digest(None) == {}
    f.write_text("dios god\n")
    assert anchor_digest(str(f)) != digest
    f.write_text("dios god extra\n")
    with pytest.raises(DecoderHeadError, match="expected 2 fields"):
        seed_pairs(SRC, TRG, str(f))


def test_seeded_logits_put_the_seeded_words_on_their_rows():
    torch.manual_seed(0)
    init = torch.randn(7, 7)
    rows, cols = seed_pairs(SRC, TRG, n_specials=2)
    seeded = seed_logits(init, rows, cols, boost=5.0)
    assert torch.equal(seeded.argmax(1)[rows], cols)
    assert seeded[rows, cols].tolist() == pytest.approx((init[rows].max(1).values + 5).tolist())
    untouched = torch.ones(7, dtype=torch.bool)
    untouched[rows] = False
    assert torch.equal(seeded[untouched], init[untouched]) and not torch.equal(seeded, init)
    m = SoftmaxMapping(7, 3, torch.randn(7, 3), init=seeded, topk=2)  # a sparse support keeps them
    assert all(c in m.support[r].tolist() for r, c in zip(rows.tolist(), cols.tolist()))
    assert torch.equal(m.best_columns()[rows], cols)


def test_seed_logits_rejects_unpaired_indices():
    with pytest.raises(ValueError, match="pair up"):
        seed_logits(torch.zeros(3, 3), torch.tensor([0, 1]), torch.tensor([0]))
