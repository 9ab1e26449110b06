"""Crawl progress for humans (one redrawn line on a terminal) and logs (key=value lines).

A progress callback gets a Progress after every committed page and once at the end of each
plan (done=True). The CLI may pass its own callable; run_night(progress=None) uses
default_progress(), progress=False is silent.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass

log = logging.getLogger("hubcensus.crawl")


@dataclass
class Progress:
    plan: str
    pages: int
    models: int
    skipped: int
    requests: int
    retries: int
    bytes: int
    elapsed: float               # seconds spent on this plan in this process
    models_per_s: float
    total_estimate: int | None   # models expected in this plan (None: unknown)
    eta_s: float | None
    done: bool = False


class ProgressPrinter:
    """One line redrawn in place on a TTY; a key=value log line every `every` seconds otherwise."""

    def __init__(self, stream=None, every: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every
        self.last = 0.0

    def __call__(self, p: Progress) -> None:
        if self.tty:
            eta = f", ETA {format_seconds(p.eta_s)}" if p.eta_s is not None else ""
            line = (f"{p.plan}: {p.pages} pages, {p.models:,} models, {p.models_per_s:,.0f} models/s"
                    f"{eta}, {p.bytes / 1e6:,.1f} MB")
            self.stream.write("\r\x1b[2K" + line + ("\n" if p.done else ""))
            self.stream.flush()
            return
        now = time.monotonic()
        if p.done or now - self.last >= self.every:
            self.last = now
            log.info(key_values(p))
            if not logging.getLogger().handlers and not log.handlers:
                self.stream.write(key_values(p) + "\n")


def key_values(p: Progress) -> str:
    fields = {"event": "plan_done" if p.done else "progress", "plan": p.plan, "pages": p.pages,
              "models": p.models, "skipped": p.skipped, "requests": p.requests, "retries": p.retries,
              "bytes": p.bytes, "models_per_s": f"{p.models_per_s:.0f}",
              "eta_s": "" if p.eta_s is None else f"{p.eta_s:.0f}"}
    return " ".join(f"{k}={v}" for k, v in fields.items())


def format_seconds(s: float) -> str:
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def default_progress() -> ProgressPrinter:
    return ProgressPrinter()
