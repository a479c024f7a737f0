"""Greedy and beam-search decoding over the Seq2Seq interface (encode / start / step).

Beam search keeps the `beam` best partial translations by summed log-probability; a
hypothesis that emits `<eos>` is set aside with its score divided by the GNMT length
penalty lp(n) = ((5 + n) / 6) ** alpha (Wu et al. 2016, eq. 14), so longer outputs are
not punished merely for having more factors below one. Search stops once `beam`
hypotheses have finished or the length limit is hit. With beam = 1 the search takes the
argmax at every step and stops at the first `<eos>`: exactly greedy decoding.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .models import Seq2Seq, select


def max_target_len(src_len: int, ratio: float) -> int:
    return int(ratio * src_len) + 10


@torch.no_grad()
def greedy(model: Seq2Seq, src: torch.Tensor, src_len: torch.Tensor, eos: int, max_len: int) -> list[list[int]]:
    """Batched argmax decoding: src (B, S) -> B id lists, `<eos>` excluded."""
    model.eval()
    memory = model.encode(src, src_len)
    state = model.start(memory)
    B = src.size(0)
    prev = torch.full((B,), eos, dtype=torch.long)
    out = torch.full((B, max_len), eos, dtype=torch.long)
    done = torch.zeros(B, dtype=torch.bool)
    for t in range(max_len):
        logits, state = model.step(memory, state, prev)
        prev = logits.argmax(-1)  # (B,)
        out[:, t] = torch.where(done, eos, prev)
        done |= prev == eos
        if bool(done.all()):
            break
    return [row[: row.index(eos)] if eos in row else row for row in out.tolist()]


def length_penalty(n: int, alpha: float) -> float:
    return ((5 + n) / 6) ** alpha


@torch.no_grad()
def beam_search(model: Seq2Seq, src: torch.Tensor, src_len: torch.Tensor, eos: int, max_len: int,
                beam: int = 5, alpha: float = 1.0) -> list[int]:
    """One source (1, S) -> the best id list, `<eos>` excluded."""
    model.eval()
    memory = model.encode(src, src_len)  # batch of 1
    state = model.start(memory)
    scores = torch.zeros(1)  # (k,) summed log-probabilities of the live hypotheses
    tokens: list[list[int]] = [[]]
    prev = torch.tensor([eos])
    finished: list[tuple[float, list[int]]] = []
    for _ in range(max_len):
        live_memory = select(memory, torch.zeros(len(tokens), dtype=torch.long))
        logits, state = model.step(live_memory, state, prev)
        total = (scores[:, None] + F.log_softmax(logits.float(), -1)).view(-1)  # (k * V,)
        V = logits.size(-1)
        top_scores, top_flat = total.topk(min(2 * beam, total.numel()))
        parents, words, new_scores = [], [], []
        for s, flat in zip(top_scores.tolist(), top_flat.tolist()):
            parent, word = divmod(flat, V)
            if word == eos:
                seq = tokens[parent]
                finished.append((s / length_penalty(len(seq) + 1, alpha), seq))
            else:
                parents.append(parent)
                words.append(word)
                new_scores.append(s)
            if len(parents) == beam or len(finished) >= beam:
                break
        if len(finished) >= beam or not parents:
            break
        index = torch.tensor(parents)
        state = select(state, index)
        tokens = [tokens[p] + [w] for p, w in zip(parents, words)]
        scores = torch.tensor(new_scores)
        prev = torch.tensor(words)
    else:  # length limit: the live hypotheses compete as they are
        finished += [(s / length_penalty(len(t), alpha), t) for s, t in zip(scores.tolist(), tokens)]
    return max(finished, key=lambda st: st[0])[1]
