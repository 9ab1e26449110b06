"""Storage's failures, each with a one-line message for the user (the CLI maps the class to an
exit code and prints str(error), never a traceback)."""

from __future__ import annotations


class StorageError(Exception):
    """Base class: a storage failure the user can act on."""


class CrawlLocked(StorageError):
    """Another crawl holds this database's lock."""


class MainDatabaseBusy(StorageError):
    """The main file stayed locked by another process (an analyst's connection)."""


class DiskFull(StorageError):
    """The disk (or a file size limit) refused a write; what was committed before is kept."""


def is_disk_full(error: BaseException) -> bool:
    """DuckDB and the OS say "no space left" in a few ways (ENOSPC, EFBIG under a size limit)."""
    text = str(error).lower()
    errno = getattr(error, "errno", None)
    return errno in (28, 27) or "no space left" in text or "file too large" in text or "disk is full" in text
