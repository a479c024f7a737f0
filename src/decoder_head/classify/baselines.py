"""Reference rows: the majority class, and a supervised bag of words (scikit-learn TF-IDF + logistic
regression) trained with labels of the language it is scored on: what supervision in that
language buys, against a classifier that never saw one of its labels."""

from __future__ import annotations

import time
from typing import Any, Sequence

import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .data import Splits, Verse, labels_of
from .evaluate import scores


def majority(train: Sequence[Verse], test: Sequence[Verse]) -> dict[str, Any]:
    """Every test verse gets the most frequent training group."""
    top = int(torch.bincount(labels_of(train)).argmax())
    return scores(labels_of(test), torch.full((len(test),), top, dtype=torch.long))


def _tokens(tokens: Sequence[str]) -> Sequence[str]:
    return tokens  # verses arrive tokenized by the LM's tokenizer


def bag_of_words(splits: Splits, test: Sequence[Verse] | None = None, cs: Sequence[float] = (1.0, 10.0, 100.0),
                 ngrams: int = 2) -> dict[str, Any]:
    """TF-IDF of word 1..ngrams-grams (sublinear tf, seen in >= 2 training verses) + multinomial logistic
    regression with balanced class weights; C chosen by validation macro-F1. Scored on `test`
    (default: splits.test). Deterministic (lbfgs): no seeds to vary."""
    t0 = time.perf_counter()
    vectorizer = TfidfVectorizer(tokenizer=_tokens, preprocessor=_tokens, lowercase=False, token_pattern=None,
                                 ngram_range=(1, ngrams), min_df=2, sublinear_tf=True)
    x_train = vectorizer.fit_transform([v.tokens for v in splits.train])
    x_valid = vectorizer.transform([v.tokens for v in splits.valid])
    y_train, y_valid = labels_of(splits.train).numpy(), labels_of(splits.valid)
    if not cs:
        raise ValueError("bag_of_words needs at least one C")
    best: tuple[float, float, LogisticRegression] | None = None
    for c in cs:
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x_train, y_train)
        f1 = scores(y_valid, torch.from_numpy(model.predict(x_valid)))["macro_f1"]
        if best is None or f1 > best[0]:
            best = (f1, c, model)
    test = splits.test if test is None else test
    pred = torch.from_numpy(best[2].predict(vectorizer.transform([v.tokens for v in test])))
    return {**scores(labels_of(test), pred), "C": best[1], "valid_macro_f1": best[0], "features": x_train.shape[1],
            "seconds": time.perf_counter() - t0}
