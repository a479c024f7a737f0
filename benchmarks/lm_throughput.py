"""Training tokens/s of each LM body on the same KJV tokens, beside a plain nn.LSTM reference.

    make bench-throughput      (-> benchmarks/results/lm_throughput.json + README table)

Every row trains the same way for the same steps: batch, BPTT length, torch threads, the
KJV token stream of the default preset, Adam, one training step = forward + backward +
update on a fresh window. Rows are measured in interleaved rounds (A B C A B C ...) so drift
on a shared machine hits them alike; the table reports the median round and each body's
ratio to the reference, which is what pytorch/examples' word_language_model trains: plain
nn.LSTM layers of the same sizes, ordinary dropout, a tied decoder. The AWD-LSTM row has
every regulariser on (weight drop, locked and embedding dropout), as pre-training runs it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from decoder_head.config import load_run_config
from decoder_head.data.vocab import Vocab
from decoder_head.files import read_json, write_json
from decoder_head.models import TransformerConfig
from decoder_head.report.markdown import add_table_args, replace_block, table_only
from decoder_head.train.batches import batchify, encode_stream, windows
from decoder_head.train.pretrain import build_lm, corpus_sentences

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- throughput:start -->", "<!-- throughput:end -->"


class PlainLSTMLM(nn.Module):
    """The reference: embedding, plain nn.LSTM layers (emb -> hidden ... -> emb), dropout, tied decoder."""

    def __init__(self, vocab: int, emb: int, hidden: int, n_layers: int, dropout: float) -> None:
        super().__init__()
        sizes = [emb] + [hidden] * (n_layers - 1) + [emb]
        self.embed = nn.Embedding(vocab, emb)
        self.layers = nn.ModuleList(nn.LSTM(sizes[i], sizes[i + 1], batch_first=True) for i in range(n_layers))
        self.drop = nn.Dropout(dropout)

    def forward(self, ids, state=None):
        x = self.drop(self.embed(ids))
        new = []
        for i, layer in enumerate(self.layers):
            x, s = layer(x, None if state is None else state[i])
            new.append(s)
            x = self.drop(x)
        return x @ self.embed.weight.t(), new


def detach(state):
    return None if state is None else [tuple(t.detach() for t in s) for s in state] if isinstance(state, list) \
        else state.detach()


def models(vocab: int, preset: str, d_model: int, layers: int) -> dict[str, nn.Module]:
    lm_cfg = load_run_config(preset).lm
    body = lm_cfg.body
    transformer = dataclasses.replace(lm_cfg, body=TransformerConfig(emb_dim=body.emb_dim, d_model=d_model,
                                                                      n_layers=layers, n_heads=4, memory=0))
    with_memory = dataclasses.replace(transformer, body=dataclasses.replace(transformer.body, memory=lm_cfg.train.bptt))
    shape = f"{layers}x{d_model}"
    torch.manual_seed(0)
    return {
        "plain nn.LSTM (reference)": PlainLSTMLM(vocab, body.emb_dim, body.hidden, body.n_layers, 0.3),
        "awd_lstm": build_lm(lm_cfg, vocab),
        f"transformer ({shape}, no memory)": build_lm(transformer, vocab),
        f"transformer ({shape}, memory {lm_cfg.train.bptt})": build_lm(with_memory, vocab),
    }


def measure(model: nn.Module, stream: list[tuple[torch.Tensor, torch.Tensor]], steps: int, offset: int) -> float:
    """Tokens/s of `steps` training steps from window `offset` on (one warm-up step first)."""
    model.train()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    state, tokens, t0 = None, 0, 0.0
    for i in range(steps + 1):
        if i == 1:
            t0, tokens = time.perf_counter(), 0
        x, y = stream[(offset + i) % len(stream)]
        logits, state = model(x, state)
        state = detach(state)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        tokens += y.numel()
    return tokens / (time.perf_counter() - t0)


def write_table(readme: Path, out: Path) -> None:
    result = read_json(out)
    lines = [f"Training tokens/s on the KJV (batch {result['batch_size']}, BPTT {result['bptt']}, "
             f"{result['threads']} torch threads, {result['cpus']} CPUs, {result['machine']}; median of "
             f"{result['rounds']} interleaved rounds of {result['steps']} steps; `make bench-throughput`):", "",
             "| body | tokens/s | x reference | parameters |", "|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['body']} | {r['tokens_per_s']:,.0f} | {r['vs_reference']:.2f} | {r['parameters']:,} |")
    replace_block(readme, START, END, lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default", help="the LM config whose corpus, vocabulary and body are used")
    ap.add_argument("--steps", type=int, default=20, help="timed steps per body per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--d-model", type=int, default=256, help="the Transformer rows' width")
    ap.add_argument("--layers", type=int, default=4, help="the Transformer rows' blocks")
    ap.add_argument("--workdir", default=str(ROOT / "runs"), help="corpus cache")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "lm_throughput.json"))
    add_table_args(ap, "rewrite this README's throughput table from --out")
    args = ap.parse_args(argv)
    if table_only(ap, args, write_table):
        return 0
    torch.set_num_threads(args.threads)
    lm_cfg = load_run_config(args.preset).lm
    sentences = corpus_sentences(lm_cfg.corpus, Path(args.workdir) / "cache")
    vocab = Vocab.build(sentences, lm_cfg.vocab.max_size, lm_cfg.vocab.min_count)
    batched = batchify(encode_stream(sentences, vocab), lm_cfg.train.batch_size)
    stream = list(windows(batched, lm_cfg.train.bptt))
    bodies = models(len(vocab), args.preset, args.d_model, args.layers)
    speeds: dict[str, list[float]] = {name: [] for name in bodies}
    for r in range(args.rounds):
        for name, model in bodies.items():
            speeds[name].append(measure(model, stream, args.steps, offset=r * (args.steps + 1)))
            print(f"round {r + 1}/{args.rounds} {name}: {speeds[name][-1]:,.0f} tokens/s", flush=True)
    ref = statistics.median(speeds["plain nn.LSTM (reference)"])
    rows = [{"body": name, "tokens_per_s": statistics.median(v), "rounds_tokens_per_s": v,
             "vs_reference": statistics.median(v) / ref,
             "parameters": sum(p.numel() for p in bodies[name].parameters())} for name, v in speeds.items()]
    write_json(Path(args.out), {"rows": rows, "batch_size": lm_cfg.train.batch_size, "bptt": lm_cfg.train.bptt,
                                "threads": args.threads, "cpus": os.cpu_count(), "steps": args.steps,
                                "rounds": args.rounds, "corpus": lm_cfg.corpus, "vocab_size": len(vocab),
                                "machine": platform.processor() or platform.machine(), "torch": torch.__version__})
    if args.readme:
        write_table(Path(args.readme), Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
