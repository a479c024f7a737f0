"""Shared fixtures."""

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    """Run from a scratch copy of the repo layout the tiny preset refers to (tests/fixtures/...)."""
    shutil.copytree(FIXTURES, tmp_path / "tests" / "fixtures")
    monkeypatch.chdir(tmp_path)
    return tmp_path
