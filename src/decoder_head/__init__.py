"""decoder-head: re-learn the word<->embedding mapping of a frozen language model."""

__version__ = "0.1.0"
