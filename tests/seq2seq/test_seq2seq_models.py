"""Invariants of the translators and decoders on tiny random models."""

import pytest
import torch

from decoder_head.data.vocab import Vocab
from decoder_head.errors import DecoderHeadError
from decoder_head.eval.vectors import write_word2vec
from decoder_head.seq2seq.config import ModelConfig
from decoder_head.seq2seq.decode import beam_search, greedy
from decoder_head.seq2seq.models import build_model, init_embedding

KINDS = ("gru_attention", "gru", "transformer")
V_SRC, V_TRG, EOS = 30, 25, 1


def tiny(kind, **kw):
    torch.manual_seed(0)
    cfg = ModelConfig(kind=kind, emb_dim=16, hidden=16, heads=2, ff_dim=32, dropout=0.0, **kw)
    return build_model(cfg, V_SRC, V_TRG).eval()


def batch():
    g = torch.Generator().manual_seed(1)
    src = torch.randint(2, V_SRC, (3, 7), generator=g)
    src_len = torch.tensor([7, 4, 2])
    src[1, 4:] = EOS  # padding beyond the length
    src[2, 2:] = EOS
    return src, src_len


@pytest.mark.parametrize("kind", KINDS)
def test_padding_does_not_change_a_translation(kind):
    """A short verse scores the same alone as padded inside a batch of longer ones."""
    model = tiny(kind)
    src, src_len = batch()
    trg = torch.randint(2, V_TRG, (3, 5), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        together = model(src, src_len, trg)
        alone = model(src[2:, :2], src_len[2:], trg[2:])
    assert torch.allclose(together[2], alone[0], atol=1e-5)


def test_transformer_step_by_step_equals_the_parallel_pass():
    model = tiny("transformer")
    src, src_len = batch()
    trg = torch.randint(2, V_TRG, (3, 6), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        full = model(src, src_len, trg)
        memory = model.encode(src, src_len)
        state, steps = model.start(memory), []
        for t in range(trg.size(1)):
            logits, state = model.step(memory, state, trg[:, t])
            steps.append(logits)
    assert torch.allclose(full, torch.stack(steps, 1), atol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_beam_of_one_is_greedy(kind):
    model = tiny(kind)
    src, src_len = batch()
    batched = greedy(model, src, src_len, EOS, max_len=12)
    for i in range(3):
        one = (src[i : i + 1, : src_len[i]], src_len[i : i + 1])
        assert beam_search(model, *one, EOS, max_len=12, beam=1, alpha=1.0) == batched[i]
        assert greedy(model, *one, EOS, max_len=12)[0] == batched[i]


def test_embedding_init_copies_known_words_and_checks_the_dimension(tmp_path):
    vocab = Vocab(["<unk>", "<eos>", "dios", "tierra", "zzz"], [0, 0, 3, 2, 1])
    path = tmp_path / "es.vec"
    rows = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 1.0]])
    write_word2vec(path, ["dios", "tierra", "cielo"], rows)
    emb = torch.nn.Embedding(len(vocab), 4)
    before = emb.weight[4].clone()
    info = init_embedding(emb, vocab, str(path), freeze=True)
    assert info["coverage"] == pytest.approx(2 / 5)
    w = emb.weight.detach()
    assert w[2, 1:].abs().max() == 0 and w[3, [0, 2, 3]].abs().max() == 0  # the rows, rescaled
    assert w[3, 1] / w[2, 0] == pytest.approx(2.0)
    assert torch.equal(w[4], before) and not emb.weight.requires_grad
    with pytest.raises(DecoderHeadError, match="model.emb_dim"):
        init_embedding(torch.nn.Embedding(len(vocab), 8), vocab, str(path))


def test_embedding_init_from_an_lm_folder(tmp_path, monkeypatch):
    from pathlib import Path

    from decoder_head.config import load_run_config
    from decoder_head.train.pretrain import train_lm

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)  # the tiny preset names its corpus relative to the repo
    cfg = load_run_config("tests/fixtures/tiny.yaml", ["lm.train.epochs=1", "lm.train.steps_per_epoch=2",
                                                       "lm.train.valid_windows=1"])
    lm = train_lm(cfg.lm, tmp_path)
    vocab = Vocab(["<unk>", "<eos>", "god", "earth", "notaword"], [0, 0, 3, 2, 1])
    emb = torch.nn.Embedding(len(vocab), lm.model.mapping.dim)
    info = init_embedding(emb, vocab, str(lm.folder))
    assert info["coverage"] == pytest.approx(4 / 5)  # <unk>, <eos>, god, earth
    table = lm.model.mapping.table().detach()
    i, j = lm.vocab.stoi["god"], lm.vocab.stoi["earth"]
    ratio = emb.weight[2] / table[i]
    assert torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-4)  # the same row, one common scale
    assert torch.allclose(emb.weight[3] / table[j], ratio[0].expand_as(ratio), rtol=1e-4)
