"""Gromov-Wasserstein seed (Alvarez-Melis & Jaakkola 2018, "Gromov-Wasserstein Alignment of
Word Embedding Spaces", EMNLP), solved with POT.

GW compares the two spaces only through their *internal* distance matrices, so it needs no
shared coordinates: the coupling T (n, n) between the n most frequent words of each side
minimises sum_{i,j,k,l} (C1[i,k] - C2[j,l])^2 T[i,j] T[k,l]. Its row argmax is a seed
dictionary; Procrustes (with refinement) then maps the whole vocabulary (sec. 4 of the paper
likewise fits an orthogonal map on the GW coupling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import DecoderHeadError

SOLVERS = ("exact", "entropic")


@dataclass(frozen=True)
class GromovConfig:
    """n_words: most frequent words per side in the GW problem (cost grows ~ n^3 per iteration).

    solver: "exact" (POT conditional gradient, `ot.gromov.gromov_wasserstein`) or "entropic"
        (`ot.gromov.entropic_gromov_wasserstein`, regularised by `epsilon`).
    max_iter / tol: outer iterations and relative tolerance of the solver.
    """

    n_words: int = 2500
    solver: str = "exact"
    epsilon: float = 5e-4
    max_iter: int = 200
    tol: float = 1e-9

    def __post_init__(self) -> None:
        if self.n_words < 2:
            raise DecoderHeadError(f"GW n_words must be >= 2, got {self.n_words}")
        if self.solver not in SOLVERS:
            raise DecoderHeadError(f"GW solver {self.solver!r} unknown; use one of {', '.join(SOLVERS)}")
        if self.epsilon <= 0 or self.max_iter < 1 or self.tol < 0:
            raise DecoderHeadError("GW epsilon must be > 0, max_iter >= 1, tol >= 0")


def cosine_cost(x: torch.Tensor) -> np.ndarray:
    """Intra-language cost 1 - cos (n, n) in float64 (POT works in numpy), scaled to max 1."""
    xn = torch.nn.functional.normalize(x.double(), dim=1)
    cost = (1.0 - xn @ xn.T).clamp_min(0.0).numpy()
    top = cost.max()
    return cost / top if top > 0 else cost


def gw_coupling(x: torch.Tensor, z: torch.Tensor, cfg: GromovConfig = GromovConfig()) -> np.ndarray:
    """Coupling (n, m) between the first n rows of x and m rows of z (uniform marginals)."""
    try:
        import ot
    except ImportError:  # pragma: no cover - pot is a declared dependency
        raise DecoderHeadError("POT is not installed; run `pip install pot` (or `make install`)") from None
    n, m = min(cfg.n_words, x.shape[0]), min(cfg.n_words, z.shape[0])
    c1, c2 = cosine_cost(x[:n]), cosine_cost(z[:m])
    p, q = ot.unif(n), ot.unif(m)
    if cfg.solver == "exact":
        coupling = ot.gromov.gromov_wasserstein(
            c1, c2, p, q, "square_loss", max_iter=cfg.max_iter, tol_rel=cfg.tol, tol_abs=cfg.tol
        )
    else:
        coupling = ot.gromov.entropic_gromov_wasserstein(
            c1, c2, p, q, "square_loss", epsilon=cfg.epsilon, max_iter=cfg.max_iter, tol=cfg.tol
        )
    coupling = np.asarray(coupling)
    if not np.isfinite(coupling).all() or coupling.sum() <= 0:
        raise DecoderHeadError(
            f"GW solver returned an invalid coupling (epsilon={cfg.epsilon} too small?); try solver='exact'"
        )
    return coupling


def gw_seed(x: torch.Tensor, z: torch.Tensor, cfg: GromovConfig = GromovConfig()) -> tuple[torch.Tensor, torch.Tensor]:
    """Seed dictionary: each of the top-n source words -> argmax of its coupling row."""
    coupling = gw_coupling(x, z, cfg)  # (n, m)
    trg = torch.from_numpy(coupling.argmax(axis=1)).long()
    return torch.arange(coupling.shape[0]), trg
