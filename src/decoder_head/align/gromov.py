"""Gromov-Wasserstein seed (Alvarez-Melis & Jaakkola 2018, "Gromov-Wasserstein Alignment of
Word Embedding Spaces", EMNLP), solved with POT.

GW compares the two spaces only through their *internal* distance matrices, so it needs no
shared coordinates: the coupling T (n, m) between the n most frequent words of each side
minimises sum_{i,j,k,l} (C1[i,k] - C2[j,l])^2 T[i,j] T[k,l] under uniform marginals.
The paper solves the *entropic* problem (projected gradient, each step a Sinkhorn
projection with regulariser epsilon; sec. 3) on the top few thousand words, reads a seed
dictionary off the coupling and fits an orthogonal map on it (sec. 4); here the row argmax
of T is the seed and Procrustes with CSLS refinement maps the whole vocabulary.

    C1 = 1 - cos within source top-n   (n, n), divided by its mean (the paper's "mean" scaling)
    C2 = 1 - cos within target top-m   (m, m)
    T  = POT entropic GW (PGD) or exact GW (conditional gradient)  (n, m)
    seed: i -> argmax_j T[i, j]

Small epsilon sharpens T. POT's PGD solver runs its Sinkhorn projections in the linear
domain, where exp(-grad / epsilon) underflows for small enough epsilon (the solver then
returns NaN and `gw_coupling` says so); solver "entropic-log" is the same iteration with
log-domain Sinkhorn, for the paper's epsilon (5e-4) at a much higher cost. The exact
solver (conditional gradient from the uniform coupling p q^T) has no epsilon at all.

On the Bible word2vec vectors (2,000 words per side, benchmarks/alignment.py) no setting
found the alignment: POT entropic at epsilon 2e-3, 5e-3 and 1e-2 put the gold translation
on 0-1 of 368 train-dictionary words, and refinement cannot recover from such a seed
(P@1 ~0); exact GW on 2,500 words also ended at ~0; entropic-log at 5e-4 did not finish
in 15 minutes on 2 shared cores. GW is known to need large, clean, near-isometric spaces
(the paper used fastText Wikipedia vectors); 0.8M-token Bibles are neither.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import DecoderHeadError

SOLVERS = ("exact", "entropic", "entropic-log")


@dataclass(frozen=True)
class GromovConfig:
    """n_words: most frequent words per side in the GW problem (cost grows ~ n^3 per iteration).

    solver: "entropic" (`ot.gromov.entropic_gromov_wasserstein`, regularised by `epsilon`,
        as in the paper), "entropic-log" (the same with log-domain Sinkhorn steps, for small
        epsilon; slow) or "exact" (`ot.gromov.gromov_wasserstein`, conditional gradient).
    epsilon: entropic regulariser, relative to costs of mean 1.
    max_iter / tol: outer iterations and tolerance of the solver.
    """

    n_words: int = 2000
    solver: str = "entropic"
    epsilon: float = 5e-3
    max_iter: int = 100
    tol: float = 1e-9

    def __post_init__(self) -> None:
        if self.n_words < 2:
            raise DecoderHeadError(f"GW n_words must be >= 2, got {self.n_words}")
        if self.solver not in SOLVERS:
            raise DecoderHeadError(f"GW solver {self.solver!r} unknown; use one of {', '.join(SOLVERS)}")
        if self.epsilon <= 0 or self.max_iter < 1 or self.tol < 0:
            raise DecoderHeadError("GW epsilon must be > 0, max_iter >= 1, tol >= 0")


def cosine_cost(x: torch.Tensor) -> torch.Tensor:
    """Intra-language cost 1 - cos (n, n) in float64, divided by its mean (Alvarez-Melis & Jaakkola)."""
    xn = torch.nn.functional.normalize(x.double(), dim=1)
    cost = (1.0 - xn @ xn.T).clamp_min(0.0)
    mean = cost.mean()
    return cost / mean if mean > 0 else cost


def gw_coupling(x: torch.Tensor, z: torch.Tensor, cfg: GromovConfig = GromovConfig()) -> np.ndarray:
    """Coupling (n, m) between the first n rows of x and m rows of z (uniform marginals)."""
    try:
        import ot
    except ImportError:  # pragma: no cover - pot is a declared dependency
        raise DecoderHeadError("POT is not installed; run `pip install pot` (or `make install`)") from None
    n, m = min(cfg.n_words, x.shape[0]), min(cfg.n_words, z.shape[0])
    c1, c2 = cosine_cost(x[:n]), cosine_cost(z[:m])  # torch tensors: POT runs on its torch backend
    p = torch.full((n,), 1.0 / n, dtype=torch.float64)
    q = torch.full((m,), 1.0 / m, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # POT warns on non-convergence / underflow; checked below
        if cfg.solver == "exact":
            coupling = ot.gromov.gromov_wasserstein(
                c1, c2, p, q, "square_loss", max_iter=cfg.max_iter, tol_rel=cfg.tol, tol_abs=cfg.tol
            )
        elif cfg.solver == "entropic-log":
            coupling = entropic_gw_log(c1, c2, p, q, cfg)
        else:
            coupling = ot.gromov.entropic_gromov_wasserstein(
                c1, c2, p, q, "square_loss", epsilon=cfg.epsilon, max_iter=cfg.max_iter, tol=cfg.tol,
                solver="PGD", symmetric=True,
            )
    coupling = coupling.numpy() if isinstance(coupling, torch.Tensor) else np.asarray(coupling)
    if not np.isfinite(coupling).all() or abs(coupling.sum() - 1.0) > 1e-3:
        raise DecoderHeadError(
            f"GW solver returned an invalid coupling (mass {np.nansum(coupling):.3g}); epsilon={cfg.epsilon} "
            "is too small for POT's linear-domain Sinkhorn steps: raise it (e.g. 5e-3)"
        )
    return coupling


def entropic_gw_log(c1: torch.Tensor, c2: torch.Tensor, p: torch.Tensor, q: torch.Tensor,
                    cfg: GromovConfig) -> torch.Tensor:
    """POT's entropic GW (projected gradient, square loss) with log-domain Sinkhorn projections.

    The same iteration as `ot.gromov.entropic_gromov_wasserstein(solver="PGD")`,
        T <- sinkhorn(p, q, grad_GW(T), epsilon)      (n, m)
    but each projection is `ot.sinkhorn(method="sinkhorn_log")`, warm-started from the previous
    dual potentials, so epsilon can go below what linear-domain Sinkhorn survives.
    """
    import ot

    nx = ot.backend.get_backend(c1, c2)
    const_c, h_c1, h_c2 = ot.gromov.init_matrix(c1, c2, p, q, "square_loss", nx)
    coupling = nx.outer(p, q)
    warm = None
    for _ in range(cfg.max_iter):
        grad = ot.gromov.gwggrad(const_c, h_c1, h_c2, coupling, nx)  # (n, m)
        new, log = ot.sinkhorn(p, q, grad, cfg.epsilon, method="sinkhorn_log", numItermax=200,
                               stopThr=1e-7, log=True, warn=False, warmstart=warm)
        warm = (log["log_u"], log["log_v"])
        change = float(nx.norm(new - coupling))
        coupling = new
        if change < cfg.tol:
            break
    return coupling


def gw_seed(x: torch.Tensor, z: torch.Tensor, cfg: GromovConfig = GromovConfig()) -> tuple[torch.Tensor, torch.Tensor]:
    """Seed dictionary: each of the top-n source words -> argmax of its coupling row."""
    coupling = gw_coupling(x, z, cfg)  # (n, m)
    trg = torch.from_numpy(coupling.argmax(axis=1)).long()
    return torch.arange(coupling.shape[0]), trg
