"""Talking to the Hub: one night's crawl (sweep + refresh) into the DuckDB file.

Public API: run_night(db_path, endpoint=None, token=None, snapshot_date=None, progress=None,
plans=("sweep", "refresh")) -> NightResult; errors in crawler.errors.
"""

from crawler.errors import (AuthRejected, CrawlError, CrawlLocked, HubUnreachable, MainDatabaseBusy, PartialRun,
                            RetriesExhausted)
from crawler.http import RetryPolicy
from crawler.night import NightResult, PlanResult, run_night
from crawler.progress import Progress, ProgressPrinter, default_progress as progress_printer

__all__ = ["run_night", "NightResult", "PlanResult", "RetryPolicy", "CrawlError", "HubUnreachable", "AuthRejected",
           "RetriesExhausted", "CrawlLocked", "PartialRun", "MainDatabaseBusy"]
