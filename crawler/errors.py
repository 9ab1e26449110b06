"""The crawl's failures, each with a one-line message for the user (the CLI maps the class
to an exit code and prints str(error), never a traceback)."""

from __future__ import annotations


class CrawlError(Exception):
    """Base class: a crawl failure the user can act on."""


class HubUnreachable(CrawlError):
    """No connection to the endpoint (DNS, refused, timeouts) after retrying."""


class AuthRejected(CrawlError):
    """The Hub answered 401/403: the token is missing, wrong or lacks access."""


class RetriesExhausted(CrawlError):
    """A page kept failing (5xx, resets, 429s) through every retry; staging is kept and the
    next crawl resumes from the last committed page. Carries what the failed GET cost, which
    the night still counts."""

    def __init__(self, message: str, requests: int = 0, retries: int = 0, bytes: int = 0) -> None:
        super().__init__(message)
        self.requests, self.retries, self.bytes = requests, retries, bytes


class HubRequestRejected(CrawlError):
    """The Hub refused a request as malformed (4xx other than 401/403/429)."""
