"""The crawl's progress display: a bar with rate and ETA on a terminal, key=value log lines
otherwise (cron, systemd, pipes). The terminal itself was checked by hand in tmux."""

from __future__ import annotations

import io
import logging

from pipeline.progress import Progress
from hubcensus.progress import Bar, LogLines, display_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def reports(plan: str, pages: int, total: int | None) -> list[Progress]:
    return [Progress(plan, page, page * 1000, 0, page, 0, page * 40_000, 0.5 * page, 2000.0, total,
                     None if total is None else (total - page * 1000) / 2000, done=(page == pages))
            for page in range(1, pages + 1)]


def test_a_terminal_gets_a_bar_and_a_pipe_gets_log_lines():
    assert isinstance(display_for(Terminal()), Bar)
    assert isinstance(display_for(io.StringIO()), LogLines)


def test_the_bar_shows_share_rate_and_pages_and_ends_at_100_percent():
    screen = Terminal()
    bar = Bar(screen)
    for p in reports("sweep", 3, 3000):
        bar(p)
    frames = [frame for frame in screen.getvalue().split("\r") if frame.strip()]
    first = [frame for frame in frames if "pages" in frame][0]
    assert first.startswith("models sweep:  33%|")
    assert "1.00k/3.00k" in first and "1 pages, 0.0 MB, 0 retries" in first
    assert frames[-1].startswith("models sweep: 100%|") and "3.00k/3.00k" in frames[-1] and "models/s" in frames[-1]
    assert frames[-1].endswith("3 pages, 0.1 MB, 0 retries]\n")


def test_a_sweep_that_lists_more_than_last_nights_count_keeps_its_percentage():
    # the estimate is last night's alive count; tonight the Hub has grown past it
    screen = Terminal()
    bar = Bar(screen)
    for p in reports("sweep", 3, 2500):
        bar(p)
    frames = [frame for frame in screen.getvalue().split("\r") if "pages" in frame]
    assert [frame.split("|")[0] for frame in frames[-3:]] == ["models sweep:  80%", "models sweep: 100%",
                                                             "models sweep: 100%"]
    assert "3.00k/3.00k" in frames[-1]


def test_log_lines_are_key_values_at_most_every_interval(caplog):
    lines = LogLines(every=3600)
    with caplog.at_level(logging.INFO, logger="hubcensus.crawl"):
        for p in reports("refresh", 3, None):
            lines(p)
    assert [r.getMessage() for r in caplog.records] == [
        "event=progress plan=refresh repo_type=models pages=1 models=1000 skipped=0 requests=1 retries=0 bytes=40000 "
        "models_per_s=2000 eta_s=",
        "event=plan_done plan=refresh repo_type=models pages=3 models=3000 skipped=0 requests=3 retries=0 bytes=120000 "
        "models_per_s=2000 eta_s=",
    ]
