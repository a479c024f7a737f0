"""Mixtures over frozen rows: what every mapping but `free` shares.

Each word w of the new vocabulary is a weighted mixture of the frozen table's rows,
table[w] = sum_j W[w, j] E[j]. The parametrisations (linear, softmax, sinkhorn,
gumbel-sinkhorn, autoshuffle) differ only in how W comes from their parameters; this base
class owns the rest: the frozen target, the support of W, hard assignment, EM hooks.

Support: dense or sparse top-k. A dense W is V x V_t (25M-100M entries at 5k-10k words).
With `topk=k` each row keeps k candidate columns and W is stored compactly:

    support (V, k)  column ids        values (V, k)  parameters on those columns
       row w: [j_1, j_2, ..., j_k]           [a_1, a_2, ..., a_k]
    table[w] = sum_i W[w, i] * E[support[w, i]]      (embedding_bag, no (V, k, d) copy)

Columns outside a row's support have weight exactly 0 (score -inf). The support comes from
the init logits (their top k per row: the frequency-rank prior, a seed, or noise) and can be
re-picked later (`refresh_support`) from any (V, V_t) candidate scores.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from ..eval.retrieval import normalize as unit_rows
from .base import Mapping


def prepare_target(target: torch.Tensor, normalize: bool, keep_scale: bool) -> torch.Tensor:
    """The frozen (V_t, d) table, optionally VecMap-normalised (Artetxe et al. 2018, sec. 3.1).

    normalize: unit length, mean-centre, unit length. keep_scale: then multiply by the
    original mean row norm, so the frozen body sees inputs (and its tied output logits) at
    the scale it was trained with; without it every row has length 1.
    """
    target = target.detach().float().clone()
    if not normalize:
        return target
    scale = target.norm(dim=1).mean() if keep_scale else 1.0
    return unit_rows(target, center=True) * scale


def scatter_logsumexp(values: torch.Tensor, index: torch.Tensor, size: int) -> torch.Tensor:
    """log sum exp of `values` grouped by `index` into `size` bins; empty bins are -inf. (size,)

    The per-bin max is detached: it cancels analytically, so the gradient is still softmax.
    """
    peak = torch.full((size,), float("-inf"), dtype=values.dtype, device=values.device)
    peak = peak.scatter_reduce(0, index, values.detach(), "amax", include_self=True)
    peak = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
    total = torch.zeros(size, dtype=values.dtype, device=values.device).index_add(0, index, (values - peak[index]).exp())
    return total.log() + peak


def scatter_sum(values: torch.Tensor, index: torch.Tensor, size: int) -> torch.Tensor:
    """Sum of `values` grouped by `index` into `size` bins. (size,)"""
    return torch.zeros(size, dtype=values.dtype, device=values.device).index_add(0, index, values)


def carry_values(old_support: torch.Tensor, old_values: torch.Tensor, new_support: torch.Tensor,
                 fill: torch.Tensor, n_cols: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Values on a new support: an entry kept from the old support keeps its value, a new
    entry gets its row's `fill` (V, 1). Returns (values, kept mask), both (V, k).
    Matching by sorted (row, col) keys, so no V x k x k comparison."""
    rows = torch.arange(old_support.size(0), device=old_support.device).unsqueeze(1)
    old_keys, order = (rows * n_cols + old_support).flatten().sort()
    new_keys = (rows * n_cols + new_support).flatten()
    pos = torch.searchsorted(old_keys, new_keys).clamp_max(old_keys.numel() - 1)
    found = old_keys[pos] == new_keys
    kept = old_values.flatten()[order][pos]
    values = torch.where(found, kept, fill.expand_as(new_support).flatten())
    return values.view_as(new_support), found.view_as(new_support)


class MixtureMapping(Mapping):
    """table = W @ E_frozen; subclasses say how W comes from the parameter `param_name`.

    Subclass hooks:
      weights(noise)      W on the support, differentiable: (V, V_t) dense, (V, k) sparse
      compact_scores()    detached ranking of the same shape (log W, or W for `linear`)
      hard_values()       (off, on) parameter values that make a row one-hot (assign)
      new_entry_value(v)  (V, 1) value for entries that enter the support on a refresh
    """

    param_name = "logits"

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        target: torch.Tensor,
        init: torch.Tensor | None = None,
        topk: int | None = None,
        normalize: bool = False,
        keep_scale: bool = False,
    ) -> None:
        super().__init__()
        if target.dim() != 2 or target.size(1) != dim:
            raise ValueError(f"target table must be (V_t, {dim}), got {tuple(target.shape)}")
        n_target = target.size(0)
        if init is not None and tuple(init.shape) != (vocab_size, n_target):
            raise ValueError(f"init logits must be ({vocab_size}, {n_target}), got {tuple(init.shape)}")
        if topk is not None and topk < 1:
            raise ValueError(f"topk must be >= 1, got {topk}")
        self.vocab_size, self.dim, self.n_target = vocab_size, dim, n_target
        self.register_buffer("target", prepare_target(target, normalize, keep_scale))  # (V_t, d), frozen
        # W of the current step, for penalty(): a plain dict, so a Parameter put there
        # (linear's W is its parameter) is not registered as a second parameter.
        self._step: dict[str, torch.Tensor] = {}
        if topk is None:
            self.register_buffer("support", None)
            values = torch.zeros(vocab_size, n_target) if init is None else init.detach().float().clone()
        else:
            k = min(topk, n_target)
            # No init: a random support (k random columns per row), not the first k columns for all.
            ranking = torch.rand(vocab_size, n_target) if init is None else init.detach().float()
            support = ranking.topk(k, dim=1).indices  # (V, k)
            self.register_buffer("support", support)
            values = torch.zeros(vocab_size, k) if init is None else init.detach().float().gather(1, support)
        # The init logits as the parameter, (V, V_t) or (V, k); `linear` maps them to P itself.
        self.register_parameter(self.param_name, torch.nn.Parameter(values))

    # ---- subclass hooks -------------------------------------------------------------
    def weights(self, noise: bool | None = None) -> torch.Tensor:
        raise NotImplementedError

    def compact_scores(self) -> torch.Tensor:
        with torch.no_grad():
            return self.weights(noise=False)

    def hard_values(self) -> tuple[float, float]:
        raise NotImplementedError

    def new_entry_value(self, values: torch.Tensor) -> torch.Tensor:
        return values.min(dim=1, keepdim=True).values

    # ---- the Mapping protocol -------------------------------------------------------
    def param(self) -> torch.nn.Parameter:
        return getattr(self, self.param_name)

    def mix(self, w: torch.Tensor) -> torch.Tensor:
        """(V, V_t) or (V, k) weights -> (V, d) table."""
        if self.support is None:
            return w @ self.target  # (V, V_t) @ (V_t, d)
        return F.embedding_bag(self.support, self.target, per_sample_weights=w, mode="sum")

    def table(self) -> torch.Tensor:
        w = self.weights()
        # The loop calls table() then penalty() each step: keep W so the penalty reuses it.
        self._step.clear()
        if torch.is_grad_enabled() and w.requires_grad:
            self._step["weights"] = w
        return self.mix(w)

    def current_weights(self) -> torch.Tensor:
        """The W of the last table() call in this step (then forgotten), else a fresh one."""
        w = self._step.pop("weights", None)
        return self.weights() if w is None else w

    def row_col_sums(self, w: torch.Tensor, fn=lambda x: x) -> tuple[torch.Tensor, torch.Tensor]:
        """Sums of fn(W) per row (V,) and per column (V_t,), dense or sparse."""
        v = fn(w)
        if self.support is None:
            return v.sum(1), v.sum(0)
        return v.sum(1), scatter_sum(v.flatten(), self.support.flatten(), self.n_target)

    @torch.no_grad()
    def scores(self) -> torch.Tensor:
        """(V, V_t) assignment scores; -inf outside a sparse support."""
        s = self.compact_scores()
        if self.support is None:
            return s
        return torch.full((self.vocab_size, self.n_target), float("-inf"), device=s.device).scatter_(1, self.support, s)

    @torch.no_grad()
    def best_columns(self) -> torch.Tensor:
        """(V,) each row's highest-scoring column, without densifying a sparse support."""
        s = self.compact_scores()
        best = s.argmax(1)
        return best if self.support is None else self.support.gather(1, best[:, None]).squeeze(1)

    @torch.no_grad()
    def assign(self, rows: torch.Tensor, cols: torch.Tensor) -> None:
        """Make word rows[i] exactly frozen row cols[i] (EM's M-step); a sparse row whose
        support lacks cols[i] gives up its lowest-valued column for it."""
        rows, cols = torch.as_tensor(rows, dtype=torch.long), torch.as_tensor(cols, dtype=torch.long)
        off, on = self.hard_values()
        p = self.param()
        if self.support is None:
            p[rows] = off
            p[rows, cols] = on
            return
        match = self.support[rows] == cols[:, None]  # (n, k)
        slot = torch.where(match.any(1), match.to(torch.uint8).argmax(1), p[rows].argmin(1))
        self.support[rows, slot] = cols
        p[rows] = off
        p[rows, slot] = on

    @torch.no_grad()
    def hard_assignment(self) -> torch.Tensor:
        """(V,) one frozen row per word: the best one-to-one assignment under the scores
        (Hungarian, scipy). Dense: linear_sum_assignment; sparse: a full bipartite matching
        on the support (falls back to dense when the support admits none). With V > V_t the
        rows left without a partner take their best column."""
        s = self.compact_scores().double()
        out = self.best_columns().clone()
        if self.support is None:
            rows, cols = linear_sum_assignment(s.numpy(), maximize=True)
        else:
            rows, cols = _sparse_assignment(s, self.support, self.n_target)
        out[torch.as_tensor(rows, dtype=torch.long)] = torch.as_tensor(cols, dtype=torch.long)
        return out

    def harden(self) -> torch.Tensor:
        """Round the mixture to its hard assignment (AutoShuffleNet's final rounding); returns it."""
        cols = self.hard_assignment()
        self.assign(torch.arange(self.vocab_size), cols)
        return cols

    @torch.no_grad()
    def refresh_support(self, candidates: torch.Tensor | None = None, chunk: int = 2048) -> int:
        """Re-pick each row's k columns: its current best column plus the top of `candidates`
        ((V, V_t) scores, e.g. EM's assignment_scores), or by default the dot products of the
        current table with the frozen rows. Kept entries keep their values. Returns how many
        (row, column) entries are new. No-op for dense mappings. Optimiser moments of the
        changed slots refer to their old columns: reset the optimiser after a refresh."""
        if self.support is None:
            return 0
        if candidates is not None and tuple(candidates.shape) != (self.vocab_size, self.n_target):
            raise ValueError(f"candidates must be ({self.vocab_size}, {self.n_target}), got {tuple(candidates.shape)}")
        k = self.support.size(1)
        keep = self.best_columns()
        table = self.mix(self.weights(noise=False)) if candidates is None else None
        new = torch.empty_like(self.support)
        for start in range(0, self.vocab_size, chunk):
            end = min(start + chunk, self.vocab_size)
            c = (table[start:end] @ self.target.t() if candidates is None
                 else candidates[start:end].float().clone())  # (c, V_t)
            c.scatter_(1, keep[start:end, None], float("inf"))
            new[start:end] = c.topk(k, dim=1).indices
        p = self.param()
        values, kept = carry_values(self.support, p.data, new, self.new_entry_value(p.data), self.n_target)
        self.support.copy_(new)
        p.data.copy_(values)
        return int((~kept).sum())


def _sparse_assignment(scores: torch.Tensor, support: torch.Tensor, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Max-weight full matching restricted to the support; dense Hungarian if there is none.

    Every full matching has min(V, V_t) edges, so shifting all weights by a constant keeps
    the optimum; the shift makes them positive (a sparse matrix drops explicit zeros).
    """
    n_rows = scores.size(0)
    s = scores.numpy()
    weights = (s - s.min() + 1.0).ravel()
    rows = np.repeat(np.arange(n_rows), support.size(1))
    graph = csr_matrix((weights, (rows, support.numpy().ravel())), shape=(n_rows, n_cols))
    try:
        return min_weight_full_bipartite_matching(graph, maximize=True)
    except ValueError:  # the support holds no full matching
        dense = np.full((n_rows, n_cols), s.min() - 1e6)
        dense[rows, support.numpy().ravel()] = s.ravel()
        return linear_sum_assignment(dense, maximize=True)


class LogMixture(MixtureMapping):
    """W = exp(normalise((logits + noise) / tau)): `normalise` is a row log-softmax or
    log-Sinkhorn; the noise (Gumbel, training mode only) is off unless noise_factor > 0."""

    noise_factor: float = 0.0

    def __init__(self, vocab_size: int, dim: int, target: torch.Tensor, init: torch.Tensor | None = None,
                 tau: float = 1.0, topk: int | None = None, normalize: bool = False,
                 keep_scale: bool = False) -> None:
        if tau <= 0:
            raise ValueError(f"tau must be > 0, got {tau}")
        super().__init__(vocab_size, dim, target, init, topk, normalize, keep_scale)
        self.tau = tau

    def temperature(self) -> float:
        return self.tau

    def normalise(self, log_alpha: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def log_weights(self, noise: bool | None = None) -> torch.Tensor:
        """log W on the support: (V, V_t) dense, (V, k) sparse."""
        x = self.logits
        if (self.training if noise is None else noise) and self.noise_factor > 0:
            u = torch.rand_like(x)
            x = x + self.noise_factor * -torch.log(-torch.log(u + 1e-20) + 1e-20)  # Gumbel(0, 1)
        return self.normalise(x / self.temperature())

    def weights(self, noise: bool | None = None) -> torch.Tensor:
        return self.log_weights(noise).exp()

    def compact_scores(self) -> torch.Tensor:
        with torch.no_grad():
            return self.log_weights(noise=False)

    def hard_values(self) -> tuple[float, float]:
        # e^-30 of the mass off the assigned entry, at any later (lower) temperature too.
        return -30.0 * self.temperature(), 0.0
