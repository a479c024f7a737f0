"""Atomic writes leave no temporary file behind and give results the usual file mode."""

import os

import pytest

from decoder_head.files import write_text


def test_written_files_follow_the_umask_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "report.html", "<p>hi</p>")
    finally:
        os.umask(old)
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        write_text(tmp_path / "x.txt", None)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
