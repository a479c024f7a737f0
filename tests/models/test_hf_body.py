"""A local Hugging Face causal LM as the frozen body: a tiny GPT-2 and byte-level BPE
tokenizer are built inside the test (nothing comes from a hub)."""

import json

import pytest
import torch

pytest.importorskip("transformers")
from tokenizers import ByteLevelBPETokenizer  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast  # noqa: E402

from decoder_head.cli import main  # noqa: E402
from decoder_head.config import load_run_config  # noqa: E402
from decoder_head.errors import DecoderHeadError  # noqa: E402
from decoder_head.models.hf import HFBody, HFBodyConfig  # noqa: E402
from decoder_head.train.pretrain import load_lm, train_lm  # noqa: E402


def tiny_gpt2(folder, text_file, tie=True):
    """Save a 2-layer GPT-2 with a byte-level BPE tokenizer trained on `text_file`."""
    bpe = ByteLevelBPETokenizer()
    bpe.train([str(text_file)], vocab_size=400, min_frequency=2, special_tokens=["<|endoftext|>"])
    tok = GPT2TokenizerFast(tokenizer_object=bpe._tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
                            unk_token="<|endoftext|>")
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=len(tok), n_embd=16, n_layer=2, n_head=2, n_positions=128, tie_word_embeddings=tie,
                     bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    GPT2LMHeadModel(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


@pytest.fixture()
def gpt2(tiny):
    return tiny_gpt2(tiny / "gpt2", tiny / "tests" / "fixtures" / "tiny.en.txt")


def hf_lm_config(folder):
    cfg = load_run_config("tests/fixtures/tiny.yaml", [f"lm.body={{kind: hf, path: {folder}}}"])
    return cfg.lm


def test_word_table_is_the_models_own_embedding_and_logits_match(gpt2, tiny):
    lm = train_lm(hf_lm_config(gpt2), tiny / "runs")
    model = GPT2LMHeadModel.from_pretrained(gpt2).eval()
    tok = GPT2TokenizerFast.from_pretrained(gpt2)
    words = lm.vocab.words
    rows = [tok.encode(" " + w)[0] for w in words]
    assert len(words) > 20 and all(len(tok.encode(" " + w)) == 1 for w in words)
    wte = model.get_input_embeddings().weight.detach()
    assert torch.equal(lm.model.mapping.table().detach()[lm.vocab.n_specials:], wte[rows])
    # The same words through both: our logits are the model's own, restricted to the word table.
    ids = torch.tensor([lm.vocab.encode(words[:6])])
    ours, _ = lm.model.eval()(ids)
    theirs = model(input_ids=torch.tensor([rows[:6]])).logits
    assert torch.allclose(ours[0, :, lm.vocab.n_specials:], theirs[0][:, rows], atol=1e-4)


def test_the_lm_folder_keeps_only_the_table_and_reloads(gpt2, tiny):
    lm = train_lm(hf_lm_config(gpt2), tiny / "runs")
    again = load_lm(lm.folder)
    assert torch.equal(again.model.mapping.table(), lm.model.mapping.table())
    from safetensors import safe_open

    with safe_open(str(lm.folder / "final" / "tensors.safetensors"), "pt") as f:
        assert set(f.keys()) == {"model.mapping.weight"}


def test_recover_and_induce_run_on_a_hf_body(gpt2, tiny):
    assert main(["run", "--preset", "tests/fixtures/tiny.yaml", "--workdir", "runs", "--no-refine",
                 "--set", f"lm.body={{kind: hf, path: {gpt2}}}"]) == 0
    m = json.loads((tiny / "runs" / "tiny" / "metrics.json").read_text())
    assert m["lm"]["history"][0]["steps"] == 0  # adopted, not trained
    assert 0.0 <= m["recover"]["hit_at_1_top1000"] <= 1.0 and m["induce"]["coverage"] > 0


def test_bad_model_folders_are_one_clear_error(tiny, capsys):
    with pytest.raises(DecoderHeadError, match="not a Hugging Face model folder"):
        HFBody(HFBodyConfig(path=str(tiny)))
    untied = tiny_gpt2(tiny / "untied", tiny / "tests" / "fixtures" / "tiny.en.txt", tie=False)
    with pytest.raises(DecoderHeadError, match="not tied"):
        HFBody(HFBodyConfig(path=str(untied)))
    capsys.readouterr()
    assert main(["train-lm", "--preset", "tests/fixtures/tiny.yaml", "--workdir", "runs",
                 "--set", "lm.body={kind: hf, path: nowhere}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nowhere: not a Hugging Face model folder" in err[0]
