"""Writing what a command produces: reports as whole files (never half-written), PDFs.

A file is written beside its target under a hidden temporary name and moved into place, so a
browser or web server never sees half a report; on any failure the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from hubcensus.config import ExitCode, UserFacingError

CHROMIUM_ENV = "HUBCENSUS_CHROMIUM"   # a browser binary to print PDFs with, if not on PATH
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_SECONDS = 120
# Headless, and nothing that reaches the network (a closed network refuses those calls slowly).
CHROMIUM_FLAGS = ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")
_DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


def check_output_file(path: Path, option: str = "--out") -> None:
    """An output file name the user can fix, before any work is done."""
    if path.is_dir():
        raise UserFacingError(f"{option} {path} is a directory; name a file in it, e.g. {path / 'report.html'}")
    if not path.parent.is_dir():
        raise UserFacingError(f"cannot write {path}: directory {path.parent} does not exist")


def _write_failed(path: Path, error: OSError) -> UserFacingError:
    if error.errno in _DISK_FULL:
        return UserFacingError(f"the disk is full writing {path} ({error.strerror}); free space and run again",
                               ExitCode.DISK_FULL)
    return UserFacingError(f"cannot write {path}: {error.strerror or error}")


@contextlib.contextmanager
def replacing(path: Path):
    """Yields a temporary path beside `path`; moved onto it if the block succeeds, else removed."""
    check_output_file(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as error:
        raise _write_failed(path, error) from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomically(path: Path, text: str) -> None:
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def find_chromium() -> str | None:
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return shutil.which(named)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def require_chromium(path: Path) -> str:
    browser = find_chromium()
    if browser is None:
        raise UserFacingError(f"writing {path.name} needs Chromium to print the report, and none was found "
                              f"({', '.join(CHROMIUM_NAMES)} on PATH or ${CHROMIUM_ENV}); install it "
                              "(Debian: apt-get install chromium, or make chromium) or write --out report.html")
    return browser


def write_pdf(path: Path, html: str) -> None:
    """Print an HTML report to a PDF with headless Chromium (the report has print CSS)."""
    check_output_file(path)
    browser = require_chromium(path)
    with tempfile.TemporaryDirectory(prefix="hubcensus-pdf-") as work, replacing(path) as tmp:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={Path(work) / 'profile'}", f"--print-to-pdf={tmp}"]
        if os.geteuid() == 0:   # Chromium refuses to start as root with its sandbox on
            command.append("--no-sandbox")
        try:
            result = subprocess.run([*command, page.as_uri()], capture_output=True, text=True,
                                    timeout=PDF_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise UserFacingError(f"Chromium did not print {path} within {PDF_TIMEOUT_SECONDS}s") from None
        if result.returncode != 0 or not tmp.is_file() or not tmp.read_bytes().startswith(b"%PDF-"):
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise UserFacingError(f"Chromium could not print {path} (exit {result.returncode}: {last})")
