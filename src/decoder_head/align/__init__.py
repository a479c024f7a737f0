"""Embedding-alignment baselines: robust self-learning (VecMap), Procrustes, Gromov-Wasserstein.

Every method maps two monolingual word2vec spaces into one; retrieval and BLI scoring are
the toolkit's own (`decoder_head.eval`), so the baselines are scored exactly like induction.
"""

from .gromov import GromovConfig, gw_coupling, gw_seed
from .pipeline import METHODS, AlignConfig, align, run_align
from .procrustes import ProcrustesConfig, orthogonal_map, procrustes
from .seeds import dictionary_seed, identical_seed, similarity_seed
from .self_learning import SelfLearningConfig, self_learning

__all__ = [
    "METHODS", "AlignConfig", "GromovConfig", "ProcrustesConfig", "SelfLearningConfig", "align",
    "dictionary_seed", "gw_coupling", "gw_seed", "identical_seed", "orthogonal_map", "procrustes",
    "run_align", "self_learning", "similarity_seed",
]
