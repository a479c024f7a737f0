"""Every body behind one protocol: the registry, state across windows, freezing, and the
pipeline (recover + induce) running unchanged on a Transformer."""

import dataclasses
import hashlib
import json
import types

import pytest
import torch

from decoder_head.cli import main
from decoder_head.config import LMConfig, from_dict, load_run_config
from decoder_head.errors import DecoderHeadError
from decoder_head.mapping import FreeMapping, SinkhornMapping
from decoder_head.models import (AWDLSTMConfig, LanguageModel, TransformerConfig, body_kinds, build_body,
                                 detach_state)

CONFIGS = {
    "awd_lstm": AWDLSTMConfig(emb_dim=8, hidden=12, n_layers=2),
    "transformer": TransformerConfig(emb_dim=8, d_model=16, n_layers=2, n_heads=2, memory=16),
}


def lm_with(kind, vocab=15):
    torch.manual_seed(0)
    body = build_body(CONFIGS[kind])
    return LanguageModel(FreeMapping(vocab, body.emb_dim), body, emb_dropout=0.0)


def test_registry_knows_every_kind():
    assert {"awd_lstm", "transformer", "hf"} <= set(body_kinds())
    with pytest.raises(ValueError, match="unknown body kind 'rnn'"):
        build_body(types.SimpleNamespace(kind="rnn"))


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_window_by_window_equals_one_pass(kind):
    lm = lm_with(kind).eval()
    ids = torch.randint(0, 15, (2, 8))
    full, _ = lm(ids)
    first, state = lm(ids[:, :5])
    second, _ = lm(ids[:, 5:], detach_state(state))
    assert torch.allclose(torch.cat([first, second], 1), full, atol=1e-5)


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_identity_mixture_reproduces_the_logits_on_every_body(kind):
    lm = lm_with(kind).eval()
    table = lm.mapping.table().detach()
    ids = torch.randint(0, 15, (2, 6))
    original, _ = lm(ids)
    identity = SinkhornMapping(15, 8, table, tau=0.01, n_iter=20, init=torch.eye(15) * 10)
    again, _ = LanguageModel(identity, lm.body, emb_dropout=0.0).eval()(ids)
    assert torch.allclose(again, original, atol=1e-4)


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_frozen_copy_has_no_gradients_and_no_dropout(kind):
    lm = lm_with(kind)
    frozen = lm.body.frozen()
    assert all(not p.requires_grad for p in frozen.parameters())
    assert all(p.requires_grad for p in lm.body.parameters())  # the original is untouched
    frozen.train()  # re-learning puts the whole model in training mode: still deterministic
    emb = torch.randn(2, 5, 8)
    assert torch.equal(frozen(emb)[0], frozen(emb)[0])
    lm.body.eval()
    assert torch.allclose(frozen.eval()(emb)[0], lm.body(emb)[0], atol=1e-6)


def test_transformer_positions_live_in_the_body_not_the_table():
    lm = lm_with("transformer").eval()
    assert [n for n, _ in lm.named_parameters() if n.startswith("mapping.")] == ["mapping.weight"]
    ids = torch.tensor([[3, 3, 3, 3]])  # one word repeated: positions still tell the steps apart
    out, _ = lm.body(lm.mapping.table()[ids])
    assert not torch.allclose(out[0, 0], out[0, 3])


def test_body_kind_in_config_and_clear_errors():
    lm = from_dict(LMConfig, {"body": {"kind": "transformer", "emb_dim": 16, "d_model": 32, "n_heads": 4}})
    assert isinstance(lm.body, TransformerConfig) and lm.body.d_model == 32
    assert isinstance(from_dict(LMConfig, {"body": {"emb_dim": 16}}).body, AWDLSTMConfig)  # presets without kind
    with pytest.raises(DecoderHeadError, match="unknown body kind 'gru'"):
        from_dict(LMConfig, {"body": {"kind": "gru"}})
    with pytest.raises(DecoderHeadError, match="not divisible"):
        from_dict(LMConfig, {"body": {"kind": "transformer", "d_model": 30, "n_heads": 4}})
    with pytest.raises(DecoderHeadError, match="hidden"):  # an AWD-LSTM field on a Transformer
        from_dict(LMConfig, {"body": {"kind": "transformer", "hidden": 30}})


def test_awd_lstm_lm_folders_keep_their_names():
    """LM folders are named by a config hash; giving bodies a kind (and LMs a `stream` switch)
    must not orphan LMs trained before."""
    cfg = load_run_config("default").lm
    tree = dataclasses.asdict(cfg)
    del tree["body"]["kind"], tree["stream"]
    before = hashlib.sha256(json.dumps(tree, sort_keys=True).encode()).hexdigest()[:12]
    assert cfg.key() == before
    other = dataclasses.replace(cfg, body=TransformerConfig(emb_dim=cfg.body.emb_dim))
    assert other.key() != cfg.key()


def test_recover_and_induce_run_unchanged_on_a_transformer(tiny):
    body = "{kind: transformer, emb_dim: 16, d_model: 32, n_layers: 2, n_heads: 2, memory: 20}"
    assert main(["run", "--preset", "tests/fixtures/tiny.yaml", "--workdir", "runs", "--no-refine",
                 "--set", f"lm.body={body}"]) == 0
    m = json.loads((tiny / "runs" / "tiny" / "metrics.json").read_text())
    assert m["lm"]["history"][-1]["val_ppl"] < 200  # it learned something of a 200-word vocabulary
    assert 0.0 <= m["recover"]["hit_at_1_top1000"] <= 1.0 and m["induce"]["coverage"] > 0
    assert json.loads((tiny / "runs" / "tiny" / "config.json").read_text())["lm"]["body"]["kind"] == "transformer"
