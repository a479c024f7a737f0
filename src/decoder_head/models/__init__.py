"""LM bodies (encoders over embeddings) behind one protocol, and the mapping+body language model."""

from .awd_lstm import AWDLSTM, AWDLSTMConfig
from .body import Body, State, body_config_class, body_kinds, build_body, detach_state
from .hf import HFBody, HFBodyConfig
from .lm import LanguageModel, OneLanguage, SharedLM
from .transformer import TransformerBody, TransformerConfig

__all__ = ["AWDLSTM", "AWDLSTMConfig", "Body", "HFBody", "HFBodyConfig", "State", "LanguageModel", "OneLanguage", "SharedLM", "TransformerBody", "TransformerConfig",
           "body_config_class", "body_kinds", "build_body", "detach_state"]
