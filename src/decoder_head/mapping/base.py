"""The one interface every word<->embedding mapping implements.

A mapping owns the whole lexical side of the LM: `table()` is the (V, d) matrix used both
to embed input ids and, tied, to score output states. Wiping the mapping and learning a
new one through the frozen body is the decoder-head experiment; everything else
(body, training loop, evaluation) only ever talks to this interface.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn


class Mapping(nn.Module):
    """Base class: subclasses define `table()`; the rest has sensible defaults."""

    vocab_size: int
    dim: int

    def table(self) -> torch.Tensor:
        """The effective embedding table (V, d), differentiable in the mapping's parameters."""
        raise NotImplementedError

    def penalty(self) -> torch.Tensor:
        """Extra loss term the parametrisation needs (e.g. a row/column-sum penalty)."""
        return torch.zeros(())

    def scores(self) -> torch.Tensor | None:
        """(V, V_target) assignment scores for mixture mappings; None for free tables."""
        return None

    def assign(self, rows: torch.Tensor, cols: torch.Tensor) -> None:
        """Set word rows[i] to frozen row cols[i] exactly (hard assignment); mixtures only."""
        raise NotImplementedError(f"{type(self).__name__} is not a mixture over frozen rows")

    def set_progress(self, fraction: float) -> None:
        """Told by the training loop how far it is (step / total steps, 0..1), e.g. for a
        temperature schedule; most mappings ignore it."""


MappingFactory = Callable[..., Mapping]
REGISTRY: dict[str, MappingFactory] = {}


def register(name: str) -> Callable[[MappingFactory], MappingFactory]:
    """Class decorator: make a parametrisation buildable by name."""

    def wrap(cls: MappingFactory) -> MappingFactory:
        REGISTRY[name] = cls
        return cls

    return wrap
