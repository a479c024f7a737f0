"""Labelled verses, the verse-id hash split, and encoding through a Lexical."""

import pytest
import torch

from decoder_head.classify.config import TaskConfig
from decoder_head.classify.data import Lexical, Verse, embed, read_labelled, same_ids, split_verses
from decoder_head.classify.labels import LABELS
from decoder_head.data.vocab import Vocab
from decoder_head.errors import DecoderHeadError
from decoder_head.seq2seq.data import split_of


def test_verses_are_tokenized_and_labelled_by_their_book(bible_workdir):
    verses = read_labelled("sword:fakeEN", str(bible_workdir / "cache"))
    assert len(verses) == 400
    first = verses[0]
    assert first.id == "Gen.1.1" and LABELS[first.label] == "Law"
    assert first.tokens[:4] == ("in", "the", "beginning", "god")  # the LM's tokenizer: lowercase letter runs
    assert {LABELS[v.label] for v in verses} == set(LABELS)
    nt = read_labelled("sword:fakeEN:nt", str(bible_workdir / "cache"))
    assert {LABELS[v.label] for v in nt} == {"Gospels and Acts", "Epistles", "Revelation"}


def test_a_corpus_without_verse_ids_is_one_clear_error(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("in the beginning\n")
    with pytest.raises(DecoderHeadError, match="use a sword:MODULE corpus"):
        read_labelled(f"text:{text}", None)


def test_split_is_the_seq2seq_rule_and_each_id_alone_decides(bible_workdir):
    task = TaskConfig(corpus="sword:fakeEN", valid_fraction=0.15, test_fraction=0.15)
    verses = read_labelled("sword:fakeEN", str(bible_workdir / "cache"))
    splits = split_verses(verses, task)
    for name in ("train", "valid", "test"):
        assert all(split_of(v.id, 0.15, 0.15, 0) == name for v in getattr(splits, name))
    assert sum(map(len, (splits.train, splits.valid, splits.test))) == len(verses)
    assert not {v.id for v in splits.test} & {v.id for v in splits.train}
    half = split_verses(verses[::2], task)  # dropping verses moves no other verse between parts
    assert {v.id for v in half.test} == {v.id for v in splits.test} & {v.id for v in verses[::2]}
    moved = split_verses(verses, TaskConfig(valid_fraction=0.15, test_fraction=0.15, split_seed=1))
    assert {v.id for v in moved.test} != {v.id for v in splits.test}


def test_too_few_verses_for_a_split_is_one_clear_error():
    with pytest.raises(DecoderHeadError, match="leave no"):
        split_verses([Verse("Gen.1.1", ("a",), 0)], TaskConfig())


def lexical():
    vocab = Vocab(["<unk>", "<eos>", "god", "light"], [0, 0, 5, 3])
    return Lexical.from_vocab("toy", vocab, torch.arange(8.0).view(4, 2))


def test_encode_puts_eos_first_maps_unknown_words_to_unk_and_cuts():
    lex = lexical()
    assert lex.encode(("god", "said", "light"), max_len=10) == [1, 2, 0, 3]
    assert lex.encode(("god", "said", "light"), max_len=2) == [1, 2, 0]
    assert lex.unk_rate([Verse("Gen.1.1", ("god", "said", "light", "day"), 0)], 10) == 0.5


def test_embed_pads_after_each_verse_with_its_rows():
    lex = lexical()
    emb, lengths = embed(lex, [Verse("a", ("god",), 0), Verse("b", ("light", "god", "x"), 0)], 10)
    assert emb.shape == (2, 4, 2) and lengths.tolist() == [2, 4]
    assert torch.equal(emb[1], lex.table[[1, 3, 2, 0]])
    assert torch.equal(emb[0, :2], lex.table[[1, 2]])


def test_table_and_vocabulary_must_agree():
    vocab = Vocab(["<unk>", "<eos>", "god"], [0, 0, 1])
    with pytest.raises(DecoderHeadError, match="3-word vocabulary"):
        Lexical.from_vocab("x", vocab, torch.zeros(4, 2))


def test_same_ids_keeps_the_shared_verses_in_one_order():
    a = [Verse(i, (), 0) for i in ("Gen.1.1", "Gen.1.2", "Gen.1.3")]
    b = [Verse(i, ("x",), 0) for i in ("Gen.1.3", "Gen.1.1", "Rev.1.1")]
    a2, b2 = same_ids(a, b)
    assert [v.id for v in a2] == [v.id for v in b2] == ["Gen.1.1", "Gen.1.3"]
    assert b2[0].tokens == ("x",)
