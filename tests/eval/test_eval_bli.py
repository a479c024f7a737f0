"""BLI metrics on hand-built cases where the expected P@k can be worked out by hand."""

from pathlib import Path

import pytest
import torch

from decoder_head.errors import DecoderHeadError
from decoder_head.eval.bli import evaluate_bli, translate, write_lexicon

SRC = ["a", "b", "c", "d"]
TRG = ["A", "B", "C", "D"]


@pytest.mark.parametrize("method", ["nn", "csls", "isf"])
def test_identity_embeddings_give_100(method: str) -> None:
    emb = torch.eye(4)
    gold = {s: {t} for s, t in zip(SRC, TRG)}
    res = evaluate_bli(SRC, emb, TRG, emb.clone(), gold, method=method)
    assert res["p_at_1"] == res["p_at_5"] == res["p_at_10"] == 100.0
    assert res["coverage"] == 1.0 and res["n_evaluated"] == 4 and res["n_dictionary"] == 4
    assert "by_rank" not in res


def test_shuffled_targets() -> None:
    # Target rows C and D swapped: a->A, b->B still nearest, c lands on D, d on C.
    # By hand: P@1 = 2/4 = 50; with k = 4 every gold is retrieved, P@4 = 100.
    src = torch.eye(4)
    trg = torch.eye(4)[[0, 1, 3, 2]]
    gold = {s: {t} for s, t in zip(SRC, TRG)}
    res = evaluate_bli(SRC, src, TRG, trg, gold, ks=(1, 4), method="nn")
    assert res["p_at_1"] == 50.0 and res["p_at_4"] == 100.0
    assert set(res) == {"p_at_1", "p_at_4", "coverage", "n_evaluated", "n_dictionary", "cognate", "non_cognate"}


def test_any_gold_translation_counts() -> None:
    src = torch.tensor([[1.0, 0.4, 0.0]])  # nearest A (row 0), then B (row 1), then C
    trg = torch.eye(3)
    res = evaluate_bli(["a"], src, ["A", "B", "C"], trg, {"a": {"zzz", "A"}}, method="nn")
    assert res["p_at_1"] == 100.0  # second gold (A) matches; zzz is not in the vocabulary
    res = evaluate_bli(["a"], src, ["A", "B", "C"], trg, {"a": {"B"}}, method="nn", ks=(1, 2))
    assert res["p_at_1"] == 0.0 and res["p_at_2"] == 100.0


def test_coverage_counts_only_evaluable_words() -> None:
    emb = torch.eye(4)
    gold = {"a": {"A"}, "b": {"B", "nope"}, "x": {"C"}, "c": {"nope"}}
    res = evaluate_bli(SRC, emb, TRG, emb, gold, method="nn")
    assert res["n_dictionary"] == 4
    assert res["n_evaluated"] == 2  # x not in source vocab; c has no gold in target vocab
    assert res["coverage"] == 0.5
    assert res["p_at_1"] == 100.0


def test_by_rank_buckets() -> None:
    src = torch.eye(4)
    trg = torch.eye(4)[[0, 1, 3, 2]]  # a, b correct; c, d swapped
    gold = {s: {t} for s, t in zip(SRC, TRG)}
    ranks = {"a": 0, "b": 5, "c": 1, "d": 1500}
    res = evaluate_bli(SRC, src, TRG, trg, gold, method="nn", src_ranks=ranks,
                       rank_buckets=((0, 2), (2, 1000), (1000, None), (5000, None)))
    by = res["by_rank"]
    assert list(by) == ["0-2", "2-1000", "1000+", "5000+"]
    assert by["0-2"] == {"p_at_1": 50.0, "p_at_5": 100.0, "p_at_10": 100.0, "n": 2}
    assert by["2-1000"]["p_at_1"] == 100.0 and by["2-1000"]["n"] == 1
    assert by["1000+"]["p_at_1"] == 0.0 and by["1000+"]["n"] == 1
    assert by["5000+"] == {"p_at_1": None, "p_at_5": None, "p_at_10": None, "n": 0}
    default = evaluate_bli(SRC, src, TRG, trg, gold, method="nn", src_ranks=ranks)["by_rank"]
    assert list(default) == ["0-1000", "1000-3000", "3000+"]
    assert default["0-1000"]["n"] == 3 and default["3000+"]["n"] == 0


def test_no_overlap_is_an_error() -> None:
    emb = torch.eye(4)
    with pytest.raises(DecoderHeadError, match="share no pair: 2 dictionary source words, 1 in"):
        evaluate_bli(SRC, emb, TRG, emb, {"a": {"zz"}, "q": {"A"}})


def test_rows_must_match_words() -> None:
    with pytest.raises(DecoderHeadError, match="4 words but embedding matrix has shape"):
        evaluate_bli(SRC, torch.eye(3), TRG, torch.eye(4), {"a": {"A"}})


def test_translate_and_write_lexicon(tmp_path: Path) -> None:
    emb = torch.eye(4)
    out = translate(SRC, emb, TRG, emb, k=2, method="nn")
    assert list(out) == SRC
    assert out["c"][0][0] == "C" and out["c"][0][1] == pytest.approx(1.0)
    assert len(out["c"]) == 2
    path = tmp_path / "lex.tsv"
    write_lexicon(path, out)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "src\trank\ttrg\tscore"
    assert lines[1] == "a\t1\tA\t1.000000"
    assert len(lines) == 1 + 4 * 2
    assert [p.name for p in tmp_path.iterdir()] == ["lex.tsv"]


def test_cognate_split_counts_spelling_alike_words_apart() -> None:
    # nación~nation and templo~temple spell alike (similarity >= 0.7); perro/dog and agua/water
    # do not (nor does profeta/prophet: 0.57). Rows: nation and dog right, temple and water swapped.
    src_words = ["nación", "templo", "perro", "agua"]
    trg_words = ["nation", "temple", "dog", "water"]
    gold = {s: {t} for s, t in zip(src_words, trg_words)}
    trg = torch.eye(4)[[0, 3, 2, 1]]  # templo -> row of water, agua -> row of temple
    res = evaluate_bli(src_words, torch.eye(4), trg_words, trg, gold, method="nn")
    assert res["p_at_1"] == 50.0
    assert res["cognate"]["n"] == 2 and res["cognate"]["p_at_1"] == 50.0  # nación right, templo wrong
    assert res["non_cognate"]["n"] == 2 and res["non_cognate"]["p_at_1"] == 50.0  # perro right, agua wrong


def test_is_cognate_uses_every_translation_and_strips_accents() -> None:
    from decoder_head.eval.bli import is_cognate

    assert is_cognate("faraón", ["pharaoh", "farao"])  # the accent-stripped second one matches
    assert not is_cognate("perro", ["dog", "hound"])
    assert not is_cognate("perro", [])


def test_mutual_nn_share() -> None:
    from decoder_head.eval.bli import mutual_nn_share

    emb = torch.eye(6)
    assert mutual_nn_share(emb, emb.clone(), knn=2) == 1.0
    # two source words on one target: only one of them gets it back
    src = torch.eye(6)
    src[1] = src[0] + 0.01 * torch.eye(6)[1]
    share = mutual_nn_share(src, torch.eye(6), knn=2)
    assert share == pytest.approx(5 / 6)
    assert mutual_nn_share(src, torch.eye(6), knn=2, n=1) == 1.0
