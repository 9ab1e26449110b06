"""The report opened in headless Chromium (Debian's `chromium`, installed by `make test`):
the charts render, the page logs nothing to the console, the screenshot is not blank."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from hubcensus.cli import main
from test_cli_fixtures import make_db

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
    db = make_db(tmp / "hub.duckdb")
    assert main(["report", "--db", str(db), "--out", str(tmp / "report.html")]) == 0
    return tmp / "report.html"


def test_console_detection_works(tmp_path):
    # The check below would see a console error: a page that makes one is caught.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>")
    result = chromium(tmp_path, broken.as_uri(), "--dump-dom")
    assert any("Uncaught ReferenceError: undefinedFunction is not defined" in m for m in console_messages(result.stderr))


def test_charts_render_with_data_and_no_console_errors(report_file, tmp_path):
    result = chromium(tmp_path, report_file.as_uri(), "--dump-dom")
    assert result.returncode == 0
    assert console_messages(result.stderr) == []
    dom = result.stdout
    svgs = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
    assert len(svgs) == 14
    drawn = [s for s in svgs if re.search(r"<(rect|polyline|circle)\b", s)]
    assert len(drawn) == len(svgs)  # every chart has marks, none is an empty frame
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # the hostile model id, as text


def test_screenshot_is_not_blank(report_file, tmp_path):
    png = tmp_path / "report.png"
    result = chromium(tmp_path, report_file.as_uri(), f"--screenshot={png}", "--window-size=1280,4000",
                      "--hide-scrollbars")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr) == []
    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 4000)
    stddev = ImageStat.Stat(image).stddev
    assert min(stddev) > 20  # a blank or single-colour page has ~0
    bar_pixels = sum(count for count, rgb in image.getcolors(1 << 20) if rgb == BAR_RGB)
    assert bar_pixels > 5000  # the charts' bars and lines were painted
