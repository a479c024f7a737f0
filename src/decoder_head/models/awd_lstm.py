"""AWD-LSTM body (Merity et al. 2018), written as a bare encoder over embeddings.

The body never owns the word table: it maps input embeddings (B, T, d) to output
states (B, T, d) that the tied head scores against the same table. That separation is
what lets decoder-head swap the word<->embedding mapping while the body stays frozen.

Regularisers, each a small piece (as fastai's awdlstm.py splits them):
- locked (variational) dropout: one mask per sequence, shared across time steps;
- weight drop (DropConnect) on every hidden-to-hidden matrix, resampled per forward;
- embedding dropout lives with the mapping (it drops whole word rows), see mapping/.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call

from .body import Body, freeze, register_body

LSTMState = list[tuple[torch.Tensor, torch.Tensor]]  # one (h, c) per layer, each (1, B, H)


@dataclass(frozen=True)
class AWDLSTMConfig:
    """Shape and regularisation of the body."""

    kind: str = "awd_lstm"
    emb_dim: int = 200  # input and output size (tied with the word table)
    hidden: int = 512  # size of the inner LSTM layers
    n_layers: int = 2
    input_dropout: float = 0.3  # locked dropout on the embeddings fed in
    hidden_dropout: float = 0.2  # locked dropout between layers
    output_dropout: float = 0.3  # locked dropout on the last layer's output
    weight_dropout: float = 0.4  # DropConnect on hidden-to-hidden weights

    def __post_init__(self) -> None:
        if self.kind != "awd_lstm":
            raise ValueError(f"AWDLSTMConfig.kind must be 'awd_lstm', got {self.kind!r}")
        if self.emb_dim < 1 or self.hidden < 1 or self.n_layers < 1:
            raise ValueError("emb_dim, hidden and n_layers must be positive")
        for name in ("input_dropout", "hidden_dropout", "output_dropout", "weight_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1)")


def locked_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Variational dropout: x (B, T, C) keeps one mask (B, 1, C) for all time steps."""
    if not training or p == 0.0:
        return x
    mask = x.new_empty(x.size(0), 1, x.size(2)).bernoulli_(1 - p) / (1 - p)
    return x * mask


class WeightDropLSTM(nn.Module):
    """One LSTM layer whose hidden-to-hidden matrix gets DropConnect at each forward.

    The raw weight stays the registered parameter; the dropped copy is passed through
    `functional_call`, so no parameter is ever overwritten in place.
    """

    def __init__(self, n_in: int, n_out: int, weight_dropout: float) -> None:
        super().__init__()
        self.lstm = nn.LSTM(n_in, n_out, batch_first=True)
        self.weight_dropout = weight_dropout

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        if self.training and self.weight_dropout > 0:
            w = self.lstm.weight_hh_l0
            dropped = nn.functional.dropout(w, self.weight_dropout, training=True)
            return functional_call(self.lstm, {"weight_hh_l0": dropped}, (x, state))
        return self.lstm(x, state)


class AWDLSTM(Body):
    """Stacked weight-dropped LSTMs: embeddings (B, T, d) -> states (B, T, d)."""

    def __init__(self, cfg: AWDLSTMConfig) -> None:
        super().__init__()
        self.cfg = cfg
        sizes = [cfg.emb_dim] + [cfg.hidden] * (cfg.n_layers - 1) + [cfg.emb_dim]
        self.layers = nn.ModuleList(
            WeightDropLSTM(sizes[i], sizes[i + 1], cfg.weight_dropout) for i in range(cfg.n_layers)
        )

    def frozen(self) -> "AWDLSTM":
        cfg = dataclasses.replace(self.cfg, input_dropout=0.0, hidden_dropout=0.0,
                                  output_dropout=0.0, weight_dropout=0.0)
        body = AWDLSTM(cfg)
        body.load_state_dict(self.state_dict())
        return freeze(body)

    def forward(self, emb: torch.Tensor, state: LSTMState | None = None) -> tuple[torch.Tensor, LSTMState]:
        """emb (B, T, d) -> (out (B, T, d), new state: one (h, c) per layer, each (1, B, H))."""
        x = locked_dropout(emb, self.cfg.input_dropout, self.training)
        new_state: LSTMState = []
        for i, layer in enumerate(self.layers):
            x, s = layer(x, None if state is None else state[i])
            new_state.append(s)
            last = i == len(self.layers) - 1
            p = self.cfg.output_dropout if last else self.cfg.hidden_dropout
            x = locked_dropout(x, p, self.training)
        return x, new_state


register_body("awd_lstm", AWDLSTMConfig, AWDLSTM)
