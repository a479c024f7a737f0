"""Data layer: corpora (SWORD Bibles, plain text, wikitext), tokenizer, vocab, dictionaries."""

from .corpus import CorpusSpec, load_sentences, split_train_valid
from .dictionary import (
    decode_dictd_number,
    freedict_es_en,
    parse_dictd_entry,
    read_dictd,
    read_muse,
    write_muse,
)
from .sword import CANON, Verse, bible_available, clean_osis, read_bible
from .text import read_plain_text, read_wikitext
from .tokenizer import Tokenizer
from .vocab import Vocab

__all__ = [
    "CANON",
    "CorpusSpec",
    "Tokenizer",
    "Verse",
    "Vocab",
    "bible_available",
    "clean_osis",
    "decode_dictd_number",
    "freedict_es_en",
    "load_sentences",
    "parse_dictd_entry",
    "read_bible",
    "read_dictd",
    "read_muse",
    "read_plain_text",
    "read_wikitext",
    "split_train_valid",
    "write_muse",
]
