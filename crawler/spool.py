"""Where a page's bytes live between the wire and the database: on disk, not in a queue.

- ResponseBody: a response body as it downloads, in memory up to IN_MEMORY_BYTES and in a
  temporary file beyond (mapped read-only for splitting), so pages fetched ahead cost disk,
  not memory, however large they are.
- PageFiles: the storable records of one page as newline-delimited JSON chunk files of at most
  CHUNK_BYTES each (a record larger than that gets a file of its own), written as the records
  are found and fsynced before the page is handed on. The consumer (storage) moves the files
  under its own names when it commits the page; the parse reads them in batches of bounded
  size, so the page's size never decides the parse's memory.
"""

from __future__ import annotations

import mmap
import os
import uuid
from pathlib import Path

from crawler.records import RecordSink

IN_MEMORY_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 8 * 1024 * 1024


class ResponseBody:
    """A body being downloaded: write(chunk)... then view() (a buffer) and close()."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.size = 0
        self._memory: bytearray | None = bytearray()
        self._file = None
        self._path: Path | None = None
        self._map: mmap.mmap | None = None

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._memory is not None and self.size <= IN_MEMORY_BYTES:
            self._memory += chunk
            return
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._path = self.directory / f"body-{uuid.uuid4().hex}.json"
            self._file = open(self._path, "wb")
            if self._memory:
                self._file.write(self._memory)
            self._memory = None
        self._file.write(chunk)

    def view(self):
        """The whole body as a buffer (bytes-like; valid until close())."""
        if self._file is None:
            return bytes(self._memory or b"")
        self._file.flush()
        if self.size == 0:
            return b""
        with open(self._path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return memoryview(self._map)

    def head(self, n: int = 200) -> bytes:
        if self._file is None:
            return bytes((self._memory or b"")[:n])
        self._file.flush()
        with open(self._path, "rb") as f:
            return f.read(n)

    def close(self) -> None:
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:   # a view is still referenced; the map goes with it
                pass
            self._map = None
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None
        self._memory = None


class PageFiles(RecordSink):
    """A page's storable records as NDJSON chunk files in `directory` (see module doc)."""

    def __init__(self, directory: Path, chunk_bytes: int = CHUNK_BYTES, fsync: bool = True) -> None:
        self.directory = directory
        self.chunk_bytes = chunk_bytes
        self.fsync = fsync
        self.token = uuid.uuid4().hex
        self.files: list[Path] = []
        self.largest = 0          # bytes of the largest record (the parse sizes its buffers by it)
        self.records = 0
        self._out = None
        self._size = 0

    def write(self, record: bytes) -> None:
        n = len(record) + 1
        if self._out is None or (self._size + n > self.chunk_bytes and self._size > 0):
            self._roll()
        self._out.write(record)
        self._out.write(b"\n")
        self._size += n
        self.records += 1
        self.largest = max(self.largest, len(record))

    def _roll(self) -> None:
        self._close_current()
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{self.token}.{len(self.files)}.ndjson"
        self._out = open(path, "wb")
        self.files.append(path)
        self._size = 0

    def _close_current(self) -> None:
        if self._out is not None:
            self._out.flush()
            if self.fsync:   # on disk before the page's cursor commits (power loss, not just kill -9)
                os.fsync(self._out.fileno())
            self._out.close()
            self._out = None

    def finish(self) -> list[Path]:
        self._close_current()
        return list(self.files)

    def discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()
        self.records = self.largest = 0
