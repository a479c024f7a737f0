"""Identical-string anchors puts shared words on each other's frozen rows from the start."""


from decoder_head.config import RelearnConfig
from decoder_head.data.vocab import Vocab
from decoder_head.models import LanguageModel
from decoder_head.mapping import FreeMapping
from decoder_head.models.awd_lstm import AWDLSTM, AWDLSTMConfig
from decoder_head.train.pretrain import TrainedLM
from decoder_head.train.relearn import new_mapping


def test_identical_seed_starts_shared_words_on_their_rows():
    a = Vocab.build([["the", "moses", "aaron", "and", "7"]] * 3, 10, 1)
    b = Vocab.build([["el", "moses", "y", "7", "aaron"]] * 3, 10, 1)
    model = LanguageModel(FreeMapping(len(a), 8), AWDLSTM(AWDLSTMConfig(emb_dim=8, hidden=8, n_layers=2)), 0.0)
    lm = TrainedLM(model=model, vocab=a, config=None, folder=None, meta={})
    mapping = new_mapping(RelearnConfig(mapping="sinkhorn", init="random", anchors="identical"), lm, b, seed=0)
    best = mapping.scores().argmax(dim=1)
    for w in ("moses", "aaron", "7"):
        assert a.itos[best[b.stoi[w]]] == w


def test_a_pair_file_starts_its_pairs_on_their_rows(tmp_path):
    a = Vocab.build([["the", "god", "lord", "and", "7"]] * 3, 10, 1)
    b = Vocab.build([["el", "dios", "senor", "y", "7"]] * 3, 10, 1)
    model = LanguageModel(FreeMapping(len(a), 8), AWDLSTM(AWDLSTMConfig(emb_dim=8, hidden=8, n_layers=2)), 0.0)
    lm = TrainedLM(model=model, vocab=a, config=None, folder=None, meta={})
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("dios god\nsenor lord\n")
    mapping = new_mapping(RelearnConfig(mapping="sinkhorn", init="random", anchors=str(pairs)), lm, b, seed=0)
    best = mapping.scores().argmax(dim=1)
    assert [a.itos[best[b.stoi[w]]] for w in ("dios", "senor")] == ["god", "lord"]
