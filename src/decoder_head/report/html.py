"""report.html for a run folder: one self-contained file to open in any browser, offline.

The markdown report cannot show 10k-30k induced translations usefully; this page can. Everything
is inline (CSS, vanilla JS, plots as base64 PNG data URIs), so the file can be mailed or archived
without its run folder and opens without network access. The lexicon is embedded once as a JSON
blob and rendered by JS a page at a time, with live search, filters and sortable columns.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..files import write_text

PAGE_SIZE = 500

CSS = """
:root { --fg: #1f2328; --muted: #6a737d; --line: #d8dee4; --head: #f6f8fa; --accent: #0b5cad;
        --gold: #e3f6e8; --gold-fg: #14632e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; line-height: 1.5;
       font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.02em; margin: 20px 0 6px; }
nav { color: var(--muted); font-size: .92em; margin-bottom: 8px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; }
p.note { max-width: 900px; color: #333; }
table { border-collapse: collapse; font-size: .93em; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { background: none; font-weight: 500; color: var(--muted); white-space: nowrap; }
.caption { color: var(--muted); font-size: .88em; margin: 4px 0 0; max-width: 900px; }
.blocks { display: flex; flex-wrap: wrap; gap: 8px 40px; }
figure { margin: 12px 0 24px; }
figure img { max-width: 100%; border: 1px solid var(--line); border-radius: 4px; }
figcaption { color: var(--muted); font-size: .88em; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 22px; margin: 8px 0 10px; }
.controls input[type=search] { font: inherit; padding: 5px 10px; width: 300px; border: 1px solid #b9c1c9;
                               border-radius: 6px; }
.controls label { user-select: none; cursor: pointer; }
#lexicon-count { color: var(--muted); font-size: .92em; }
.legend { color: var(--muted); font-size: .86em; margin: 0 0 8px; }
.lexicon-wrap { max-height: 75vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
#lexicon { width: 100%; }
#lexicon thead th { position: sticky; top: 0; z-index: 1; box-shadow: 0 1px 0 var(--line); white-space: nowrap; }
#lexicon th.sortable { cursor: pointer; color: var(--accent); }
#lexicon th.sortable::after { content: " \\2195"; color: #b0b8c0; }
#lexicon th[aria-sort=ascending]::after { content: " \\25B2"; color: var(--accent); }
#lexicon th[aria-sort=descending]::after { content: " \\25BC"; color: var(--accent); }
#lexicon tbody tr:hover td { background: #fafbfc; }
#lexicon td.src { font-weight: 600; }
#lexicon td.gold { background: var(--gold); color: var(--gold-fg); }
#lexicon td.gold .word::after { content: " \\2713"; font-weight: 700; }
#lexicon td.goldlist, #lexicon td.empty { color: var(--muted); }
.score { color: #8a939c; font-size: .8em; margin-left: 4px; font-variant-numeric: tabular-nums; }
.cognate { display: inline-block; margin-left: 4px; padding: 0 4px; border-radius: 3px; background: #fff1c2;
           color: #7a5b00; font-size: .8em; cursor: help; }
.dict { display: inline-block; margin-left: 6px; padding: 0 4px; border-radius: 3px; background: #e8eef6;
        color: #3d5a80; font-size: .72em; font-weight: 500; vertical-align: 1px; }
#lexicon-more { margin: 10px 0; font: inherit; padding: 5px 14px; border: 1px solid #b9c1c9; border-radius: 6px;
                background: var(--head); cursor: pointer; }
footer { color: var(--muted); font-size: .82em; margin-top: 40px; }
"""

JS = """
(function () {
  "use strict";
  const PAGE = __PAGE__;
  const data = JSON.parse(document.getElementById("lexicon-data").textContent);
  const table = document.getElementById("lexicon");
  const K = parseInt(table.dataset.k, 10);
  const body = table.tBodies[0];
  const search = document.getElementById("lexicon-search");
  const onlyTest = document.getElementById("only-test");
  const onlyHit1 = document.getElementById("only-hit1");
  const count = document.getElementById("lexicon-count");
  const more = document.getElementById("lexicon-more");
  const fmtInt = (n) => n.toLocaleString("en-US");
  const norm = (s) => String(s).normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
  data.forEach((e) => {
    e._key = [e.src].concat((e.candidates || []).map((c) => c[0])).map(norm).join("\\u0001");
    e._hit1 = !!(e.gold && e.candidates && e.candidates.length && e.gold.indexOf(e.candidates[0][0]) >= 0);
    e._s1 = e.candidates && e.candidates.length ? e.candidates[0][1] : null;
  });
  const cmp = {
    rank: (a, b) => a.rank - b.rank,
    src: (a, b) => a.src.localeCompare(b.src) || a.rank - b.rank,
    score1: (a, b) => (a._s1 === null) - (b._s1 === null) || a._s1 - b._s1 || a.rank - b.rank,
  };
  let sortKey = "rank", sortDir = 1, limit = PAGE;

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function row(e) {
    const tr = el("tr", "lexicon-row" + (e.test ? " in-test" : "") + (e._hit1 ? " hit1" : ""));
    tr.dataset.src = e.src;
    tr.appendChild(el("td", "num rank", String(e.rank)));
    const src = el("td", "src", e.src);
    if (e.test) { const d = el("span", "dict", "dict"); d.title = "in the evaluation dictionary"; src.appendChild(d); }
    tr.appendChild(src);
    const gold = e.gold || [];
    for (let i = 0; i < K; i++) {
      const c = (e.candidates || [])[i];
      const td = el("td", "cand");
      if (c) {
        if (gold.indexOf(c[0]) >= 0) { td.classList.add("gold"); td.title = "a gold translation"; }
        td.appendChild(el("span", "word", c[0]));
        if (e.cognate && e.cognate[i]) {
          const b = el("span", "cognate", "\\u2248"); b.title = "spelled alike: orthography, not meaning"; td.appendChild(b);
        }
        if (typeof c[1] === "number") td.appendChild(el("span", "score", c[1].toFixed(2)));
      }
      tr.appendChild(td);
    }
    tr.appendChild(el("td", "goldlist", gold.join(", ")));
    return tr;
  }
  function render() {
    const q = norm(search.value.trim());
    let rows = data.filter((e) => (!q || e._key.indexOf(q) >= 0) && (!onlyTest.checked || e.test)
                                  && (!onlyHit1.checked || e._hit1));
    rows.sort((a, b) => sortDir * cmp[sortKey](a, b));
    const shown = rows.slice(0, limit);
    const frag = document.createDocumentFragment();
    shown.forEach((e) => frag.appendChild(row(e)));
    if (!shown.length) { const td = el("td", "empty", "no word matches"); td.colSpan = K + 3; frag.appendChild(el("tr")).appendChild(td); }
    body.replaceChildren(frag);
    count.textContent = shown.length < rows.length
      ? "showing " + fmtInt(shown.length) + " of " + fmtInt(rows.length) + " matching words (" + fmtInt(data.length) + " in all)"
      : fmtInt(rows.length) + " of " + fmtInt(data.length) + " words";
    more.hidden = shown.length >= rows.length;
    table.querySelectorAll("th.sortable").forEach((th) => {
      if (th.dataset.sort === sortKey) th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
  }
  function reset() { limit = PAGE; render(); }
  search.addEventListener("input", reset);
  onlyTest.addEventListener("change", reset);
  onlyHit1.addEventListener("change", reset);
  more.addEventListener("click", () => { limit += PAGE; render(); });
  table.querySelectorAll("th.sortable").forEach((th) => th.addEventListener("click", () => {
    const key = th.dataset.sort;
    if (key === sortKey) sortDir = -sortDir;
    else { sortKey = key; sortDir = key === "score1" ? -1 : 1; }
    reset();
  }));
  render();
})();
""".replace("__PAGE__", str(PAGE_SIZE))

COGNATE_TIP = "spelled alike: orthography, not meaning"


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _cell(x: Any) -> str:
    """A score-table cell: floats with 1 decimal, None as '-'."""
    if x is None:
        return '<td class="num">-</td>'
    if isinstance(x, float):
        return f'<td class="num">{x:.1f}</td>'
    if isinstance(x, int) and not isinstance(x, bool):
        return f'<td class="num">{x}</td>'
    return f"<td>{_e(x)}</td>"


def _summary(summary: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in summary)
    return f'<table class="summary"><tbody>{rows}</tbody></table>'


def _block(block: dict[str, Any]) -> str:
    cols = list(block.get("columns", []))
    head = "".join(f'<th class="num">{_e(c)}</th>' if i else f"<th>{_e(c)}</th>" for i, c in enumerate(cols))
    body = "".join("<tr>" + "".join(_cell(x) for x in r) + "</tr>" for r in block.get("rows", []))
    cap = f'<p class="caption">{_e(block["caption"])}</p>' if block.get("caption") else ""
    return (f'<div class="block"><h3>{_e(block.get("title", ""))}</h3>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{cap}</div>")


def _figure(caption: str, png: Path) -> str:
    b64 = base64.b64encode(Path(png).read_bytes()).decode("ascii")
    return (f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{b64}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def lexicon_json(entries: Sequence[dict[str, Any]]) -> str:
    """Entries as JSON safe inside a <script> element: no '<' survives, so no word can close the tag."""
    return json.dumps(list(entries), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _lexicon(entries: Sequence[dict[str, Any]]) -> str:
    k = max((len(e.get("candidates") or []) for e in entries), default=5) or 1
    sortable = ' class="sortable" data-sort="score1"'
    cands = "".join(f"<th{sortable if i == 0 else ''}>translation {i + 1}</th>" for i in range(k))
    return f"""
<div class="controls">
  <input id="lexicon-search" type="search" placeholder="search a source word or a translation" autocomplete="off">
  <label><input id="only-test" type="checkbox"> only words in the dictionary</label>
  <label><input id="only-hit1" type="checkbox"> only hits at 1</label>
  <span id="lexicon-count" aria-live="polite"></span>
</div>
<p class="legend">Rows in frequency order; click rank, source word or translation 1 to sort.
<span class="dict">dict</span> in the evaluation dictionary &middot; green &#10003; a gold translation &middot;
<span class="cognate" title="{COGNATE_TIP}">&asymp;</span> spelled alike: orthography, not meaning &middot;
grey numbers are scores.</p>
<div class="lexicon-wrap">
<table id="lexicon" data-k="{k}">
<thead><tr><th class="num sortable" data-sort="rank">rank</th><th class="sortable" data-sort="src">source word</th>
{cands}<th>gold</th></tr></thead>
<tbody></tbody>
</table>
</div>
<button id="lexicon-more" type="button" hidden>show more</button>
<noscript><p>The lexicon explorer needs JavaScript.</p></noscript>
<script type="application/json" id="lexicon-data">{lexicon_json(entries)}</script>"""


def write_html_report(path: Path, title: str, summary: list[tuple[str, str]], blocks: list[dict[str, Any]],
                      images: list[tuple[str, Path]], entries: list[dict[str, Any]],
                      notes: Sequence[str] = ()) -> None:
    """Write one self-contained report.html: summary, score tables, embedded plots, lexicon explorer."""
    figures = [_figure(cap, p) for cap, p in images if Path(p).is_file()]
    sections = [("summary", "Summary", _summary(summary) + "".join(f'<p class="note">{_e(n)}</p>' for n in notes))]
    if blocks:
        sections.append(("scores", "Induction scores",
                         '<div class="blocks">' + "".join(_block(b) for b in blocks) + "</div>"))
    if figures:
        sections.append(("plots", "Plots", "".join(figures)))
    sections.append(("lexicon-explorer", "Lexicon explorer", _lexicon(entries)))
    nav = "".join(f'<a href="#{sid}">{_e(name)}</a>' for sid, name, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{_e(name)}</h2>{content}</section>' for sid, name, content in sections)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>{_e(title)}</h1>
<nav>{nav}</nav>
{body}
<footer>Written by decoder_head; a single offline file (plots and data embedded).</footer>
</main>
<script>{JS}</script>
</body>
</html>
"""
    write_text(path, page)
