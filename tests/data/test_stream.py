"""Streaming a large file gives the in-memory path's split, vocabulary and ids, chunk by chunk."""

import math
import random

import numpy as np
import pytest
import torch

from decoder_head.data import CorpusSpec, Tokenizer, Vocab, load_sentences, read_wikitext, split_train_valid
from decoder_head.data import stream
from decoder_head.data.stream import (
    StreamConfig,
    count_sentences,
    count_words,
    encode_to_memmap,
    held_out,
    iter_sentence_chunks,
    stream_corpus,
)
from decoder_head.data.text import iter_text
from decoder_head.errors import DecoderHeadError
from decoder_head.train.batches import batchify, encode_stream

TOK = Tokenizer()
WORDS = "the king of land and god said unto moses people house city sword bread night heart way".split()


def _wikitext(path, n_paragraphs: int, seed: int = 0) -> None:
    """A wikitext file with the quirks the reader handles: headings, blank lines, <unk>, @-@,
    CRLF and form-feed line ends, digit-only lines (no token: dropped), rare words."""
    rng = random.Random(seed)
    lines = [" = Title = ", ""]
    for i in range(n_paragraphs):
        if i % 7 == 0:
            lines.append(f" = = Section {i} = = ")
        if i % 11 == 0:
            lines.append(" 123 456 . ")
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
        if i % 5 == 0:
            words.insert(1, "<unk>")
        if i % 9 == 0:
            words.insert(2, f"rare{chr(97 + i % 26)}word @-@ thing")
        lines.append(" " + " ".join(words) + " . ")
    text = "\n".join(lines)
    text = text.replace("\n", "\r\n", 40).replace("\n", "\x0c", 3)  # Windows line ends, a form feed
    path.write_text(text + "\n", encoding="utf-8", newline="")


def _in_memory(spec, cfg):
    """What train/pretrain.py does today: sentences in memory, split, vocab, one id stream each."""
    sentences = load_sentences(spec, TOK)
    train_s, valid_s = split_train_valid(sentences, cfg.valid_fraction, cfg.seed)
    vocab = Vocab.build(train_s, cfg.max_size, cfg.min_count)
    return vocab, encode_stream(train_s, vocab), encode_stream(valid_s, vocab)


@pytest.mark.parametrize("chunk_lines, max_size, min_count", [(7, None, 1), (64, 12, 1), (1000, None, 2)])
def test_same_vocab_and_ids_as_in_memory_path(tmp_path, chunk_lines, max_size, min_count):
    path = tmp_path / "wiki.train.tokens"
    _wikitext(path, 300)
    spec = CorpusSpec.parse(f"wikitext:{path}")
    cfg = StreamConfig(chunk_lines=chunk_lines, valid_fraction=0.1, seed=3, max_size=max_size, min_count=min_count)
    vocab, train, valid = _in_memory(spec, cfg)

    got = stream_corpus(spec, TOK, tmp_path / "cache", cfg)
    assert got.vocab.itos == vocab.itos and got.vocab.counts == vocab.counts
    assert got.train.dtype == torch.int32 and got.valid.dtype == torch.int32
    assert torch.equal(got.train.long(), train) and torch.equal(got.valid.long(), valid)
    assert got.n_sentences == 300 + 0 and got.n_valid == 30  # digit-only lines have no token
    assert torch.equal(batchify(got.train, 4).long(), batchify(train, 4))  # the trainer's cut, no copy
    assert (got.vocab.unk_id in got.train.tolist()) == (max_size is not None or min_count > 1)


def test_iter_text_equals_list_reader(tmp_path):
    path = tmp_path / "w.tokens"
    _wikitext(path, 50)
    path.write_bytes(path.read_bytes() + "tail\u2028 line after a unicode separator\r".encode())
    assert list(iter_text(path, wikitext=True)) == read_wikitext(path)


def test_held_out_is_split_train_valids_choice():
    for n, fraction, seed in [(2, 0.1, 0), (20, 0.1, 3), (1001, 0.05, 7)]:
        sentences = [[str(i)] for i in range(n)]
        _, valid = split_train_valid(sentences, fraction, seed)
        mask = held_out(n, fraction, seed)
        assert mask.dtype == bool and mask.shape == (n,)
        assert np.flatnonzero(mask).tolist() == [int(s[0]) for s in valid]


def test_memory_is_bounded_by_the_chunk(tmp_path, monkeypatch):
    """Every pass reads ceil(n / chunk_lines) chunks of at most chunk_lines sentences: no pass
    holds the corpus. 3 passes: count sentences, count words, encode train and valid together."""
    path = tmp_path / "big.tokens"
    _wikitext(path, 1000)
    chunks: list[int] = []

    def recording(spec, tokenizer, chunk_lines):
        for chunk in iter_sentence_chunks(spec, tokenizer, chunk_lines):
            chunks.append(len(chunk))
            yield chunk

    monkeypatch.setattr(stream, "iter_sentence_chunks", recording)
    cfg = StreamConfig(chunk_lines=64)
    got = stream_corpus(CorpusSpec.parse(f"wikitext:{path}"), TOK, tmp_path / "cache", cfg)
    per_pass = math.ceil(1000 / 64)
    assert got.n_sentences == 1000
    assert len(chunks) == 3 * per_pass and max(chunks) == 64
    assert chunks[:per_pass] == [64] * (per_pass - 1) + [1000 - 64 * (per_pass - 1)]


def test_cache_is_reused_and_keyed_by_settings(tmp_path, monkeypatch):
    path = tmp_path / "w.tokens"
    _wikitext(path, 100)
    spec = CorpusSpec.parse(f"wikitext:{path}")
    first = stream_corpus(spec, TOK, tmp_path / "cache", StreamConfig(chunk_lines=16))
    assert sorted(p.name for p in first.folder.iterdir()) == ["meta.json", "train.i32", "valid.i32", "vocab.json"]

    def no_read(*args, **kwargs):
        raise AssertionError("the cached ids should have been reused")

    monkeypatch.setattr(stream, "iter_sentence_chunks", no_read)
    again = stream_corpus(spec, TOK, tmp_path / "cache", StreamConfig(chunk_lines=16))
    assert again.folder == first.folder and torch.equal(again.train, first.train)
    assert again.vocab.itos == first.vocab.itos and again.n_valid == first.n_valid
    with pytest.raises(AssertionError, match="reused"):  # another seed: another split, so a new folder
        stream_corpus(spec, TOK, tmp_path / "cache", StreamConfig(chunk_lines=16, seed=1))


def test_interrupted_encode_leaves_no_id_file(tmp_path, monkeypatch):
    path = tmp_path / "w.tokens"
    _wikitext(path, 100)
    spec = CorpusSpec.parse(f"wikitext:{path}")
    vocab = Vocab.from_counts(count_words(spec, TOK))
    real = stream.iter_sentence_chunks

    def dies(spec, tokenizer, chunk_lines):
        it = real(spec, tokenizer, chunk_lines)
        yield next(it)
        raise KeyboardInterrupt

    monkeypatch.setattr(stream, "iter_sentence_chunks", dies)
    with pytest.raises(KeyboardInterrupt):
        encode_to_memmap(spec, vocab, TOK, tmp_path / "ids.i32", chunk_lines=10)
    assert list(tmp_path.glob("*ids.i32*")) == []


def test_encode_to_memmap_keep_and_count_words_skip(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a b\n\nb c c\n1 2\nd\n", encoding="utf-8")
    spec = CorpusSpec.parse(f"text:{path}")
    assert count_sentences(spec, TOK) == 3
    skip = np.array([False, True, False])
    assert count_words(spec, TOK, skip, chunk_lines=1) == {"a": 1, "b": 1, "d": 1}
    vocab = Vocab.from_counts(count_words(spec, TOK))  # b2 c2 a1 d1
    ids = encode_to_memmap(spec, vocab, TOK, tmp_path / "x.i32", keep=~skip, chunk_lines=2)
    assert vocab.decode(ids.tolist()) == ["a", "b", "<eos>", "d", "<eos>"]
    assert (tmp_path / "x.i32").stat().st_size == 5 * 4  # int32 on disk


@pytest.mark.parametrize("content, match", [
    (None, "file not found"),
    (b"", "no non-blank line"),
    (b"ok line\nbad \x00 byte\n", "NUL"),
    ("canción\n".encode("latin-1"), "not valid UTF-8"),
    (b"123 456\n!!!\n", "no token"),
])
def test_bad_files_fail_with_one_line(tmp_path, content, match):
    path = tmp_path / "c.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DecoderHeadError, match=match) as info:
        stream_corpus(CorpusSpec.parse(f"text:{path}"), TOK, tmp_path / "cache")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "cache" / "stream").exists() or not any((tmp_path / "cache" / "stream").rglob("*.i32"))


def test_only_files_stream():
    with pytest.raises(DecoderHeadError, match="cannot be streamed"):
        list(iter_sentence_chunks(CorpusSpec.parse("sword:engKJV2006eb"), TOK, 10))


def test_config_validation():
    for bad in ({"chunk_lines": 0}, {"valid_fraction": 0.5}, {"max_size": 1}, {"min_count": 0}):
        with pytest.raises(DecoderHeadError):
            StreamConfig(**bad)
