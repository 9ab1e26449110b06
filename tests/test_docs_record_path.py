"""docs/record-path.md follows one record from the HTTP response to a figure in at most eight
files: each listed file exists, and every place it names in backticks is really in that file."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEP = re.compile(r"^\d+\. `([^`]+)` — (.*?)(?=^\d+\. |\Z)", re.M | re.S)


def steps() -> list[tuple[str, str]]:
    text = (REPO / "docs" / "record-path.md").read_text()
    return [(path, body) for path, body in STEP.findall(text)]


def test_the_record_path_is_eight_files_or_fewer_in_order():
    files = [path for path, _ in steps()]
    assert 1 <= len(files) <= 8 and len(set(files)) == len(files)
    assert files[0] == "crawler/http.py" and files[-1].startswith("analysis/")
    for path in files:
        assert (REPO / path).is_file(), path


def test_every_place_the_path_names_is_in_its_file():
    for path, body in steps():
        source = (REPO / path).read_text()
        for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_.]*)`", body):
            if name.endswith((".py", ".sql", ".md")) or name in ("Link",):
                continue   # another file or a header, named in passing
            assert name.split(".")[-1] in source, f"{name} is not in {path}"
