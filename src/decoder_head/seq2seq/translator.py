"""A trained translator on disk and in memory: model + vocabularies + config + length caps.

A model folder (written by `decoder-head seq2seq-train`):
    config.json                 Seq2SeqConfig that made it
    src_vocab.json trg_vocab.json
    checkpoint/                 last periodic checkpoint (resumable)
    final/                      tensors.safetensors + meta.json {"kind": "seq2seq", "model", caps, timing}
    eval.json                   written by `decoder-head seq2seq-eval`
`load_translator` refuses anything else (an LM folder, a corrupt or mismatched checkpoint)
with one DecoderHeadError line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from ..files import read_json
from ..train.checkpoint import has_checkpoint, load_checkpoint, load_module_state, save_checkpoint
from .config import DecodeConfig, Seq2SeqConfig, config_from_dict
from .data import TOKENIZER, encode_source
from .decode import beam_search, greedy, max_target_len
from .models import Seq2Seq, build_model

KIND = "seq2seq"
MAX_INPUT_CHARS = 100_000  # refuse before tokenizing: a verse is a few hundred characters


def model_tensors(model: Seq2Seq) -> dict[str, torch.Tensor]:
    """State dict without the tied output matrix (safetensors refuses shared storage)."""
    sd = model.state_dict()
    if model.cfg.tie_output:
        sd.pop("generator.weight")
    return sd


def load_model_tensors(model: Seq2Seq, tensors: dict[str, torch.Tensor], prefix: str, where: str) -> None:
    if model.cfg.tie_output and f"{prefix}trg_emb.weight" in tensors:
        tensors = {**tensors, f"{prefix}generator.weight": tensors[f"{prefix}trg_emb.weight"]}
    load_module_state(model, tensors, prefix, where)


@dataclass
class Translator:
    model: Seq2Seq
    src_vocab: Vocab
    trg_vocab: Vocab
    config: Seq2SeqConfig
    meta: dict[str, Any]  # max_src_len, max_trg_len, steps, timing, history
    folder: Path | None = None

    @property
    def max_src_len(self) -> int:
        return int(self.meta["max_src_len"])

    def source_ids(self, text: str) -> list[int]:
        """Checked source ids (+ <eos>): empty, overlong and all-unknown input are errors."""
        if len(text) > MAX_INPUT_CHARS:
            raise DecoderHeadError(f"input has {len(text)} characters; translate one verse or sentence at a time")
        tokens = TOKENIZER(text)
        if not tokens:
            raise DecoderHeadError("input has no word to translate (the tokenizer keeps runs of letters)")
        if len(tokens) > self.max_src_len:
            raise DecoderHeadError(
                f"input has {len(tokens)} words; this model reads at most {self.max_src_len} (the "
                f"{self.config.data.length_percentile:g}th percentile of its training verses); split it into sentences")
        ids = self.src_vocab.encode(tokens)
        if all(i == self.src_vocab.unk_id for i in ids):
            shown = ", ".join(repr(t) for t in tokens[:5])
            raise DecoderHeadError(f"none of the input words ({shown}) is in the model's source vocabulary "
                                   f"({len(self.src_vocab)} words of {self.config.data.src}); wrong language?")
        return ids + [self.src_vocab.eos_id]

    def translate_ids(self, ids: list[int], decode: DecodeConfig | None = None) -> list[str]:
        d = decode or self.config.decode
        src = torch.tensor([ids])
        src_len = torch.tensor([len(ids)])
        max_len = max_target_len(len(ids), d.max_len_ratio)
        eos = self.trg_vocab.eos_id
        if d.beam == 1:
            out = greedy(self.model, src, src_len, eos, max_len)[0]
        else:
            out = beam_search(self.model, src, src_len, eos, max_len, d.beam, d.length_penalty)
        return self.trg_vocab.decode(out)

    def translate(self, text: str, decode: DecodeConfig | None = None) -> str:
        return " ".join(self.translate_ids(self.source_ids(text), decode))

    def greedy_batch(self, sources: list[tuple[str, ...]], batch_size: int = 64) -> list[list[str]]:
        """Fast batched greedy decoding of many tokenized sources (cut at max_src_len)."""
        out: list[list[str]] = []
        eos = self.trg_vocab.eos_id
        for start in range(0, len(sources), batch_size):
            ids = [encode_source(s, self.src_vocab, self.max_src_len) for s in sources[start : start + batch_size]]
            src = torch.full((len(ids), max(map(len, ids))), self.src_vocab.eos_id, dtype=torch.long)
            for i, row in enumerate(ids):
                src[i, : len(row)] = torch.tensor(row)
            max_len = max_target_len(src.size(1), self.config.decode.max_len_ratio)
            rows = greedy(self.model, src, torch.tensor([len(r) for r in ids]), eos, max_len)
            out += [self.trg_vocab.decode(r) for r in rows]
        return out


def save_translator(folder: Path, model: Seq2Seq, meta: dict[str, Any]) -> None:
    """final/ (tensors + meta); config and vocabularies were written when training started."""
    save_checkpoint(folder / "final", {f"model.{k}": v for k, v in model_tensors(model).items()},
                    {"kind": KIND, "model": model.cfg.kind, **meta})


def load_translator(folder: str | Path) -> Translator:
    folder = Path(folder)
    if not folder.is_dir():
        raise DecoderHeadError(f"{folder}: no such model folder; train one with `decoder-head seq2seq-train`")
    if not has_checkpoint(folder / "final"):
        looks = " (it looks like an LM folder from train-lm)" if (folder / "vocab.json").is_file() else ""
        raise DecoderHeadError(f"{folder}: not a finished seq2seq model folder{looks}; "
                               "expected config.json, src_vocab.json, trg_vocab.json and final/")
    tensors, meta = load_checkpoint(folder / "final")
    if meta.get("kind") != KIND:
        raise DecoderHeadError(f"{folder}: checkpoint of kind {meta.get('kind', 'LM')!r}, not a seq2seq "
                               "translator; give a folder written by `decoder-head seq2seq-train`")
    cfg = config_from_dict(read_json(folder / "config.json"))
    if meta.get("model") != cfg.model.kind:
        raise DecoderHeadError(f"{folder}: final/ holds a {meta.get('model')!r} model but config.json says "
                               f"{cfg.model.kind!r}; the folder was mixed up, train it again")
    src_vocab = Vocab.load(folder / "src_vocab.json")
    trg_vocab = Vocab.load(folder / "trg_vocab.json")
    model = build_model(cfg.model, len(src_vocab), len(trg_vocab))
    load_model_tensors(model, tensors, "model.", str(folder / "final"))
    model.eval()
    return Translator(model, src_vocab, trg_vocab, cfg, dict(meta), folder)
