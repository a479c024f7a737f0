"""Learnable word<->embedding parametrisations, chosen by name from one registry."""

import inspect
import warnings

from ..errors import DecoderHeadError
from .autoshuffle import AutoShuffleMapping
from .base import REGISTRY, Mapping, register
from .free import FreeMapping
from .gumbel import GumbelSinkhornMapping
from .linear import LinearMapping
from .mixture import MixtureMapping
from .sinkhorn import SinkhornMapping, log_sinkhorn, sparse_log_sinkhorn
from .softmax import SoftmaxMapping

__all__ = ["REGISTRY", "Mapping", "MixtureMapping", "register", "FreeMapping", "LinearMapping", "SoftmaxMapping",
           "SinkhornMapping", "GumbelSinkhornMapping", "AutoShuffleMapping", "log_sinkhorn", "sparse_log_sinkhorn",
           "build_mapping"]


def build_mapping(name: str, vocab_size: int, dim: int, **kwargs: object) -> Mapping:
    """Build a registered mapping. An unknown name is bad input; arguments the mapping does
    not take are dropped with a warning (a preset's mapping_args may be meant for another
    mapping, e.g. `--set recover.mapping=free` on a Sinkhorn preset), so typos stay visible."""
    if name not in REGISTRY:
        raise DecoderHeadError(f"unknown mapping {name!r}; known: {', '.join(sorted(REGISTRY))}")
    cls = REGISTRY[name]
    accepted = [p for p in inspect.signature(cls).parameters if p not in ("vocab_size", "dim")]
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        warnings.warn(f"mapping {name!r} ignores argument(s) {', '.join(unknown)}; it takes: {', '.join(accepted)}",
                      stacklevel=2)
        kwargs = {k: v for k, v in kwargs.items() if k in accepted}
    try:
        return cls(vocab_size=vocab_size, dim=dim, **kwargs)
    except ValueError as exc:
        raise DecoderHeadError(f"mapping {name!r}: {exc}") from None
