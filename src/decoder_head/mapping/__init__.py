"""Learnable word<->embedding parametrisations, chosen by name from one registry."""

from .base import REGISTRY, Mapping, register
from .free import FreeMapping
from .sinkhorn import SinkhornMapping, log_sinkhorn

__all__ = ["REGISTRY", "Mapping", "register", "FreeMapping", "SinkhornMapping", "log_sinkhorn", "build_mapping"]


def build_mapping(name: str, vocab_size: int, dim: int, **kwargs: object) -> Mapping:
    """Build a registered mapping; unknown names list the known ones."""
    if name not in REGISTRY:
        raise ValueError(f"unknown mapping {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name](vocab_size=vocab_size, dim=dim, **kwargs)
