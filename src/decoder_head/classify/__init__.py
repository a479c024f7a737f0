"""Classifiers on the LM body (ULMFiT's head), and zero-shot transfer through a swapped word table."""
