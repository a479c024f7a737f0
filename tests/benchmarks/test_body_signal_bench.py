"""benchmarks/body_signal.py: per-type mean states and expectations of a pass, the shortlist re-ranking, the table."""

from __future__ import annotations

import json

import torch

from bench_module import load
from decoder_head.data.vocab import Vocab


class Echo(torch.nn.Module):
    """A 'body' whose output is its input: the state before a word is the previous token's row."""

    def forward(self, emb, state=None):
        return emb, state


def test_a_pass_averages_the_state_before_each_type_and_what_the_body_expects_there():
    body_signal = load("body_signal")
    sentences = [["a", "b", "a", "c"], ["b", "a", "b", "a"]] * 40
    types = Vocab.build(sentences, min_count=1)  # a, b, c by count
    ids, tids = body_signal.streams(sentences, types, types)
    table = torch.eye(len(types))  # each type's row: its one-hot
    states, expect = body_signal.read_through(Echo(), table, ids, tids, len(types), target=table)
    c = types.stoi["c"]
    assert torch.allclose(states[c], table[types.stoi["a"]])  # every c follows an a
    before_b = states[types.stoi["b"]].nonzero().flatten().tolist()
    assert sorted(before_b) == sorted([types.stoi["a"], types.stoi[Vocab.EOS]])  # b follows a or a sentence end
    assert torch.isclose(states[types.stoi["b"]].sum(), torch.tensor(1.0))  # a mean of one-hots
    # where c comes next the body's log q peaks on a's row: what an echo expects after an a
    assert expect[c].argmax() == types.stoi["a"] and torch.allclose(expect[c].exp().sum(), torch.tensor(1.0))
    assert states.shape == (len(types), len(types))


def test_the_shortlist_pick_moves_from_the_vectors_to_the_body_with_lambda():
    body_signal = load("body_signal")
    b_types = Vocab.build([["perro", "gato"]], min_count=1)
    a_vocab = Vocab.build([["dog", "cat"]], min_count=1)
    sw, tw = ["perro", "gato"], ["dog", "cat"]
    xw = torch.tensor([[1.0, 0.0], [1.0, 0.1]])  # both B words nearest to dog: the vectors get gato wrong
    zw = torch.tensor([[1.0, 0.0], [0.8, 0.6]])
    expect = torch.full((len(b_types), len(a_vocab)), -10.0)
    expect[b_types.stoi["perro"], a_vocab.stoi["dog"]] = -0.1
    expect[b_types.stoi["gato"], a_vocab.stoi["cat"]] = -0.1  # the body knows gato -> cat
    gold = {"train": {"perro": {"dog"}, "gato": {"cat"}}, "test": {"gato": {"cat"}}}
    rows = body_signal.shortlist_rows((sw, xw, tw, zw, 0.0), expect, b_types, a_vocab, gold)
    assert rows["train"]["n"] == 2 and rows["train"]["in_shortlist"] == 100.0
    assert rows["train"]["p_at_1"]["0.0"] == 50.0  # vectors alone
    assert rows["train"]["p_at_1"][body_signal.LM_ONLY] == 100.0 and rows["test"]["p_at_1"]["0.5"] == 100.0


def test_table_reports_the_weight_chosen_on_train(tmp_path):
    body_signal = load("body_signal")

    def row(seed, best):
        p = {str(lam): 50.0 for lam in body_signal.LAMBDAS} | {body_signal.LM_ONLY: 20.0, best: 60.0}
        split = {"n": 100, "in_shortlist": 80.0, "p_at_1": p}
        return {"bed": "es-en.bible", "seed": seed, "shortlist": {"train": split, "test": split},
                "context": {s: {"p_at_1": 6.0, "coverage": 1.0, "p_at_1_noncognate": 5.0} for s in ("train", "test")},
                "context_self_learning": {"train": 5.0, "test": 5.0, "iterations": 20},
                "decoder_head": {"train": 13.0, "test": 15.0}}

    out, readme = tmp_path / "body_signal.json", tmp_path / "README.md"
    out.write_text(json.dumps([row(0, "0.05"), row(1, "0.05")]))
    readme.write_text(f"{body_signal.START}\n{body_signal.END}\n")
    body_signal.write_table(readme, out)
    text = readme.read_text()
    assert "| es-en.bible | vectors + lambda 0.05 x LM (chosen on train) | 100 (gold among the 10: 80.0 +- 0.0%) | 60.0 +- 0.0 |" in text
    assert "| es-en.bible | LM only, among the 10 |" in text and "| es-en.bible | context vectors -> self-learning | all | 5.0 +- 0.0 |" in text
