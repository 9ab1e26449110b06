"""Shared plumbing for benchmarks: a hubsim subprocess, and contenders measured in child processes."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "data" / "real-hub-sample" / "models.jsonl"


@contextlib.contextmanager
def hubsim(*args: str) -> Iterator[str]:
    """Start `python -m hubsim serve --port 0 ARGS` and yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hubsim", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        first_line = process.stdout.readline()
        if "http://" not in first_line:
            raise RuntimeError(f"hubsim did not start: {first_line!r}")
        yield first_line[first_line.index("http://"):].strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def sim_stats(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/_sim/stats") as response:
        return json.load(response)


def reset_sim_stats(url: str) -> None:
    request = urllib.request.Request(f"{url}/_sim/stats/reset", method="POST")
    urllib.request.urlopen(request).close()


@dataclass
class Measurement:
    name: str
    models: int
    seconds: float
    peak_rss_mb: float
    extra: dict

    @property
    def models_per_second(self) -> float:
        return self.models / self.seconds if self.seconds else 0.0


def run_contender(name: str, *args: str, env: dict | None = None) -> Measurement:
    """Run `python -m bench.contenders NAME ARGS` and measure its own peak RSS with wait4."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.contenders", name, *args],
        stdout=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"contender {name} failed with exit code {process.returncode}")
    outcome = json.loads(output.decode().strip().splitlines()[-1])
    return Measurement(
        name=name,
        models=outcome.pop("models") or 0,
        seconds=outcome.pop("seconds"),
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        extra=outcome,
    )


def requested_targets(url: str) -> list[str]:
    """The /api/ request targets hubsim served since its last stats reset, in order."""
    with urllib.request.urlopen(f"{url}/_sim/requests") as response:
        log = json.load(response)
    if log["dropped"]:
        raise RuntimeError(f"hubsim's request log dropped {log['dropped']} targets: the replay would be short")
    return log["targets"]


def set_sim_day(url: str, day: int) -> None:
    request = urllib.request.Request(f"{url}/_sim/day?d={day}", method="POST")
    urllib.request.urlopen(request).close()
