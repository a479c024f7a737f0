"""A language model = mapping (word<->embedding, tied) + body (encoder over embeddings).

    ids (B, T) --mapping.table()[ids]--> emb (B, T, d) --body--> out (B, T, d)
    logits (B, T, V) = out @ table^T          # tied head, no per-word bias

The head has no bias on purpose: a bias indexed by word id would survive a wiped mapping
and leak word identity (and frequency) into recovery. With no bias the mapping is the
one and only lexical parameter, which is what decoder-head re-learns.
"""

from __future__ import annotations

import torch
from torch import nn

from ..mapping import Mapping
from .body import Body, State


def embedding_dropout(ids: torch.Tensor, vocab_size: int, p: float, training: bool) -> torch.Tensor | None:
    """Word-level dropout (Gal & Ghahramani 2016): one keep/drop decision per word type.

    Returns a (B, T, 1) scale for the looked-up embeddings, or None when inactive.
    """
    if not training or p == 0.0:
        return None
    keep = torch.empty(vocab_size, device=ids.device).bernoulli_(1 - p) / (1 - p)
    return keep[ids].unsqueeze(-1)


def tied_forward(table: torch.Tensor, body: Body, ids: torch.Tensor, state: State, emb_dropout: float,
                 training: bool) -> tuple[torch.Tensor, State]:
    """ids (B, T) -> (logits (B, T, V), state): look up, word dropout, the body, the same table as head."""
    emb = table[ids]
    scale = embedding_dropout(ids, table.size(0), emb_dropout, training)
    if scale is not None:
        emb = emb * scale
    out, state = body(emb, state)
    return out @ table.t(), state


class LanguageModel(nn.Module):
    def __init__(self, mapping: Mapping, body: Body, emb_dropout: float = 0.05) -> None:
        super().__init__()
        if mapping.dim != body.emb_dim:
            raise ValueError(f"mapping dim {mapping.dim} != body emb_dim {body.emb_dim}")
        self.mapping = mapping
        self.body = body
        self.emb_dropout = emb_dropout

    def forward(self, ids: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """ids (B, T) -> (logits (B, T, V), new state)."""
        # (V, d), computed once per step
        return tied_forward(self.mapping.table(), self.body, ids, state, self.emb_dropout, self.training)

    def freeze_body(self) -> None:
        """Stop gradients into the body; dropout stays whatever train()/eval() says."""
        for p in self.body.parameters():
            p.requires_grad_(False)


class SharedLM(nn.Module):
    """One body read by every language, one tied table per language (Wada, Iwata & Matsumoto 2019).

        ids (B, T) of language L --tables[L]--> emb --body (shared)--> out @ tables[L]^T

    The frozen decoder head is its special case: a body trained on A alone, then only B's
    table learns. Tables are plain `free` mappings keyed by role ("a", "b"). With
    `shared_specials` = n, the first n rows (<unk>, <eos>) are one parameter for every
    language: the sentence boundary is the same event in any language, the one anchor the
    text itself gives (Wada et al. share the end-of-sentence output for the same reason)."""

    def __init__(self, tables: dict[str, Mapping], body: Body, emb_dropout: float = 0.05,
                 shared_specials: int = 0) -> None:
        super().__init__()
        for lang, table in tables.items():
            if table.dim != body.emb_dim:
                raise ValueError(f"table {lang} dim {table.dim} != body emb_dim {body.emb_dim}")
        self.tables = nn.ModuleDict(tables)
        self.body = body
        self.emb_dropout = emb_dropout
        first = next(iter(tables.values())).table().detach()
        self.specials = nn.Parameter(first[:shared_specials].clone()) if shared_specials else None

    def table(self, lang: str) -> torch.Tensor:
        """(V_lang, d): the language's rows, its specials replaced by the shared ones."""
        own = self.tables[lang].table()
        return own if self.specials is None else torch.cat([self.specials, own[self.specials.size(0):]])

    def forward(self, ids: torch.Tensor, lang: str, state: State = None) -> tuple[torch.Tensor, State]:
        """ids (B, T) of language `lang` -> (logits over that language's words (B, T, V_lang), state)."""
        return tied_forward(self.table(lang), self.body, ids, state, self.emb_dropout, self.training)


class OneLanguage(nn.Module):
    """A SharedLM seen as one language's LM: forward(ids, state), as evaluate_loss expects."""

    def __init__(self, shared: SharedLM, lang: str) -> None:
        super().__init__()
        self.shared, self.lang = shared, lang

    def forward(self, ids: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        return self.shared(ids, self.lang, state)
