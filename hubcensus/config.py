"""Where things are and what exit codes mean: the settings every command shares."""

from __future__ import annotations

import enum
import os
from pathlib import Path

DEFAULT_DB = "data/hub.duckdb"
DB_ENV = "HUBCENSUS_DB"
DEFAULT_CRON = "0 3 * * *"
PLANS = ("sweep", "refresh")                 # a night (the first one runs them as `full`)
KNOWN_PLANS = ("sweep", "refresh", "full")   # `full`: every model with heavy fields, on demand
REPO_TYPES = ("models", "datasets", "spaces")   # what a night crawls by default (each the same way)


class ExitCode(enum.IntEnum):
    """Process exit codes; a cron wrapper branches on these, so they never change meaning."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2          # bad arguments or bad input (missing DB, bad SQL, non-empty export dir)
    LOCK_HELD = 3      # another crawl holds this database
    HUB_UNREACHABLE = 4
    AUTH_REJECTED = 5
    PARTIAL = 6        # retries exhausted or interrupted: the next crawl resumes from its checkpoint
    DISK_FULL = 7      # no space left (or the file size limit): free space; the next crawl resumes


EXIT_CODES_HELP = """exit codes:
  0  ok
  1  unexpected error (a bug: please report it)
  2  usage error or bad input (bad option or endpoint, missing or unusable database, bad or
     writing SQL, no complete crawl yet, unwritable output)
  3  another crawl holds the database lock (readers: the file stayed busy past their wait)
  4  Hub unreachable, or the endpoint does not answer as a Hub
  5  Hub rejected the token (401/403)
  6  partial run: retries exhausted or interrupted; the next crawl resumes from its checkpoint
  7  disk full: free space; the next crawl resumes from its checkpoint"""


def resolve_db(cli_value: str | None) -> Path:
    """--db wins, then $HUBCENSUS_DB, then data/hub.duckdb (relative to the working directory)."""
    return Path(cli_value or os.environ.get(DB_ENV) or DEFAULT_DB)


def is_default_db(cli_value: str | None) -> bool:
    """Neither --db nor $HUBCENSUS_DB named a file: the crawl may create data/ for it."""
    return not (cli_value or os.environ.get(DB_ENV))


class UserFacingError(Exception):
    """An error the user can fix; printed as one line, never with a traceback."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE):
        super().__init__(message)
        self.code = code
