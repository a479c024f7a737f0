"""The benchmarks' shared arguments (`--workdir`, `--out`, `--readme`, `--table-only`) and row store."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from decoder_head.errors import DecoderHeadError
from decoder_head.files import read_rows
from decoder_head.report.markdown import add_bench_args, add_table_args, table_only


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


def test_bench_args_default_to_the_repository_runs_and_results_folders(tmp_path):
    ap = argparse.ArgumentParser()
    add_bench_args(ap, tmp_path, "restarts", "rewrite this README's table")
    args = ap.parse_args([])
    assert Path(args.workdir) == tmp_path / "runs"
    assert Path(args.out) == tmp_path / "benchmarks" / "results" / "restarts.json"
    assert args.readme is None and args.table_only is False


def test_rows_of_a_benchmark_that_never_ran_are_none_and_a_corrupt_file_is_one_error(tmp_path):
    assert read_rows(tmp_path / "missing.json") == []
    (tmp_path / "rows.json").write_text('[{"bed": "es-en.bible"}]')
    assert read_rows(tmp_path / "rows.json") == [{"bed": "es-en.bible"}]
    (tmp_path / "bad.json").write_text('[{"bed": ')
    with pytest.raises(DecoderHeadError, match="not valid JSON"):
        read_rows(tmp_path / "bad.json")
