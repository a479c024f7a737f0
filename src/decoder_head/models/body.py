"""The one body protocol, and the registry that builds a body from its config by `kind`.

    emb (B, T, d) --body--> out (B, T, d), state        # the head is the tied table, outside

Every body (AWD-LSTM, Transformer, a Hugging Face causal LM) is an encoder over embeddings:
it never owns the word table, so decoder-head can wipe and re-learn the mapping under any of
them. What the training loop, re-learning and EM need from a body, and nothing more:
- `forward(emb, state=None) -> (out, state)`: the state is whatever the body carries across
  BPTT windows (the LSTM's (h, c) per layer; None for a Transformer that sees one window);
- `emb_dim`: the size of the table it reads and is scored against;
- `frozen()`: a copy with dropout off and gradients off, the body re-learning runs through.
The loop detaches the state with `detach_state`, which walks any nesting of tensors.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

State = Any  # a body's carried state: tensors nested in lists/tuples, or None


class Body(nn.Module):
    """Base of every LM body; subclasses set `cfg` (a frozen dataclass with a `kind`)."""

    cfg: Any

    @property
    def emb_dim(self) -> int:
        return self.cfg.emb_dim

    def forward(self, emb: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        raise NotImplementedError

    def frozen(self) -> "Body":
        """A dropout-free copy with gradients off: re-learning wants its signal clean."""
        raise NotImplementedError


def freeze(body: Body) -> Body:
    """Gradients off and eval mode for every parameter of `body` (returned for chaining)."""
    for p in body.parameters():
        p.requires_grad_(False)
    return body.eval()


def detach_state(state: State) -> State:
    """Cut the graph between BPTT windows, whatever the body's state looks like."""
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    if isinstance(state, (list, tuple)):
        return type(state)(detach_state(s) for s in state)
    raise TypeError(f"cannot detach a body state of type {type(state).__name__}")


# kind -> (config dataclass, builder). Each body module registers itself on import.
_REGISTRY: dict[str, tuple[type, Callable[[Any], Body]]] = {}


def register_body(kind: str, config_cls: type, builder: Callable[[Any], Body]) -> None:
    _REGISTRY[kind] = (config_cls, builder)


def body_kinds() -> list[str]:
    return sorted(_REGISTRY)


def body_config_class(kind: str) -> type:
    if kind not in _REGISTRY:
        raise ValueError(f"unknown body kind {kind!r} (known: {', '.join(body_kinds())})")
    return _REGISTRY[kind][0]


def build_body(cfg: Any) -> Body:
    """The body its config describes (`cfg.kind` picks the class)."""
    body_config_class(cfg.kind)  # an unknown kind fails here, naming the known ones
    return _REGISTRY[cfg.kind][1](cfg)
