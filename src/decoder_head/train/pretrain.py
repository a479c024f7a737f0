"""Pre-train (or reuse) the language model of language A.

An LM lives in `<workdir>/lms/<corpus>-<config hash>/`:
    config.json            LMConfig that made it
    vocab.json             its vocabulary (ids = rows of the tied table)
    checkpoint/            last finished epoch (resumable)
    final/                 tensors.safetensors (body + table) + meta.json (history, timing)
A second run with the same config and corpus finds `final/` and loads it instead of
training again.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from ..config import LMConfig, from_dict
from ..data.corpus import CorpusSpec, load_sentences, split_train_valid
from ..data.tokenizer import Tokenizer
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from ..files import read_json, write_json
from ..mapping import FreeMapping
from ..models import AWDLSTM, LanguageModel
from .batches import batchify, encode_stream
from .checkpoint import has_checkpoint, load_checkpoint, load_module_state, save_checkpoint
from .loop import fit

TOKENIZER = Tokenizer()


@dataclass
class TrainedLM:
    model: LanguageModel
    vocab: Vocab
    config: LMConfig
    folder: Path
    meta: dict[str, Any]  # history, val_ppl, tokens_per_s, train_seconds, reused


def corpus_sentences(spec: str, cache_dir: Path) -> list[list[str]]:
    return load_sentences(CorpusSpec.parse(spec), TOKENIZER, cache_dir=str(cache_dir))


def build_lm(cfg: LMConfig, vocab_size: int) -> LanguageModel:
    body = AWDLSTM(cfg.body)
    return LanguageModel(FreeMapping(vocab_size, cfg.body.emb_dim), body, cfg.emb_dropout)


def lm_folder(cfg: LMConfig, workdir: Path) -> Path:
    return workdir / "lms" / f"{CorpusSpec.parse(cfg.corpus).label()}-{cfg.key()}"


def train_lm(cfg: LMConfig, workdir: Path, resume: bool = True) -> TrainedLM:
    """Train the LM described by cfg, or load it when this exact config already finished."""
    folder = lm_folder(cfg, workdir)
    if has_checkpoint(folder / "final"):
        lm = load_lm(folder)
        lm.meta["reused"] = True
        return lm
    sentences = corpus_sentences(cfg.corpus, workdir / "cache")
    train_s, valid_s = split_train_valid(sentences, cfg.valid_fraction, cfg.train.seed)
    vocab = Vocab.build(train_s, cfg.vocab.max_size, cfg.vocab.min_count)
    vocab.save(folder / "vocab.json")
    write_json(folder / "config.json", asdict(cfg))
    train = batchify(encode_stream(train_s, vocab), cfg.train.batch_size)
    valid = batchify(encode_stream(valid_s, vocab), 8)
    torch.manual_seed(cfg.train.seed)
    model = build_lm(cfg, len(vocab))
    t0 = time.perf_counter()
    history = fit(model, train, valid, cfg.train, saved=model, ckpt_dir=folder / "checkpoint",
                  resume=resume, desc=f"LM {cfg.corpus}", fingerprint={"lm": asdict(cfg)})
    meta = {
        "history": history,
        "val_ppl": history[-1]["val_ppl"],
        "tokens_per_s": sum(h["tokens_per_s"] for h in history) / len(history),
        "train_seconds": sum(h["seconds"] for h in history),
        "wall_seconds": time.perf_counter() - t0,
        "unk_rate_valid": vocab.unk_rate(valid_s),
        "train_tokens": int(train.numel()),
        "vocab_size": len(vocab),
    }
    save_checkpoint(folder / "final", {f"model.{k}": v for k, v in model.state_dict().items()}, meta)
    return TrainedLM(model, vocab, cfg, folder, {**meta, "reused": False})


def load_lm(folder: str | Path) -> TrainedLM:
    """Rebuild a finished LM from its folder (config + vocab + final tensors)."""
    folder = Path(folder)
    cfg = from_dict(LMConfig, read_json(folder / "config.json"))
    vocab = Vocab.load(folder / "vocab.json")
    tensors, meta = load_checkpoint(folder / "final")
    model = build_lm(cfg, len(vocab))
    load_module_state(model, tensors, "model.", str(folder / "final"))
    model.eval()
    return TrainedLM(model, vocab, cfg, folder, dict(meta))


def frozen_body(lm: LanguageModel) -> AWDLSTM:
    """A dropout-free copy of the LM's body with gradients off: re-learning wants its signal clean."""
    cfg = dataclasses.replace(lm.body.cfg, input_dropout=0.0, hidden_dropout=0.0,
                              output_dropout=0.0, weight_dropout=0.0)
    body = AWDLSTM(cfg)
    body.load_state_dict(lm.body.state_dict())
    for p in body.parameters():
        p.requires_grad_(False)
    return body


def require_lm_folder(path: str | Path) -> Path:
    path = Path(path)
    if not (path / "config.json").is_file():
        raise DecoderHeadError(f"{path}: not an LM folder (expected config.json, vocab.json, final/)")
    return path
