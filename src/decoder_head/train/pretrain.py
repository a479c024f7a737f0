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

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from ..config import LMConfig, VocabConfig, from_dict, identity
from ..data.corpus import CorpusSpec, load_sentences, split_train_valid
from ..data.tokenizer import Tokenizer
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from ..files import read_json, write_json
from ..mapping import FreeMapping
from ..models import Body, LanguageModel, build_body
from ..runtime import Runtime
from .batches import batchify, encode_stream
from .checkpoint import has_checkpoint, load_checkpoint, load_module_state, save_checkpoint
from .loop import evaluate_loss, fit

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


def token_streams(corpus: str, cache_dir: Path, valid_fraction: float, seed: int, vocab_cfg: VocabConfig,
                  vocab: Vocab | None = None, stream: bool = False) -> tuple[Vocab, torch.Tensor, torch.Tensor]:
    """(vocabulary, training ids, held-out ids) of a corpus, each sentence followed by <eos>.

    In memory (a list of sentences), or `stream`ed: a text/wikitext file larger than memory is
    counted and encoded chunk by chunk into memory-mapped int32 ids (data.stream), with the
    same split, vocabulary and ids as in memory. `vocab` given: encode with it instead of
    counting one (recovery reads the LM's corpus with the LM's own table)."""
    if stream:
        from ..data.stream import StreamConfig, stream_corpus

        sc = StreamConfig(valid_fraction=valid_fraction, seed=seed, max_size=vocab_cfg.max_size,
                          min_count=vocab_cfg.min_count)
        streamed = stream_corpus(CorpusSpec.parse(corpus), TOKENIZER, cache_dir, sc, vocab)
        return streamed.vocab, streamed.train, streamed.valid
    train_s, valid_s = split_train_valid(corpus_sentences(corpus, cache_dir), valid_fraction, seed)
    if vocab is None:
        vocab = Vocab.build(train_s, vocab_cfg.max_size, vocab_cfg.min_count)
    return vocab, encode_stream(train_s, vocab), encode_stream(valid_s, vocab)


def unk_rate(ids: torch.Tensor, vocab: Vocab) -> float:
    """Share of the words (not the <eos> marks) that encode as <unk>."""
    words = ids.numel() - int((ids == vocab.eos_id).sum())
    return int((ids == vocab.unk_id).sum()) / words if words else 0.0


def build_lm(cfg: LMConfig, vocab_size: int) -> LanguageModel:
    body = build_body(cfg.body)  # the registry picks AWD-LSTM, Transformer or a HF model by `kind`
    return LanguageModel(FreeMapping(vocab_size, body.emb_dim), body, cfg.emb_dropout)


def pretrained(cfg: LMConfig) -> bool:
    """A body that comes trained (a HF model folder) is adopted, not trained here."""
    return cfg.body.kind == "hf"


def saved_state(cfg: LMConfig, model: LanguageModel) -> dict[str, torch.Tensor]:
    """What final/ stores: the whole LM, or only the table when the body is a model folder on disk."""
    keep = "mapping." if pretrained(cfg) else ""
    return {f"model.{k}": v for k, v in model.state_dict().items() if k.startswith(keep)}


def lm_folder(cfg: LMConfig, workdir: Path) -> Path:
    return workdir / "lms" / f"{CorpusSpec.parse(cfg.corpus).label()}-{cfg.key()}"


def train_lm(cfg: LMConfig, workdir: Path, resume: bool = True, runtime: Runtime | None = None) -> TrainedLM:
    """Train the LM described by cfg, or load it when this exact config already finished."""
    runtime = runtime or Runtime.local()
    folder = lm_folder(cfg, workdir)
    if has_checkpoint(folder / "final"):
        lm = load_lm(folder)
        lm.meta["reused"] = True
        return lm
    if pretrained(cfg):  # the word-level view of a model folder: its table, no training
        from .adopt import adopt_hf

        train_s, valid_s = split_train_valid(corpus_sentences(cfg.corpus, workdir / "cache"), cfg.valid_fraction,
                                             cfg.train.seed)
        model, vocab = adopt_hf(cfg, train_s)
        train_ids, valid_ids = encode_stream(train_s, vocab), encode_stream(valid_s, vocab)
    else:
        vocab, train_ids, valid_ids = token_streams(cfg.corpus, workdir / "cache", cfg.valid_fraction,
                                                    cfg.train.seed, cfg.vocab, stream=cfg.stream)
        torch.manual_seed(cfg.train.seed)
        model = build_lm(cfg, len(vocab))
    if runtime.is_main:
        vocab.save(folder / "vocab.json")
        write_json(folder / "config.json", asdict(cfg))
    train = batchify(train_ids, cfg.train.batch_size)
    valid = batchify(valid_ids, 8)
    t0 = time.perf_counter()
    if pretrained(cfg):  # nothing to train: score the word-level view on held-out text
        val_loss = evaluate_loss(model, valid, cfg.train.bptt, cfg.train.valid_windows, runtime)
        history = [{"epoch": 0, "steps": 0, "train_loss": float("nan"), "val_loss": val_loss,
                    "val_ppl": math.exp(min(val_loss, 50.0)), "tokens_per_s": 0.0, "seconds": 0.0}]
    else:
        history = fit(model, train, valid, cfg.train, saved=model, ckpt_dir=folder / "checkpoint",
                      resume=resume, desc=f"LM {cfg.corpus}", fingerprint={"lm": identity(cfg)}, runtime=runtime)
    meta = {
        "history": history,
        "val_ppl": history[-1]["val_ppl"],
        "tokens_per_s": sum(h["tokens_per_s"] for h in history) / len(history),
        "train_seconds": sum(h["seconds"] for h in history),
        "wall_seconds": time.perf_counter() - t0,
        "unk_rate_valid": unk_rate(valid_ids, vocab),
        "train_tokens": int(train.numel()),
        "vocab_size": len(vocab),
    }
    if runtime.is_main:
        save_checkpoint(folder / "final", saved_state(cfg, model), meta)
    runtime.barrier()
    return TrainedLM(model, vocab, cfg, folder, {**meta, "reused": False})


def load_lm(folder: str | Path) -> TrainedLM:
    """Rebuild a finished LM from its folder (config + vocab + final tensors)."""
    folder = Path(folder)
    cfg = from_dict(LMConfig, read_json(folder / "config.json"))
    vocab = Vocab.load(folder / "vocab.json")
    tensors, meta = load_checkpoint(folder / "final")
    model = build_lm(cfg, len(vocab))
    if pretrained(cfg):
        load_module_state(model.mapping, tensors, "model.mapping.", str(folder / "final"))
    else:
        load_module_state(model, tensors, "model.", str(folder / "final"))
    model.eval()
    return TrainedLM(model, vocab, cfg, folder, dict(meta))


def frozen_body(lm: LanguageModel) -> Body:
    """A dropout-free copy of the LM's body with gradients off: re-learning wants its signal clean."""
    return lm.body.frozen()


def require_lm_folder(path: str | Path) -> Path:
    path = Path(path)
    if not (path / "config.json").is_file():
        raise DecoderHeadError(f"{path}: not an LM folder (expected config.json, vocab.json, final/)")
    return path
