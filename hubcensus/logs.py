"""Log lines on stderr for every command: one format, secrets scrubbed from every record."""

from __future__ import annotations

import logging
import os
import sys

from hubcensus.failures import ScrubbingFormatter

LEVEL_ENV = "HUBCENSUS_LOG_LEVEL"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get(LEVEL_ENV, "INFO").upper())
