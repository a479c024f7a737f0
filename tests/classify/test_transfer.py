"""Zero-shot rows: a swapped table that equals the English one scores like English; lookups; the
induced mapping of a real (tiny) run, and generation through it."""

import json

import pytest
import torch

from decoder_head.classify.data import Lexical, read_labelled, split_verses
from decoder_head.classify.train import train_classifier
from decoder_head.classify.transfer import load_induced, lookup_lexical, transfer_rows
from decoder_head.cli import main
from decoder_head.errors import DecoderHeadError


@pytest.fixture(scope="module")
def clf(tiny_lm, bible_workdir, tiny_config, tmp_path_factory):
    return train_classifier(tiny_config(), tiny_lm.folder, tmp_path_factory.mktemp("clf") / "c",
                            bible_workdir / "cache")


def english_test(clf, bible_workdir):
    return split_verses(read_labelled("sword:fakeEN", str(bible_workdir / "cache")), clf.config.task).test


def same_scores(a, b):
    return all(a[k] == b[k] for k in ("n", "accuracy", "macro_f1", "f1"))


def test_a_swapped_table_equal_to_the_english_one_scores_like_english(clf, bible_workdir):
    test = english_test(clf, bible_workdir)
    twin = Lexical("twin", dict(clf.lexical.stoi), clf.lexical.table.clone(), clf.lexical.unk_id, clf.lexical.eos_id)
    shuffled = Lexical("shuffled", dict(clf.lexical.stoi), clf.lexical.table[torch.randperm(len(clf.lexical.table),
                       generator=torch.Generator().manual_seed(0))], clf.lexical.unk_id, clf.lexical.eos_id)
    ceiling, same, wrong = transfer_rows(clf, test, test, [twin, shuffled])
    assert same_scores(ceiling, same) and same["lexical"] == "twin"
    assert wrong["accuracy"] != ceiling["accuracy"]  # the table is what carries the words' meaning


def test_identity_lexicon_lookup_scores_like_english(clf, bible_workdir, tmp_path):
    words = [w for w in clf.lexical.stoi if not w.startswith("<")]
    path = tmp_path / "lexicon.tsv"
    lines = ["src\trank\ttrg\tscore"] + [f"{w}\t1\t{w}\t1.0" for w in words] + ["zzz\t1\tnot-a-word\t1.0"]
    path.write_text("\n".join(lines) + "\n")
    lookup, stats = lookup_lexical("lookup", path, clf.lexical)
    assert stats["entries"] == len(words) + 1 and stats["in_lm_vocab"] == pytest.approx(len(words) / (len(words) + 1))
    assert lookup.encode(("zzz", words[0], "unseen"), 10) == [clf.lexical.eos_id, clf.lexical.unk_id,
                                                              clf.lexical.stoi[words[0]], clf.lexical.unk_id]
    test = english_test(clf, bible_workdir)
    ceiling, looked_up = transfer_rows(clf, test, test, [lookup])
    assert same_scores(ceiling, looked_up)


def test_rows_are_scored_on_the_verse_ids_both_corpora_have(clf, bible_workdir):
    test = english_test(clf, bible_workdir)
    ceiling, other = transfer_rows(clf, test, test[: len(test) // 2], [clf.lexical])
    assert ceiling["n"] == other["n"] == len(test) // 2
    with pytest.raises(DecoderHeadError, match="share no held-out verse"):
        transfer_rows(clf, test[:2], test[2:4], [clf.lexical])


@pytest.fixture()
def tiny_run(tiny):
    assert main(["run", "--preset", "tests/fixtures/tiny.yaml", "--workdir", "runs", "--no-recover",
                 "--no-refine"]) == 0
    return tiny / "runs" / "tiny"


def test_the_induced_mapping_comes_back_from_the_run_and_generates_spanish(tiny_run, capsys):
    induced = load_induced(tiny_run)
    assert induced.table.shape == (len(induced.vocab), 16)  # language B's rows in A's 16-d input space
    assert induced.lexical().encode(("dios", "qqq"), 5)[1:] == [induced.vocab.stoi["dios"], induced.vocab.unk_id]
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    capsys.readouterr()
    assert main(["generate", "y dijo dios", "--mapping", str(tiny_run), "--words", "15"]) == 0
    out, err = capsys.readouterr()
    words = out.split()[3:]  # the prompt, then 15 words (an <eos> prints as a line break)
    assert 0 < len(words) <= 15 and all(w in induced.vocab.stoi for w in words)  # Spanish words from an English body
    assert any(w not in induced.lm.vocab.stoi for w in words)
    assert f"{metrics['induce']['unsupervised']['val_ppl']:.1f}" in err and f"{metrics['lm']['val_ppl']:.1f}" in err


def test_a_folder_without_an_induced_mapping_is_one_clear_error(tiny_run, capsys):
    for args, match in ((["--mapping", "runs/nothing"], "not a run folder"),
                        (["--mapping", str(tiny_run), "--lm", "runs/lms"], "not both")):
        assert main(["generate", "y dijo", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err and match in err, err
    meta = tiny_run / "checkpoints" / "induce" / "meta.json"
    m = json.loads(meta.read_text())
    meta.write_text(json.dumps({**m, "epoch": -1}))  # as if killed during the first epoch
    with pytest.raises(DecoderHeadError, match="stopped after epoch 0 of 1"):
        load_induced(tiny_run)
