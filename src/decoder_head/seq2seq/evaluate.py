"""BLEU and chrF with sacrebleu on the test verses, for translators and word-by-word baselines.

Hypotheses and references are both in the project's token form: lowercased runs of
letters joined by spaces (decoder_head.data.tokenizer), which is all a word-level model
can produce; punctuation and case are therefore not scored. References are the full test
verses (never cut at the training length cap). The sacrebleu signature is stored with
every score so numbers can be compared across runs.

The word-by-word baseline translates each Spanish token on its own with a lexicon (FreeDict
or the `lexicon.tsv` an induce/align run wrote) and copies unknown words (proper names
mostly survive that way): the line between lexicon induction and sentence translation.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

from ..data.dictionary import freedict_es_en
from ..data.vocab import Vocab
from ..errors import DecoderHeadError
from .config import DecodeConfig
from .data import Pair, encode_source
from .translator import Translator


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, Any]:
    """Corpus BLEU and chrF (sacrebleu defaults) with their signatures."""
    from sacrebleu.metrics import BLEU, CHRF

    if len(hypotheses) != len(references) or not references:
        raise DecoderHeadError(f"need one hypothesis per reference, got {len(hypotheses)} and {len(references)}")
    bleu, chrf = BLEU(), CHRF()
    b = bleu.corpus_score(list(hypotheses), [list(references)])
    c = chrf.corpus_score(list(hypotheses), [list(references)])
    return {"bleu": round(b.score, 2), "chrf": round(c.score, 2), "bleu_signature": str(bleu.get_signature()),
            "chrf_signature": str(chrf.get_signature()), "bleu_detail": str(b), "n": len(references)}


def examples(pairs: Sequence[Pair], hypotheses: Sequence[str], n: int) -> list[dict[str, str]]:
    """The first n test verses (corpus order): id, source, reference, hypothesis."""
    return [{"id": p.id, "src": " ".join(p.src), "ref": " ".join(p.trg), "hyp": h}
            for p, h in zip(pairs[:n], hypotheses[:n])]


def evaluate_translator(tr: Translator, pairs: Sequence[Pair], decode: DecodeConfig) -> dict[str, Any]:
    """Scores of greedy (batched) and, when decode.beam > 1, beam decoding on `pairs`."""
    refs = [" ".join(p.trg) for p in pairs]
    t0 = time.perf_counter()
    greedy_hyps = [" ".join(h) for h in tr.greedy_batch([p.src for p in pairs])]
    result: dict[str, Any] = {"greedy": {**corpus_scores(greedy_hyps, refs), "seconds": time.perf_counter() - t0}}
    hyps = greedy_hyps
    if decode.beam > 1:
        t0 = time.perf_counter()
        hyps = [" ".join(tr.translate_ids(encode_source(p.src, tr.src_vocab, tr.max_src_len), decode))
                for p in pairs]
        result["beam"] = {**corpus_scores(hyps, refs), "beam": decode.beam,
                          "length_penalty": decode.length_penalty, "seconds": time.perf_counter() - t0}
    best = result.get("beam", result["greedy"])
    result.update({"bleu": best["bleu"], "chrf": best["chrf"], "signature": best["bleu_signature"],
                   "chrf_signature": best["chrf_signature"], "decoding": f"beam {decode.beam}" if decode.beam > 1
                   else "greedy", "examples": examples(pairs, hyps, decode.examples)})
    return result


def freedict_lexicon(trg_vocab: Vocab, dictd_dir: str = "/usr/share/dictd") -> dict[str, str]:
    """FreeDict es->en, one English word per Spanish word: the candidate most frequent in
    the English training side (ties alphabetical), since FreeDict gives no order."""
    counts = {w: c for w, c in zip(trg_vocab.itos, trg_vocab.counts)}
    return {es: min(ens, key=lambda e: (-counts.get(e, 0), e)) for es, ens in freedict_es_en(dictd_dir).items()}


def word_by_word(pairs: Sequence[Pair], lexicon: dict[str, str], unknown: str = "copy") -> list[str]:
    """Each source token -> its lexicon entry; unknown tokens copied ('copy') or dropped ('drop')."""
    if unknown not in ("copy", "drop"):
        raise DecoderHeadError(f"unknown-word rule {unknown!r}: use 'copy' or 'drop'")
    out = []
    for p in pairs:
        words = [lexicon.get(t, t if unknown == "copy" else None) for t in p.src]
        out.append(" ".join(w for w in words if w))
    return out


def evaluate_lexicon(name: str, lexicon: dict[str, str], pairs: Sequence[Pair], n_examples: int = 3,
                     unknown: str = "copy") -> dict[str, Any]:
    hyps = word_by_word(pairs, lexicon, unknown)
    tokens = [t for p in pairs for t in p.src]
    covered = sum(1 for t in tokens if t in lexicon) / max(1, len(tokens))
    scores = corpus_scores(hyps, [" ".join(p.trg) for p in pairs])
    return {"model": f"word-by-word {name}", **scores, "signature": scores["bleu_signature"],
            "lexicon_entries": len(lexicon), "token_coverage": round(covered, 4), "unknown": unknown,
            "examples": examples(pairs, hyps, n_examples)}
