"""LM bodies (encoders over embeddings) and the mapping+body language model."""

from .awd_lstm import AWDLSTM, AWDLSTMConfig, State
from .lm import LanguageModel

__all__ = ["AWDLSTM", "AWDLSTMConfig", "State", "LanguageModel"]
