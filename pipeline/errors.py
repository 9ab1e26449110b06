"""The night's own failures (the crawler's and storage's are theirs)."""

from __future__ import annotations


class PartialRun(Exception):
    """The night stopped before it was merged (interrupted, or a page budget spent); its pages
    are kept in staging and the next crawl continues from the last committed one."""
