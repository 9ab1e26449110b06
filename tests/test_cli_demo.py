"""`make demo` end to end (the Makefile's command, smaller universe, temporary paths): hubsim
starts, the crawl runs through the `crawl` code path, figures equal the simulator's truth,
and the report it writes renders in headless Chromium."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from test_report_browser import chromium, console_messages

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.browser
def test_demo_crawls_hubsim_prints_figures_and_writes_a_report_chromium_renders(real_sample_path, tmp_path):
    db, report = tmp_path / "data" / "demo.duckdb", tmp_path / "report.html"
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT", "HUBCENSUS_DB")}
    demo = subprocess.run(
        [sys.executable, "-m", "hubcensus.demo", "--db", str(db), "--port", "0", "--models", "2000",
         "--real", str(real_sample_path), "--report", str(report)],
        capture_output=True, text=True, timeout=600, cwd=REPO, env=environment,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert demo.stdout.startswith("hubsim serving 2,000 synthetic models + ")
    assert f"wrote {report}; explore with: hubcensus sql --db {db}" in demo.stdout

    truth = json.loads(subprocess.run(
        [sys.executable, "-m", "hubsim", "truth", "--models", "2000", "--real", str(real_sample_path)],
        capture_output=True, text=True, check=True, cwd=REPO).stdout)
    figures = subprocess.run([sys.executable, "-m", "hubcensus", "figures", "--db", str(db), "--json"],
                             capture_output=True, text=True, cwd=REPO, env=environment)
    assert json.loads(figures.stdout) == truth
    assert f"models alive                  {truth['models_total']:,}" in demo.stdout

    run_the_readme_quick_start(tmp_path)

    dom = chromium(tmp_path, report.as_uri(), "--dump-dom")
    assert console_messages(dom.stderr) == []
    assert dom.stdout.count("<svg") >= 12
    png = tmp_path / "report.png"
    shot = chromium(tmp_path, report.as_uri(), f"--screenshot={png}", "--window-size=1280,4000", "--hide-scrollbars")
    assert shot.returncode == 0
    assert min(ImageStat.Stat(Image.open(png).convert("RGB")).stddev) > 20


def quick_start_lines() -> list[str]:
    """The commands of the README's offline quick start, as written there."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Quick start"):]
    start = section.index("```sh\n") + len("```sh\n")
    block = section[start:section.index("```", start)]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def run_the_readme_quick_start(folder: Path) -> None:
    """After `make demo` (here: the demo run into folder/data/demo.duckdb), every line of the
    quick start works verbatim from that folder."""
    lines = quick_start_lines()
    assert lines[0] == "make demo"
    make = subprocess.run(["make", "-n", "demo"], capture_output=True, text=True, cwd=REPO).stdout
    assert "--db data/demo.duckdb" in make and "--report report.html" in make
    assert all(line.startswith(".venv/bin/hubcensus ") for line in lines[1:]) and len(lines) >= 3
    environment = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT", "HUBCENSUS_DB")}
    for line in lines[1:]:
        command = line.replace(".venv/bin/hubcensus", f"{sys.executable} -m hubcensus", 1)
        result = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=folder, env=environment)
        assert (result.returncode, result.stderr) == (0, ""), line


def test_a_missing_sample_file_is_a_clear_message(tmp_path):
    result = subprocess.run([sys.executable, "-m", "hubcensus.demo", "--db", str(tmp_path / "d.duckdb"),
                             "--real", str(tmp_path / "nope.jsonl")], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2
    assert result.stderr == (f"hubcensus: error: real-Hub sample not found at {tmp_path / 'nope.jsonl'}; it ships as "
                             "../shared/data/real-hub-sample/models.jsonl beside the repository (pass --real FILE, "
                             "or omit --real for a synthetic-only demo: make demo SAMPLE=)\n")
    assert not (tmp_path / "d.duckdb").exists()


def test_make_demo_with_an_empty_sample_runs_synthetic_only():
    """`make demo SAMPLE=` is the "omit --real" the message above suggests."""
    with_sample = subprocess.run(["make", "-n", "demo"], capture_output=True, text=True, cwd=REPO)
    without = subprocess.run(["make", "-n", "demo", "SAMPLE="], capture_output=True, text=True, cwd=REPO)
    demo_line = lambda out: next(line for line in out.splitlines() if "hubcensus.demo" in line)  # noqa: E731
    assert "--real ../shared/data/real-hub-sample/models.jsonl" in demo_line(with_sample.stdout)
    assert "--real" not in demo_line(without.stdout)


def test_a_busy_demo_port_names_the_make_variable(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "hubcensus.demo", "--db", str(tmp_path / "d.duckdb"),
                                 "--port", str(port)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2
    assert result.stderr == (f"hubcensus: error: port {port} is busy; run make demo DEMO_PORT={port + 1} "
                             "(any free port), or python -m hubcensus.demo --port 0\n")
    assert not (tmp_path / "d.duckdb").exists()
