"""The cohort report opened in headless Chromium (Debian's `chromium`), as the main report is in
tests/test_report_browser.py: the family blocks and the side-by-side table are in the page the
browser built, the page logs nothing to the console, the screenshot is not blank (bars and the
running-total lines were painted), and it prints to PDF with each family on its own pages."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from PIL import Image, ImageStat

from analysis import family_report
from analysis.example_db import create_lifecycle_db
from test_report_browser import chromium, console_messages

pytestmark = pytest.mark.browser

COHORT = ("meta/llama-base", "mistral/base", "private/base")
BAR_RGB = (0x2F, 0x6F, 0xAD)        # .bar fill (report.css) and the first series (family_report.css)
SECOND_SERIES_RGB = (0xE6, 0x9F, 0x00)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("family-browser")
    create_lifecycle_db(tmp / "lifecycle.duckdb").close()
    (tmp / "cohort.txt").write_text("# a study's cohort\n" + "\n".join(COHORT) + "\n", encoding="utf-8")
    with duckdb.connect(str(tmp / "lifecycle.duckdb"), read_only=True) as con:
        page = family_report.render(con, family_report.read_cohort(tmp / "cohort.txt"), fmt="html")
    (tmp / "cohort.html").write_text(page, encoding="utf-8")
    return tmp / "cohort.html"


@pytest.fixture(scope="module")
def dom(report_file, tmp_path_factory) -> str:
    result = chromium(tmp_path_factory.mktemp("dom"), report_file.as_uri(), "--dump-dom")
    assert result.returncode == 0
    assert console_messages(result.stderr) == []
    return result.stdout


def test_the_family_blocks_are_in_the_page(dom):
    blocks = re.findall(r'<section class="family" id="(family-\d+)"[^>]*>\s*<h2[^>]*>(.*?)</h2>', dom, flags=re.S)
    assert [(block_id, re.search(r'<span class="id">([^<]*)</span>', title).group(1)) for block_id, title in blocks] == [
        ("family-1", "meta/llama-base"), ("family-2", "mistral/base"), ("family-3", "private/base")]
    table = re.search(r'<table class="side-by-side">.*?</table>', dom, flags=re.S).group(0)
    assert len(re.findall(r"<tr", table)) == 1 + len(COHORT)
    svgs = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
    # cohort: 2; llama and mistral: 4 each; private/base (no release date, no languages): datasets, activity
    assert len(svgs) == 2 + 4 + 4 + 2
    assert all(re.search(r'<text class="axis-title"[^>]*>[^<]+</text>', s) for s in svgs)
    assert "<script" not in dom.lower()


def test_screenshot_is_not_blank(report_file, tmp_path):
    png = tmp_path / "cohort.png"
    result = chromium(tmp_path, report_file.as_uri(), f"--screenshot={png}", "--window-size=1280,3000",
                      "--hide-scrollbars")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 3000)
    assert min(ImageStat.Stat(image).stddev) > 20
    colours = {rgb: count for count, rgb in image.getcolors(1 << 20)}
    assert colours.get(BAR_RGB, 0) > 3000            # bars and the first lines were painted
    assert colours.get(SECOND_SERIES_RGB, 0) > 100   # the second family's line, in its own colour


def test_prints_to_pdf(report_file, tmp_path):
    pdf = tmp_path / "cohort.pdf"
    result = chromium(tmp_path, report_file.as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert result.returncode == 0, result.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert 5 <= pages <= 14   # the side by side, then each family from a new page
