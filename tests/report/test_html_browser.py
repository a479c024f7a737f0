"""report.html in a real headless Chromium: the lexicon explorer's search, filters, sorting and paging work.

Uses Debian's chromium + chromedriver and never lets selenium download a driver. Also a command-line
helper for looking at a report: `python tests/report/test_html_browser.py REPORT.html OUT.png`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
INSTALL = "needs Debian's chromium + chromedriver and selenium: apt-get install chromium chromium-driver; " \
          "pip install selenium"
N_FILLER = 600  # more than one page (500 rows) of filler words


def _selenium_ready() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()


def make_driver(profile_dir: str, width: int = 1400, height: int = 1000) -> Any:
    """Headless Chromium driven through the system chromedriver (offline, no driver download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile_dir}", f"--window-size={width},{height}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)


def load(driver: Any, report: Path, timeout: float = 15) -> None:
    """Open a report and wait until the lexicon explorer has rendered."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(report.resolve().as_uri())
    WebDriverWait(driver, timeout).until(lambda d: d.find_element("id", "lexicon-count").text.strip())


def fake_entries() -> list[dict[str, Any]]:
    """Four hand-made words, then filler whose rank, alphabetical and score orders all differ."""
    entries: list[dict[str, Any]] = [
        {"src": "agua", "rank": 1, "candidates": [["water", 0.61], ["waters", 0.55], ["agua", 0.5]],
         "gold": ["water"], "cognate": [False, False, True], "test": True},
        {"src": "perro", "rank": 2, "candidates": [["cat", 0.4], ["dog", 0.39]], "gold": ["dog"],
         "cognate": [False, False], "test": True},
        {"src": "canción", "rank": 3, "candidates": [["song", 0.7]], "gold": None, "cognate": [False],
         "test": False},
        {"src": "</script><b>x", "rank": 4, "candidates": [["<i>it</i>", 0.2]], "gold": None, "cognate": [False],
         "test": False},
    ]
    for i in range(N_FILLER):
        entries.append({"src": f"palabra{i * 7919 % 1000:03d}", "rank": 5 + i,
                        "candidates": [[f"word{i}", round((i * 37 % 100) / 100, 2)], [f"term{i}", 0.01]],
                        "gold": [f"term{i}"] if i % 3 == 0 else None, "cognate": [False, False],
                        "test": i % 3 == 0})
    return entries


ENTRIES = fake_entries()
N_TEST = sum(e["test"] for e in ENTRIES)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    if not _selenium_ready():
        if os.environ.get("CI"):  # `make test` installs both as root: in CI a skip would hide a missing step
            pytest.fail(INSTALL)
        pytest.skip(INSTALL)
    drv = make_driver(str(tmp_path_factory.mktemp("chromium-profile")))
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from decoder_head.report.html import write_html_report

    path = tmp_path_factory.mktemp("report") / "report.html"
    write_html_report(path, "browser test", [("P@1", "12.3")], [], [], ENTRIES)
    return path


@pytest.fixture
def page(driver, report):
    load(driver, report)
    yield driver
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def rows(driver: Any) -> list[dict[str, Any]]:
    """The rendered rows, read in one round trip."""
    return driver.execute_script("""return Array.from(document.querySelectorAll('#lexicon tr.lexicon-row'), tr => ({
        src: tr.dataset.src, rank: +tr.cells[0].textContent, cls: tr.className,
        score1: tr.cells[2].querySelector('.score') ? +tr.cells[2].querySelector('.score').textContent : null}));""")


def count_is(driver: Any, text: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: d.find_element("id", "lexicon-count").text == text,
                                    f"#lexicon-count never read {text!r}")


def type_search(driver: Any, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element("id", "lexicon-search")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    if text:
        box.send_keys(text)


def test_first_page_and_show_more(page):
    n = len(ENTRIES)
    count_is(page, f"showing 500 of {n:,} matching words ({n:,} in all)")
    assert [r["rank"] for r in rows(page)] == list(range(1, 501))
    more = page.find_element("id", "lexicon-more")
    assert more.is_displayed()
    more.click()
    count_is(page, f"{n:,} of {n:,} words")
    assert len(rows(page)) == n and not more.is_displayed()


def test_search_filters_live_and_clearing_brings_rows_back(page):
    n = len(ENTRIES)
    type_search(page, "AGUA")
    count_is(page, f"1 of {n:,} words")
    assert [r["src"] for r in rows(page)] == ["agua"]
    type_search(page, "dog")  # a candidate word finds its source word
    count_is(page, f"1 of {n:,} words")
    assert [r["src"] for r in rows(page)] == ["perro"]
    type_search(page, "cancion")  # accent-insensitive
    count_is(page, f"1 of {n:,} words")
    assert [r["src"] for r in rows(page)] == ["canción"]
    type_search(page, "palabra00")
    count_is(page, f"{sum(e['src'].startswith('palabra00') for e in ENTRIES)} of {n:,} words")
    assert all(r["src"].startswith("palabra00") for r in rows(page))
    type_search(page, "zzz-no-such-word")
    count_is(page, f"0 of {n:,} words")
    assert rows(page) == [] and page.find_element("css selector", "#lexicon td.empty").text == "no word matches"
    type_search(page, "")
    count_is(page, f"showing 500 of {n:,} matching words ({n:,} in all)")
    assert len(rows(page)) == 500


def test_markup_in_words_is_shown_as_text(page):
    type_search(page, "</script>")
    count_is(page, f"1 of {len(ENTRIES):,} words")
    assert [r["src"] for r in rows(page)] == ["</script><b>x"]
    assert not page.find_elements("css selector", "#lexicon b, #lexicon i")
    assert "<i>it</i>" in page.find_element("css selector", "tr.lexicon-row td.cand").text


def test_only_test_and_only_hit1_filters(page):
    n = len(ENTRIES)
    page.find_element("id", "only-test").click()
    count_is(page, f"{N_TEST} of {n:,} words")
    got = rows(page)
    assert len(got) == N_TEST and all("in-test" in r["cls"] for r in got)
    page.find_element("id", "only-test").click()
    count_is(page, f"showing 500 of {n:,} matching words ({n:,} in all)")
    page.find_element("id", "only-hit1").click()
    count_is(page, f"1 of {n:,} words")
    assert [r["src"] for r in rows(page)] == ["agua"]


def test_header_click_sorts_and_toggles(page):
    filler = [e for e in ENTRIES if e["src"].startswith("palabra")]
    type_search(page, "palabra")
    count_is(page, f"showing 500 of {len(filler)} matching words ({len(ENTRIES)} in all)")
    th = {k: page.find_element("css selector", f'#lexicon th[data-sort="{k}"]') for k in ("rank", "src", "score1")}
    assert th["rank"].get_attribute("aria-sort") == "ascending"
    th["src"].click()
    names = sorted(e["src"] for e in filler)
    wait_until(page, lambda: [r["src"] for r in rows(page)] == names[:500])
    assert th["src"].get_attribute("aria-sort") == "ascending" and th["rank"].get_attribute("aria-sort") is None
    th["src"].click()
    wait_until(page, lambda: [r["src"] for r in rows(page)] == names[::-1][:500])
    assert th["src"].get_attribute("aria-sort") == "descending"
    th["score1"].click()  # highest score first
    wait_until(page, lambda: rows(page)[0]["score1"] == 0.99)
    scores = [r["score1"] for r in rows(page)]
    assert scores == sorted(scores, reverse=True)
    th["rank"].click()
    wait_until(page, lambda: [r["rank"] for r in rows(page)] == [e["rank"] for e in filler][:500])
    th["rank"].click()
    wait_until(page, lambda: [r["rank"] for r in rows(page)] == [e["rank"] for e in filler][::-1][:500])


def test_gold_and_cognate_marks(page):
    cells = page.find_elements("css selector", 'tr.lexicon-row[data-src="agua"] td.cand')
    assert "gold" in cells[0].get_attribute("class").split() and "gold" not in cells[1].get_attribute("class")
    badge = cells[2].find_element("css selector", ".cognate")
    assert badge.get_attribute("title") == "spelled alike: orthography, not meaning"
    assert not cells[0].find_elements("css selector", ".cognate")
    perro = page.find_elements("css selector", 'tr.lexicon-row[data-src="perro"] td.cand')
    assert [("gold" in c.get_attribute("class").split()) for c in perro[:2]] == [False, True]
    assert page.find_element("css selector", 'tr.lexicon-row[data-src="perro"] td.goldlist').text == "dog"


def wait_until(driver: Any, cond: Any, timeout: float = 10) -> None:
    """Wait for a condition on the page (re-evaluated until true)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda _d: cond())


def screenshot(report: Path, out: Path, search: str | None = None) -> None:
    """Save a PNG of a report as a 1400x1000 window shows it after loading; with `search`, the
    lexicon explorer after typing it into the search box."""
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    drv = make_driver(profile)
    try:
        load(drv, report)
        if search:
            box = drv.find_element("id", "lexicon-search")
            drv.execute_script("document.getElementById('lexicon-explorer').scrollIntoView()")
            box.send_keys(search)
        drv.save_screenshot(str(out))
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python tests/report/test_html_browser.py REPORT.html OUT.png [SEARCH]")
    if not _selenium_ready():
        sys.exit(INSTALL)
    screenshot(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) == 4 else None)
