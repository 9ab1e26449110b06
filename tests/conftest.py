"""Shared fixtures: start a hubsim server for a test (real HTTP on 127.0.0.1).

Kept stable: crawler, storage and analysis tests use `sim_factory` and `real_sample_path`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hubsim.server import SimServer
from hubsim.universe import Universe

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def real_sample_path() -> Path:
    """The real Hub sample, ../shared/data/real-hub-sample/models.jsonl beside the repo."""
    path = (REPO / ".." / "shared" / "data" / "real-hub-sample" / "models.jsonl").resolve()
    assert path.is_file(), f"missing real sample at {path}"
    return path


@pytest.fixture
def sim_factory():
    """sim_factory(models=2000, seed=1, day=1, real=None, faults=None, rate_limit=None,
    latency_ms=0, start_date=None, scale=None, hostile=(), long_tail=True, datasets=None, spaces=None,
    **kw) -> a started SimServer (stopped at teardown). `scale` clones `real` up to that many
    records, `hostile` is a list of hubsim.hostile.Hostile, `long_tail=False` leaves out the
    synthetic records with 10k-100k files and multi-MB cards, `datasets` / `spaces` set the
    day-1 numbers of synthetic datasets and Spaces (None: 0.23 and 0.27 per synthetic model).
    Extra keywords go to SimServer (e.g. allow_list_lineage=True)."""
    started: list[SimServer] = []

    def make(models: int = 2000, seed: int = 1, day: int = 1, real=None, faults=None, rate_limit=None,
             latency_ms: float = 0, start_date: dt.date | None = None, scale: int | None = None,
             hostile=(), long_tail: bool = True, datasets: int | None = None, spaces: int | None = None,
             **server_kw) -> SimServer:
        build_kw = {"start_date": start_date} if start_date else {}
        universe = Universe.build(models=models, seed=seed, day=day, real_path=real, real_scale=scale,
                                  hostile=hostile, long_tail=long_tail, datasets=datasets, spaces=spaces,
                                  **build_kw)
        sim = SimServer(universe, faults=faults, rate_limit=rate_limit, latency_ms=latency_ms, **server_kw)
        sim.start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()
