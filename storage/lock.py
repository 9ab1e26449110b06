"""One crawl per database file, whatever name it is reached by (OS locks, released if we die).

Two locks, because a database can have several names:
- a lock file beside the database's real path (`<db>.lock`, symlinks resolved), so two crawls
  through a symlink meet the same lock, also on a first night when the file does not exist;
- when the file exists, an flock on the database file itself, so two crawls through hard
  links (two names, one inode) are refused too.

flock and the POSIX record locks DuckDB takes on the same file are independent on Linux (a
DuckDB connection opens and writes the file while we hold the flock, checked by a test). But
closing *any* descriptor of a file drops every POSIX lock the process holds on it, so the
descriptor is opened before the crawl opens the database and closed only when the crawl is
over: never open and close the database file by hand while a DuckDB connection holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

import filelock

from storage.errors import CrawlLocked


def lock_path(db_path: str | Path) -> Path:
    """The lock file of a database: beside its real file, so every symlinked name shares it."""
    return Path(f"{Path(db_path).resolve()}.lock")


@contextlib.contextmanager
def crawl_lock(db_path: str | Path):
    """Hold the crawl lock of db_path for the with-block, or raise CrawlLocked at once."""
    path = lock_path(db_path)
    lock = filelock.FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise CrawlLocked(_held_message(db_path, path)) from None
    try:
        with _database_file_lock(db_path, path):
            yield
    finally:
        lock.release()


@contextlib.contextmanager
def _database_file_lock(db_path: str | Path, path: Path):
    """An exclusive flock on the database file itself when it exists (hard-link aliases)."""
    try:
        fd = os.open(db_path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:   # a first night: no other name can reach a file not yet made
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CrawlLocked(_held_message(db_path, path, alias=True)) from None
        yield
    finally:
        os.close(fd)   # also releases the flock


def _held_message(db_path, path: Path, alias: bool = False) -> str:
    if alias:
        return (f"another crawl is running on {db_path} under another name (a hard link to the same file); "
                "wait for it to finish")
    return f"another crawl is running on {db_path} (lock {path}); wait for it to finish"
