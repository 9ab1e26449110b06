"""Every failure as one true line on stderr and its documented exit code (config.ExitCode).

The crawler and storage raise their own exceptions with one-line messages; this module maps
their classes to exit codes, recognises a full disk and an exhausted memory limit wherever
they surface (also behind a failed ROLLBACK), and scrubs secrets (a password in the endpoint
URL, the token) from everything the process prints or logs.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import traceback
from urllib.parse import unquote, urlsplit

import duckdb

import crawler.errors as crawl_errors
import storage.errors as storage_errors
from hubcensus.config import ExitCode, UserFacingError
from pipeline.errors import PartialRun
from storage.db import CRAWL_MEMORY_ENV
from storage.errors import DatabaseBusy, StorageError

DEBUG_ENV = "HUBCENSUS_DEBUG"

# Crawl failure classes (crawler, storage, pipeline), most specific first.
_CRAWL_CODES = (
    (storage_errors.CrawlLocked, ExitCode.LOCK_HELD),
    # the merge found the file held by a reader: the night is kept and merged next time
    (storage_errors.MainDatabaseBusy, ExitCode.PARTIAL),
    (storage_errors.DiskFull, ExitCode.DISK_FULL),
    (crawl_errors.HubUnreachable, ExitCode.HUB_UNREACHABLE),
    # A 4xx other than 401/403/429 is almost always an endpoint that is not a Hub API (a web
    # site's HTML 404): the fix is the endpoint, as for an unreachable one.
    (crawl_errors.HubRequestRejected, ExitCode.HUB_UNREACHABLE),
    (crawl_errors.AuthRejected, ExitCode.AUTH_REJECTED),
    (crawl_errors.RetriesExhausted, ExitCode.PARTIAL),
    (PartialRun, ExitCode.PARTIAL),
)
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_DISK_FULL_TEXT = ("no space left on device", "file too large", "disk quota exceeded")


# --- secrets ------------------------------------------------------------------------------------

_secrets: set[str] = set()


def add_secret(value: str | None) -> None:
    """Never print or log this text (a token, a password); short values are not worth a scrub."""
    if value and len(value) >= 3:
        _secrets.update({value, unquote(value)})


def add_endpoint_secrets(endpoint: str | None) -> None:
    """The password of an endpoint URL (https://user:password@host)."""
    if endpoint:
        try:
            add_secret(urlsplit(endpoint).password)
        except ValueError:
            pass


def scrub(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class ScrubbingFormatter(logging.Formatter):
    """Formats a log record, then replaces every secret (in the message and any traceback).
    A formatter rather than a filter: tqdm's log redirection copies a handler's formatter
    but not its filters."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


# --- messages -----------------------------------------------------------------------------------

def one_line(error: BaseException | str) -> str:
    """A message on one line: DuckDB's `LINE n:` echo and caret lines dropped."""
    kept = []
    for line in str(error).splitlines():
        line = line.strip()
        if line.startswith("LINE ") or set(line) <= {"^", " "}:
            continue
        kept.append(line)
    return " ".join(kept)


def _chain(error: BaseException):
    """The error and what it was raised from or while handling (a ROLLBACK failing after the
    real failure puts the cause in __context__)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def disk_full_cause(error: BaseException) -> BaseException | None:
    for link in _chain(error):
        if isinstance(link, OSError) and link.errno in _DISK_FULL_ERRNOS:
            return link
        if isinstance(link, (duckdb.Error, OSError)) and any(t in str(link).lower() for t in _DISK_FULL_TEXT):
            return link
    return None


def _is_size_limit(error: BaseException) -> bool:
    return (isinstance(error, OSError) and error.errno == errno.EFBIG) or "file too large" in str(error).lower()


def out_of_memory_cause(error: BaseException) -> BaseException | None:
    return next((link for link in _chain(error) if isinstance(link, duckdb.OutOfMemoryException)), None)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit class of a failure (see config.ExitCode)."""
    if isinstance(error, UserFacingError):
        return error.code
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.PARTIAL
    for cls, code in _CRAWL_CODES:
        if isinstance(error, cls):
            return code
    if isinstance(error, DatabaseBusy):
        return ExitCode.LOCK_HELD
    if isinstance(error, StorageError):   # SchemaTooNew and the like: the file, not a bug
        return ExitCode.USAGE
    if disk_full_cause(error) is not None:
        return ExitCode.DISK_FULL
    if out_of_memory_cause(error) is not None:
        return ExitCode.USAGE
    return ExitCode.UNEXPECTED


def message_for(error: BaseException, command: str) -> str:
    """The one line printed after `hubcensus: error: `."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted" + ("; the next crawl resumes from the last checkpoint" if command == "crawl" else "")
    if isinstance(error, (UserFacingError, crawl_errors.CrawlError, StorageError, PartialRun)):
        return one_line(error) or type(error).__name__
    full = disk_full_cause(error)
    if full is not None:
        # EFBIG is a per-process file size limit (ulimit -f), not a full disk: say which.
        what = ("a file reached this process's file size limit (ulimit -f)" if _is_size_limit(full)
                else "the disk is full")
        return (f"{what} ({one_line(full)}); free space and run again"
                + ("; the next crawl resumes from its last committed page" if command == "crawl" else ""))
    oom = out_of_memory_cause(error)
    if oom is not None:
        return _out_of_memory_message(oom, command)
    return f"unexpected {type(error).__name__}: {one_line(error)} ({DEBUG_ENV}=1 shows a traceback)"


def _out_of_memory_message(error: BaseException, command: str) -> str:
    first = one_line(str(error).split("Possible solutions")[0]).rstrip(" .")
    if command == "crawl":
        limit = os.environ.get(CRAWL_MEMORY_ENV) or "the default"
        return f"DuckDB ran out of memory ({first}); raise {CRAWL_MEMORY_ENV} (now {limit}), e.g. 1GB"
    return f"DuckDB ran out of memory ({first}); simplify the query or read an `export` with your own engine"


def report_failure(error: BaseException, command: str) -> int:
    """Print the failure as one line (a traceback only with HUBCENSUS_DEBUG=1); return its code."""
    if os.environ.get(DEBUG_ENV):
        traceback.print_exception(error)
    print(f"hubcensus: error: {scrub(message_for(error, command))}", file=sys.stderr)
    return int(exit_code_for(error))
