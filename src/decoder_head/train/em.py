"""Hard-EM rounds for a mixture mapping, decipherment-style (Knight et al. 2006).

Gradient training through the frozen body gets the frequent words right first (their
contexts dominate the loss) but creeps on the rest. With those words in place the body's
predictions become informative, and one pass over the corpus scores every assignment:

    S[w, j] = sum over positions t where word w occurs of log q_t(j)
    q_t = softmax(out_t @ E_frozen^T)   # the frozen LM's own belief over its rows

S is the exact log-likelihood of the output side if w were row j (inputs fixed at the
current mapping). The best one-to-one assignment is a linear assignment problem
(scipy's Hungarian, `linear_sum_assignment`), which becomes the new mapping; then repeat.
Forward passes only, no gradients: a round costs one pass over the tokens.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment

from ..models import LanguageModel
from ..runtime import Runtime, on_device
from .batches import windows


@torch.no_grad()
def assignment_scores(model: LanguageModel, batched: torch.Tensor, bptt: int,
                      max_tokens: int | None = None, runtime: Runtime | None = None) -> tuple[torch.Tensor, int]:
    """(V, V_t) summed log q over each word's positions, and the windows it took.

    Under torchrun each rank scores its rows of the stream and the sums are added up, so
    every rank then solves the same assignment."""
    runtime = runtime or Runtime.local()
    model.eval()
    mapping = model.mapping
    with on_device(runtime.device, model, runtime.shard(batched)) as (batched,):
        target = mapping.target  # (V_t, d)
        table = mapping.table()  # (V, d), current inputs
        scores = torch.zeros(mapping.vocab_size, target.size(0), device=target.device)
        state, seen, n = None, 0, 0
        for x, y in windows(batched, bptt):
            out, state = model.body(table[x], state)  # (B, T, d)
            log_q = F.log_softmax(out @ target.t(), dim=-1)  # (B, T, V_t)
            scores.index_add_(0, y.reshape(-1), log_q.reshape(-1, target.size(0)))
            seen, n = seen + y.numel(), n + 1
            if max_tokens is not None and seen >= max_tokens:
                break
        scores = runtime.all_sum(scores).cpu()
    return scores, n


def em_round(model: LanguageModel, batched: torch.Tensor, bptt: int, max_tokens: int | None = None,
             runtime: Runtime | None = None) -> dict:
    """One E-step (scores) + M-step (Hungarian) on model.mapping; returns what changed."""
    scores, n = assignment_scores(model, batched, bptt, max_tokens, runtime)
    before = model.mapping.scores().argmax(1)
    rows, cols = linear_sum_assignment(scores.numpy(), maximize=True)
    rows_t, cols_t = torch.as_tensor(rows), torch.as_tensor(cols)
    model.mapping.assign(rows_t, cols_t)
    changed = int((before[rows_t] != cols_t).sum())
    return {"windows": n, "changed": changed, "log_likelihood": float(scores[rows_t, cols_t].sum())}
