"""One crawl per database: an OS file lock beside the DB (released by the OS if we die)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import filelock

from storage.errors import CrawlLocked


def lock_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


@contextlib.contextmanager
def crawl_lock(db_path: str | Path):
    """Hold the crawl lock of db_path for the with-block, or raise CrawlLocked at once."""
    path = lock_path(db_path)
    lock = filelock.FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise CrawlLocked(f"another crawl is running on {db_path} (lock {path}); "
                          "wait for it to finish") from None
    try:
        yield
    finally:
        lock.release()
