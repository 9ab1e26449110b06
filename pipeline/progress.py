"""What a running night reports after every committed page, and the library's default report
(key=value log lines every few seconds). The terminal's progress bar is the application's
(hubcensus/progress.py)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger("hubcensus.crawl")


@dataclass
class Progress:
    plan: str                    # sweep | refresh | full | catchup
    pages: int
    models: int                  # records listed so far by this plan (stored + rejected)
    skipped: int                 # records rejected whole so far
    requests: int
    retries: int
    bytes: int
    elapsed: float               # seconds spent on this plan in this process
    models_per_s: float
    total_estimate: int | None   # records expected in this plan (None: unknown)
    eta_s: float | None
    done: bool = False
    repo_type: str = "models"    # models | datasets | spaces


ProgressReport = Callable[[Progress], None]


def key_values(p: Progress) -> str:
    fields = {"event": "plan_done" if p.done else "progress", "plan": p.plan, "repo_type": p.repo_type, "pages": p.pages,
              "models": p.models, "skipped": p.skipped, "requests": p.requests, "retries": p.retries,
              "bytes": p.bytes, "models_per_s": f"{p.models_per_s:.0f}",
              "eta_s": "" if p.eta_s is None else f"{p.eta_s:.0f}"}
    return " ".join(f"{k}={v}" for k, v in fields.items())


class LogProgress:
    """A key=value log line at most every `every` seconds, and one at the end of each plan."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if p.done or now - self.last >= self.every:
            self.last = now
            log.info(key_values(p))


def silent(_p: Progress) -> None:
    return None
