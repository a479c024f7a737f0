"""Monolingual vector spaces of a corpus, made once and cached under `<workdir>/vectors/`.

A spec is a dict for `align.embed.vectors_config`: {"method": "skipgram" (default) |
"fasttext" | "ppmi", **that method's fields}; a list of specs is their per-word
concatenation. The cache file is named by corpus and a hash of the spec, so the pipeline,
the induction grid and the benchmarks share every vector file they have in common.

`build_in_processes` builds each corpus's files in a spawned process of its own (one thread
each, so the files are bit-identical to a foreground build): skip-gram is single-threaded to
stay reproducible, and this is how it uses both cores.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence, Union

import torch

from ..errors import DecoderHeadError

Spec = dict[str, Any]
Specs = Union[Spec, Sequence[Spec]]
SKIPGRAM_DEFAULTS = {"dim": 300, "window": 5, "min_count": 3, "epochs": 20, "seed": 0}  # fastText's too


def full_spec(spec: Spec) -> Spec:
    """A spec with skip-gram's defaults filled in (skip-gram and fastText; PPMI has its own)."""
    return {**SKIPGRAM_DEFAULTS, **spec} if spec.get("method", "skipgram") in ("skipgram", "fasttext") else dict(spec)


def spec_list(vectors: Specs) -> list[Spec]:
    return [dict(vectors)] if isinstance(vectors, dict) else [dict(s) for s in vectors]


def vectors_path(corpus: str, workdir: Path, spec: Spec) -> Path:
    """Where the vectors of `corpus` under `spec` are cached (the name hashes the config)."""
    from .embed import vectors_config
    from .word2vec import Word2VecConfig

    spec = full_spec(spec)
    cfg = vectors_config(spec)
    # Skip-gram files keep the tag they always had (hash of the config alone), so caches stay valid.
    blob = asdict(cfg) if type(cfg) is Word2VecConfig else {"method": spec["method"], **asdict(cfg)}
    tag = hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:8]
    return workdir / "vectors" / f"{corpus.replace(':', '_')}.{tag}.vec"


def build_vectors(corpus: str, workdir: Path, spec: Spec) -> Path:
    """Make (unless cached) the vectors of one corpus under one spec; returns the file."""
    from .embed import embed_corpus, vectors_config

    path = vectors_path(corpus, workdir, spec)
    if not path.is_file():
        full = full_spec(spec)
        t0 = time.perf_counter()
        info = embed_corpus(corpus, path, vectors_config(full), cache_dir=str(workdir / "cache"))
        print(f"vectors: {full.get('method', 'skipgram')} {corpus}: {info['words']} words "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    return path


def vectors_for(corpus: str, workdir: Path, spec: Spec) -> tuple[list[str], torch.Tensor]:
    """The (cached) vectors of a corpus: (words by descending frequency, (n, dim))."""
    from ..eval.vectors import read_word2vec

    words, vecs, _ = read_word2vec(build_vectors(corpus, workdir, spec))
    return words, vecs


def space_for(corpus: str, workdir: Path, vectors: Specs) -> tuple[list[str], torch.Tensor]:
    """One spec -> its vectors; several -> their per-word concatenation (align.embed)."""
    specs = spec_list(vectors)
    if len(specs) == 1:
        return vectors_for(corpus, workdir, specs[0])
    from .embed import concatenate_spaces

    return concatenate_spaces([vectors_for(corpus, workdir, s) for s in specs])


def _build_all(corpora: Sequence[str], workdir: str, specs: list[Spec]) -> None:
    """Child process body: every (corpus, spec) file, one thread; errors as one line, exit 2."""
    torch.set_num_threads(1)
    try:
        for corpus in corpora:
            for spec in specs:
                build_vectors(corpus, Path(workdir), spec)
    except DecoderHeadError as exc:
        print(f"decoder-head: error: vectors: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


class BackgroundSpaces:
    """The vector files of `corpora` x `specs`, built in a spawned process.

    If the child fails, the caller's own `space_for` rebuilds the missing files in the
    foreground (raising the same clear error).
    """

    def __init__(self, corpora: Sequence[str], workdir: Path, vectors: Specs) -> None:
        ctx = multiprocessing.get_context("spawn")  # never fork a process that holds torch threads
        self.process = ctx.Process(target=_build_all, args=(list(corpora), str(workdir), spec_list(vectors)),
                                   daemon=True, name="decoder-head-vectors")
        # BLAS/OpenMP read these at import: one thread per child, so two children fill two cores.
        saved = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
        os.environ.update({k: "1" for k in saved})
        try:
            self.process.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def wait(self) -> None:
        self.process.join()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def build_in_processes(corpora: Sequence[str], workdir: Path, vectors: Specs) -> None:
    """Every missing vector file, one process per corpus; a failure surfaces later, in the
    foreground `space_for` that rebuilds the file and raises the child's clear error."""
    todo = [c for c in corpora if any(not vectors_path(c, workdir, s).is_file() for s in spec_list(vectors))]
    if len(todo) < 2:
        return  # one corpus (or none) to build: the foreground does it without a spawn
    jobs = [BackgroundSpaces([c], workdir, vectors) for c in todo]
    try:
        for job in jobs:
            job.wait()
    finally:
        for job in jobs:
            job.stop()
