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
    """A page kept failing (5xx, resets, broken JSON) through every retry; staging is kept
    and the next crawl resumes from the last committed page."""


class HubRequestRejected(CrawlError):
    """The Hub refused a request as malformed (4xx other than 401/403/429)."""


class CrawlLocked(CrawlError):
    """Another crawl holds this database's lock."""


class PartialRun(CrawlError):
    """The night stopped before it was merged (interrupted, or the main file stayed busy);
    its pages are kept in staging and the next crawl continues."""


class MainDatabaseBusy(PartialRun):
    """The main file stayed locked by another process (an analyst's connection)."""
