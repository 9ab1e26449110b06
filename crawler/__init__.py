"""Talking to the Hub: a source of pages (crawler.source) for crawl plans declared as data
(crawler.plans), over one HTTP client with retries, pacing and prefetch (crawler.http), each
page split into records on disk (crawler.records). Knows nothing of storage.

Public API: HubClient, RetryPolicy, PLANS_BY_TYPE / repo_plans(repo_type, ...), listing_pages,
by_id_pages, Page; errors in crawler.errors.
"""

from crawler.errors import AuthRejected, CrawlError, HubRequestRejected, HubUnreachable, RetriesExhausted
from crawler.http import HubClient, RetryPolicy
from crawler.plans import PLANS, PLANS_BY_TYPE, REPO_TYPES, Plan, repo_plans
from crawler.source import Page, by_id_pages, listing_pages

__all__ = ["HubClient", "RetryPolicy", "PLANS", "PLANS_BY_TYPE", "REPO_TYPES", "Plan", "repo_plans", "Page", "listing_pages", "by_id_pages",
           "CrawlError", "HubUnreachable", "AuthRejected", "RetriesExhausted", "HubRequestRejected"]
