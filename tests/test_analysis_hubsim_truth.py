"""End to end: crawl a hubsim universe over HTTP (pipeline.run_night), then the figures built from
the analysis views must equal `python -m hubsim truth` exactly (same seed, same day).

Two nights on the same database (day 1, then day 2) so models deleted on day 2 are marked
`deleted_at` by the crawl and must drop out of every figure, as they drop out of truth.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analysis.figures import compute_figures

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "data" / "real-hub-sample" / "models.jsonl"


def serve(*args: str) -> tuple[subprocess.Popen, str]:
    """Start hubsim on a free port; its first stdout line names the URL."""
    server = subprocess.Popen([sys.executable, "-m", "hubsim", "serve", "--port", "0", *args],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not match:
        server.kill()
        raise RuntimeError(f"hubsim did not start: {line!r}")
    return server, match.group(1)


def truth(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "hubsim", "truth", *args], cwd=REPO, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    "universe, days",
    [
        (("--models", "4000", "--seed", "11"), (1,)),
        (("--models", "4000", "--seed", "12"), (1, 2)),
        (("--models", "3000", "--seed", "13", "--real", str(SAMPLE)), (1, 2)),
    ],
)
def test_figures_after_crawling_hubsim_equal_its_truth(tmp_path, universe, days):
    import pipeline

    db = tmp_path / "hub.duckdb"
    for day in days:
        server, url = serve(*universe, "--day", str(day))
        try:
            pipeline.run_night(str(db), endpoint=url)
        finally:
            server.terminate()
            server.wait(timeout=30)
    con = duckdb.connect(str(db))
    assert compute_figures(con) == truth(*universe, "--day", str(days[-1]))
