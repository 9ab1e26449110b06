"""Storage's failures, each with a one-line message for the user (the CLI maps the class to an
exit code and prints str(error), never a traceback)."""

from __future__ import annotations


class StorageError(Exception):
    """A problem with the database file the user can act on; str() is one line."""


class DatabaseBusy(StorageError):
    """Another process kept the file locked for longer than the caller wanted to wait."""


class MainDatabaseBusy(DatabaseBusy):
    """At the end of a night the main file stayed locked by another process (an analyst's
    connection): the night is kept in staging and the next crawl merges it (a partial run)."""


class SchemaTooNew(StorageError):
    """The file was migrated by a newer hubcensus than this one: it is neither read nor written."""


class SchemaTooOld(StorageError):
    """The file was written by an older hubcensus and not migrated yet; readers cannot migrate
    it (they never write): `hubcensus migrate` or the next crawl does."""


class CrawlLocked(StorageError):
    """Another crawl holds this database's lock."""


class DiskFull(StorageError):
    """The disk (or a file size limit) refused a write; what was committed before is kept."""


def is_disk_full(error: BaseException) -> bool:
    """DuckDB and the OS say "no space left" in a few ways (ENOSPC, EFBIG under a size limit)."""
    text = str(error).lower()
    errno = getattr(error, "errno", None)
    return errno in (28, 27) or "no space left" in text or "file too large" in text or "disk is full" in text
