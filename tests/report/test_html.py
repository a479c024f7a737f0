"""report.html without a browser: one offline file, plots embedded, data escaped and round-tripping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from decoder_head.report.html import write_html_report
from decoder_head.report.plots import plot_bli_by_band

ENTRIES: list[dict[str, Any]] = [
    {"src": "agua", "rank": 57, "candidates": [["water", 0.61], ["waters", 0.55], ["agua", 0.5]],
     "gold": ["water"], "cognate": [False, False, True], "test": True},
    {"src": "perro", "rank": 120, "candidates": [["cat", 0.4], ["dog", 0.39]], "gold": ["dog", "hound"],
     "cognate": [False, False], "test": True},
    {"src": "</script><b>x", "rank": 3, "candidates": [["<b>bold</b>", 0.2]], "gold": None, "cognate": [False],
     "test": False},
    {"src": "canción", "rank": 900, "candidates": [["song", 0.7], ["cancion", 0.3]], "gold": None,
     "cognate": [False, True], "test": False},
]

BAND_BLOCKS = {
    "decoder head": {"0-1000": {"p_at_1": 25.0, "p_at_5": 40.0, "p_at_10": 45.0, "n": 80},
                     "1000-3000": {"p_at_1": 10.0, "p_at_5": 20.0, "p_at_10": 30.0, "n": 40},
                     "3000+": {"p_at_1": None, "p_at_5": None, "p_at_10": None, "n": 0}},
    "refined": {"0-1000": {"p_at_1": 30.0, "p_at_5": 44.0, "p_at_10": 50.0, "n": 80},
                "1000-3000": {"p_at_1": 12.5, "p_at_5": 22.0, "p_at_10": 33.0, "n": 40},
                "3000+": {"p_at_1": None, "p_at_5": None, "p_at_10": None, "n": 0}},
}


def build_report(out: Path, entries: list[dict[str, Any]] = ENTRIES) -> Path:
    """A report with every section filled; shared with the browser tests."""
    png = out / "bands.png"
    plot_bli_by_band(BAND_BLOCKS, png)
    report = out / "report.html"
    write_html_report(
        report, "run <es-en> & co",
        summary=[("LM val perplexity", "123.4"), ("induce P@1 NN / CSLS", "15.4 / 18.9 <ok>")],
        blocks=[{"title": "Decoder head (induce)", "columns": ["retrieval", "P@1", "P@5", "P@10"],
                 "rows": [["NN", 15.4, 22.0, 26.0], ["CSLS", 18.94, None, 30]], "caption": "test words only"}],
        images=[("P@k by band", png), ("missing plot", out / "nope.png")],
        entries=entries, notes=["a note with <tags> & ampersands"])
    return report


def _blob(text: str) -> str:
    m = re.search(r'<script type="application/json" id="lexicon-data">(.*?)</script>', text, re.DOTALL)
    assert m
    return m.group(1)


def test_report_is_one_offline_file_with_embedded_plot(tmp_path):
    text = build_report(tmp_path).read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert "http://" not in text and "https://" not in text
    assert "<link" not in text and "@import" not in text
    imgs = re.findall(r'<img [^>]*src="([^"]+)"', text)
    assert len(imgs) == 1 and imgs[0].startswith("data:image/png;base64,iVBOR")  # the missing path is skipped
    assert "missing plot" not in text
    assert list(tmp_path.iterdir()) and sorted(p.name for p in tmp_path.iterdir()) == ["bands.png", "report.html"]


def test_json_blob_round_trips_and_cannot_close_the_script(tmp_path):
    text = build_report(tmp_path).read_text(encoding="utf-8")
    blob = _blob(text)
    assert "<" not in blob
    assert json.loads(blob) == ENTRIES
    assert text.count("</script>") == 2  # the data blob and the code, nothing from a word


def test_python_rendered_parts_are_escaped_and_present(tmp_path):
    text = build_report(tmp_path).read_text(encoding="utf-8")
    assert "<title>run &lt;es-en&gt; &amp; co</title>" in text
    assert "123.4" in text and "15.4 / 18.9 &lt;ok&gt;" in text
    assert "a note with &lt;tags&gt; &amp; ampersands" in text
    assert "<b>" not in text  # neither as markup nor raw inside the blob
    assert "<td>NN</td>" in text and '<td class="num">18.9</td>' in text and '<td class="num">-</td>' in text
    assert '<td class="num">30</td>' in text and "Decoder head (induce)" in text
    for needle in ('id="lexicon"', 'id="lexicon-search" type="search"', 'id="only-test"', 'id="lexicon-count"',
                   'id="lexicon-more"', 'data-k="3"'):
        assert needle in text


def test_empty_lexicon_and_no_extras(tmp_path):
    path = tmp_path / "r.html"
    write_html_report(path, "t", [("a", "b")], [], [], [])
    text = path.read_text(encoding="utf-8")
    assert json.loads(_blob(text)) == [] and "<img" not in text and 'id="scores"' not in text


def test_plot_bli_by_band_writes_a_png(tmp_path):
    path = tmp_path / "sub" / "b.png"
    plot_bli_by_band(BAND_BLOCKS, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["b.png"]
