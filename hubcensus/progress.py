"""What a person (or a log) sees while a crawl runs; passed to the crawl as `progress=`.

The crawl calls the display with a pipeline.progress.Progress after every committed page and
once at the end of each plan (done=True); only its public fields are read here.
- On a terminal: one tqdm bar per plan (models done of the expected total, rate, ETA, pages,
  MB, retries), redrawn in place; log lines printed meanwhile appear above the bar.
- Otherwise (cron, systemd, a pipe): a key=value log line every `every` seconds and at the end
  of each plan, as before, for grep and log shippers.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO

from tqdm import tqdm

log = logging.getLogger("hubcensus.crawl")

LOG_EVERY_SECONDS = 10.0


def key_values(p) -> str:
    fields = {"event": "plan_done" if p.done else "progress", "plan": p.plan, "repo_type": p.repo_type, "pages": p.pages,
              "models": p.models, "skipped": p.skipped, "requests": p.requests, "retries": p.retries,
              "bytes": p.bytes, "models_per_s": f"{p.models_per_s:.0f}",
              "eta_s": "" if p.eta_s is None else f"{p.eta_s:.0f}"}
    return " ".join(f"{k}={v}" for k, v in fields.items())


class LogLines:
    """key=value lines through logging, at most one per `every` seconds (and each plan's end)."""

    def __init__(self, every: float = LOG_EVERY_SECONDS) -> None:
        self.every = every
        self.last = float("-inf")

    def __call__(self, p) -> None:
        now = time.monotonic()
        if p.done or now - self.last >= self.every:
            self.last = now
            log.info(key_values(p))

    def close(self) -> None:
        pass


class Bar:
    """A tqdm bar per plan on a terminal."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.bar: tqdm | None = None
        self.plan: str | None = None

    def __call__(self, p) -> None:
        if self.bar is None or (p.repo_type, p.plan) != self.plan:
            self.close()
            self.plan = (p.repo_type, p.plan)
            # The first report comes after the first page: start the bar there (initial), so
            # the rate is not one page divided by no time.
            self.bar = tqdm(total=p.total_estimate, initial=p.models, desc=f"{p.repo_type} {p.plan}", unit=f" {p.repo_type}", unit_scale=True,
                            file=self.stream, dynamic_ncols=True, leave=True, smoothing=0.1)
        if p.total_estimate and max(p.total_estimate, p.models) > (self.bar.total or 0):
            # the estimate (last night's alive count) grows as the Hub does; past it, the count
            # is the total, so the bar keeps its percentage instead of falling back to a count
            self.bar.total = max(p.total_estimate, p.models)
        self.bar.update(max(0, p.models - self.bar.n))
        self.bar.set_postfix_str(f"{p.pages:,} pages, {p.bytes / 1e6:,.1f} MB, {p.retries} retries", refresh=True)
        if p.done:
            self.bar.total = self.bar.n   # a finished plan is 100 %, whatever the estimate said
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def display_for(stream: IO[str] | None = None):
    """The bar on a terminal, log lines otherwise."""
    stream = stream or sys.stderr
    return Bar(stream) if getattr(stream, "isatty", lambda: False)() else LogLines()
