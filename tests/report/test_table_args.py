"""The benchmarks' shared `--readme` / `--table-only` arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from decoder_head.report.markdown import add_table_args, table_only


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="rows.json")
    add_table_args(ap, "rewrite this README's table")
    return ap


def test_table_only_rewrites_from_out_and_says_so():
    ap, calls = _parser(), []
    args = ap.parse_args(["--table-only", "--readme", "R.md", "--out", "x.json"])
    assert table_only(ap, args, lambda readme, out: calls.append((readme, out))) is True
    assert calls == [(Path("R.md"), Path("x.json"))]
    assert table_only(ap, ap.parse_args(["--readme", "R.md"]), lambda *a: calls.append(a)) is False
    assert len(calls) == 1  # without --table-only the benchmark runs; nothing is written here


def test_table_only_without_readme_is_a_usage_error(capsys):
    ap = _parser()
    with pytest.raises(SystemExit) as exc:
        table_only(ap, ap.parse_args(["--table-only"]), lambda *a: None)
    assert exc.value.code == 2 and "--table-only needs --readme" in capsys.readouterr().err
