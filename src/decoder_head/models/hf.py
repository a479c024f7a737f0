"""A local Hugging Face causal LM as a frozen body (de Vries & Nissim 2021's setting).

    emb (B, T, d) --model.base_model(inputs_embeds=...)--> last hidden state (B, T, d)
    logits = out @ table^T, table = rows of the model's own input embedding (tied head)

The model folder is read from disk only (`local_files_only`): nothing comes from a hub at
run time. decoder-head works on words, the model on subword tokens, so the LM's word table
is the word-level view of the model: a corpus word gets a row when the model's tokenizer
spells it (after a space) as one token, and that row is the token's input embedding. Words
the tokenizer splits are <unk>. Re-learning then works as on any body: wipe the rows,
re-learn them from text through the frozen model, or learn another language's rows.
Only models whose output head is tied to the input embedding fit (GPT-2 family and most
small causal LMs); an untied head would score against a different table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..errors import DecoderHeadError
from .body import Body, freeze, register_body

INSTALL = "pip install 'decoder-head[hf]' (or: pip install transformers)"


@dataclass(frozen=True)
class HFBodyConfig:
    """A causal LM folder (config.json, weights, tokenizer files) made by `save_pretrained`."""

    kind: str = "hf"
    path: str = ""
    memory: int = 64  # preceding embeddings carried as state into the next window (0 = none)

    def __post_init__(self) -> None:
        if self.kind != "hf":
            raise ValueError(f"HFBodyConfig.kind must be 'hf', got {self.kind!r}")
        if not self.path:
            raise ValueError("an hf body needs path: a local model folder (config.json + weights)")
        if self.memory < 0:
            raise ValueError("memory must be >= 0")


def _transformers():
    try:
        import transformers
    except ImportError:
        raise DecoderHeadError(f"hf bodies need the transformers package: {INSTALL}") from None
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()  # our own bars and lines only
    return transformers


def model_folder(path: str) -> Path:
    """The folder, or one clear line when it is not a saved model (no hub lookup is ever tried)."""
    folder = Path(path)
    if not (folder / "config.json").is_file():
        raise DecoderHeadError(f"{path}: not a Hugging Face model folder (no config.json)")
    return folder


def load_causal_lm(path: str) -> nn.Module:
    """The folder's causal LM (weights from disk only); one clear line when it is not one."""
    folder = model_folder(path)
    tf = _transformers()
    try:
        model = tf.AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise DecoderHeadError(f"{path}: cannot load a causal LM ({str(exc).splitlines()[0][:200]})") from None
    if not getattr(model.config, "tie_word_embeddings", False):
        raise DecoderHeadError(f"{path}: its output head is not tied to the input embedding; "
                               "decoder-head needs a tied table")
    return model


def load_tokenizer(path: str):
    folder = model_folder(path)
    tf = _transformers()
    try:
        return tf.AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise DecoderHeadError(f"{path}: no usable tokenizer in the folder ({str(exc).splitlines()[0][:200]})") from None


def word_rows(path: str, words: list[str]) -> dict[str, int]:
    """word -> the model's token id, for the words its tokenizer spells as one token after a space."""
    tok = load_tokenizer(path)
    rows: dict[str, int] = {}
    for w in words:
        ids = tok.encode(" " + w, add_special_tokens=False)
        if len(ids) == 1:
            rows[w] = ids[0]
    return rows


def end_of_text_row(path: str) -> int | None:
    tok = load_tokenizer(path)
    return tok.eos_token_id


class HFBody(Body):
    """The folder's transformer stack, driven through `inputs_embeds`; always frozen, dropout off."""

    def __init__(self, cfg: HFBodyConfig) -> None:
        super().__init__()
        self.cfg = cfg
        model = load_causal_lm(cfg.path)
        self.input_table = model.get_input_embeddings().weight.detach().clone()  # (V_tokens, d), not a parameter
        self.net = model.base_model  # e.g. GPT2Model: blocks + final norm, no LM head
        for m in self.net.modules():  # dropout off for good: training mode must not bring it back
            if isinstance(m, nn.Dropout):
                m.p = 0.0
        freeze(self)

    @property
    def emb_dim(self) -> int:
        return int(self.input_table.size(1))

    def forward(self, emb: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """emb (B, T, d) -> (last hidden state (B, T, d), the last `memory` inputs (B, M, d))."""
        x = emb if state is None else torch.cat([state, emb], dim=1)
        out = self.net(inputs_embeds=x, use_cache=False).last_hidden_state[:, x.size(1) - emb.size(1):]
        return out, (x[:, -self.cfg.memory:] if self.cfg.memory else None)

    def frozen(self) -> "HFBody":
        return self  # loaded frozen: one copy of a pretrained model is enough


register_body("hf", HFBodyConfig, HFBody)
