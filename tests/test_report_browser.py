"""The report opened in headless Chromium (Debian's `chromium`, installed by `make test`): the
headline block, the axis titles and the partial-month mark are in the page the browser built,
the page logs nothing to the console, the screenshot is not blank, and it prints to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from PIL import Image, ImageStat

from analysis import report
from analysis.example_db import create_history_db

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BAR_RGB = (0x2F, 0x6F, 0xAD)  # .bar fill in analysis/templates/report.css


def chromium(tmp_path: Path, url: str, *mode: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *mode, url],
        capture_output=True, text=True, timeout=120,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    create_history_db(tmp / "history.duckdb").close()
    with duckdb.connect(str(tmp / "history.duckdb"), read_only=True) as con:
        (tmp / "report.html").write_text(report.render(con, fmt="html"), encoding="utf-8")
    return tmp / "report.html"


@pytest.fixture(scope="module")
def dom(report_file, tmp_path_factory) -> str:
    result = chromium(tmp_path_factory.mktemp("dom"), report_file.as_uri(), "--dump-dom")
    assert result.returncode == 0
    assert console_messages(result.stderr) == []
    return result.stdout


def test_console_detection_works(tmp_path):
    # The check above would see a console error: a page that makes one is caught.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>")
    result = chromium(tmp_path, broken.as_uri(), "--dump-dom")
    assert any("Uncaught ReferenceError: undefinedFunction is not defined" in m for m in console_messages(result.stderr))


def test_headline_block_axis_titles_and_partial_mark_are_in_the_page(dom):
    headline = dom.split('<section class="headline"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<div class="card-title">([^<]*)</div><div class="card-value">([^<]*)</div>',
                      re.sub(r">\s+<", "><", headline)) == [
        ("Public models", "10"), ("New this week", "5"), ("New this month", "6"), ("Gated", "20.0%"),
        ("Largest family", "4")]
    svgs = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
    assert len(svgs) == 14
    assert all(re.search(r'<text class="axis-title"[^>]*>[^<]+</text>', s) for s in svgs)
    assert all(re.search(r"<(rect|polyline|circle|path)\b", s) for s in svgs)  # no empty frame
    months = next(s for s in svgs if 'aria-label="new models per month"' in s)
    assert '<text class="partial-label"' in months and ">partial</text>" in months
    assert "<script" not in dom.lower()


def test_screenshot_is_not_blank(report_file, tmp_path):
    png = tmp_path / "report.png"
    result = chromium(tmp_path, report_file.as_uri(), f"--screenshot={png}", "--window-size=1280,4000",
                      "--hide-scrollbars")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 4000)
    assert min(ImageStat.Stat(image).stddev) > 20  # a blank or single-colour page has ~0
    bar_pixels = sum(count for count, rgb in image.getcolors(1 << 20) if rgb == BAR_RGB)
    assert bar_pixels > 5000  # the charts' bars and lines were painted


def test_prints_to_pdf(report_file, tmp_path):
    pdf = tmp_path / "report.pdf"
    result = chromium(tmp_path, report_file.as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert result.returncode == 0, result.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert 4 <= pages <= 12  # A4 pages: the print CSS keeps charts whole and hides the navigation
