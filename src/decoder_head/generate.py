"""Continue a prompt with a trained LM: the quickest sanity check that it learned the language."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .data.tokenizer import Tokenizer
from .train.pretrain import TrainedLM


@torch.no_grad()
def generate(lm: TrainedLM, prompt: str, n_words: int = 30, temperature: float = 0.8, seed: int = 0) -> str:
    """Sample n_words after the prompt (<unk> is never sampled; <eos> starts a new line)."""
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    torch.manual_seed(seed)
    model, vocab = lm.model.eval(), lm.vocab
    ids = [vocab.eos_id] + vocab.encode(Tokenizer()(prompt))
    logits, state = model(torch.tensor([ids]))
    words: list[str] = []
    for _ in range(n_words):
        last = logits[0, -1] / temperature
        last[vocab.unk_id] = float("-inf")
        nxt = int(torch.multinomial(F.softmax(last, -1), 1))
        words.append("\n" if nxt == vocab.eos_id else vocab.itos[nxt])
        logits, state = model(torch.tensor([[nxt]]), state)
    return " ".join(words).replace(" \n ", "\n")
