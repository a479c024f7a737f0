"""Fake SWORD Bibles (the 400-verse fixtures under verse ids of all seven book groups, written
where data.sword reads its cache) and a tiny English LM trained on them: seconds, no Bible needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from decoder_head.config import load_run_config
from decoder_head.train.pretrain import train_lm

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BOOKS = ("Gen", "Josh", "Ps", "Isa", "Matt", "Rom", "Rev")  # one book of each group, in LABELS order
NT = {"Matt", "Rom", "Rev"}


def verse_id(i: int) -> str:
    return f"{BOOKS[i % 7]}.{i // 7 + 1}.1"


def write_bible(cache_dir: Path, module: str, lines: list[str], ids: list[str] | None = None) -> None:
    """A data.sword cache file: `id<TAB>testament<TAB>text` per verse."""
    ids = ids or [verse_id(i) for i in range(len(lines))]
    cache_dir.mkdir(parents=True, exist_ok=True)
    rows = [f"{v}\t{'nt' if v.split('.')[0] in NT else 'ot'}\t{t}" for v, t in zip(ids, lines) if t.strip()]
    (cache_dir / f"{module}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def fixture_lines(lang: str) -> list[str]:
    return (FIXTURES / f"tiny.{lang}.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    """The fixtures' tensors are tiny: a second torch thread only adds barriers, and on a busy
    machine (the suite beside a run) two spinning threads made an LSTM call 200x slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def bibles():
    """The helpers, for tests that write a Bible of their own: bibles.write(...), bibles.lines(lang)."""
    import types

    return types.SimpleNamespace(write=write_bible, lines=fixture_lines)


@pytest.fixture(scope="session")
def bible_workdir(tmp_path_factory):
    """A workdir whose cache holds fakeEN (the English fixture) and fakeES (the Spanish one, the
    same ids less the last 10 verses: RV1909 also lacks some KJV ids)."""
    workdir = tmp_path_factory.mktemp("classify") / "runs"
    write_bible(workdir / "cache", "fakeEN", fixture_lines("en"))
    write_bible(workdir / "cache", "fakeES", fixture_lines("es")[:-10])
    return workdir


@pytest.fixture(scope="session")
def tiny_lm(bible_workdir):
    """The tiny preset's LM (16-d, 2 layers) on fakeEN."""
    cfg = load_run_config(str(FIXTURES / "tiny.yaml"), ["lm.corpus=sword:fakeEN"])
    return train_lm(cfg.lm, bible_workdir)


TINY_CLASSIFY = ["task.corpus=sword:fakeEN", "task.valid_fraction=0.15", "task.test_fraction=0.15",
                 "task.max_len=40", "head.hidden=8", "train.epochs=3", "train.batch_size=16"]


@pytest.fixture(scope="session")
def tiny_config():
    """tiny_config("train.seed=1", ...) -> a ClassifyConfig sized for the fixtures (seconds)."""
    from decoder_head.classify.config import load_classify_config

    return lambda *extra: load_classify_config(None, [*TINY_CLASSIFY, *extra])
