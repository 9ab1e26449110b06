"""One GET against the Hub: keep-alive session, auth headers, retries, rate-limit pacing.

- Endpoint, token and user agent come from huggingface_hub (HF_ENDPOINT, the token the `hf`
  CLI would use, its header builder). The token only ever lives in the session's headers.
- tenacity retries 5xx, connection errors/resets and truncated or invalid JSON with
  exponential backoff and jitter; a 429 waits what Retry-After (else RateLimit t=) says.
- A page is validated here (complete, well-formed JSON array) but not turned into Python
  objects: msgspec checks it and reads only `lastModified`, in ~0.7 ms for a 1 MB page where
  a full decode takes ~5 ms with the GIL held, time the writer thread (DuckDB) would wait
  for. DuckDB parses the page itself.
- Pacing: the Hub's `RateLimit: "api";r=R;t=T` header says R requests are left in a window
  that resets in T seconds. The client spends the budget and, when R reaches 0, waits T
  before the next request, so a long crawl runs at the budget's rate without a single 429.
  (Spreading R evenly over T would also avoid 429s but wastes up to one window at the end;
  for a fixed window, "use it, then wait for the reset" is the fastest schedule that obeys it.)
"""

from __future__ import annotations

import email.utils
import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import msgspec
import requests
import tenacity

from crawler.errors import AuthRejected, HubRequestRejected, HubUnreachable, RetriesExhausted

_RATELIMIT = re.compile(r"\br=(\d+)\b.*?\bt=(\d+)\b|\bt=(\d+)\b.*?\br=(\d+)\b")


@dataclass
class RetryPolicy:
    attempts: int = 8                 # tries per page for 5xx / resets / broken JSON
    connect_attempts: int = 3         # tries before the first successful response (bad endpoint: fail fast)
    backoff_initial: float = 1.0      # seconds, doubled per attempt, plus jitter
    backoff_max: float = 60.0
    jitter: float = 1.0
    rate_limit_waits: int = 100       # 429s obeyed per page before giving up
    timeout: tuple = (10.0, 120.0)    # connect, read seconds
    pace: bool = True                 # proactive pacing from RateLimit headers


class _Transient(Exception):
    """Worth another try: 5xx, a reset connection, a cut or invalid body."""

    def __init__(self, message: str, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class _RateLimited(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__(f"429, retry after {wait:g}s")
        self.wait = wait


class _Record(msgspec.Struct):
    """What the crawler reads of a listed record in Python: only its lastModified (any JSON
    value; other keys are skipped, DuckDB parses them)."""
    lastModified: Any = None


# A listing is an array; its items should be objects, but a malformed record (a string, a
# number) must not fail the page: it is counted and skipped when DuckDB parses the page.
_LISTING = msgspec.json.Decoder(list[_Record | list | str | float | bool | None])


@dataclass
class Response:
    url: str
    body: bytes | None                # None: the single model asked for is gone (404)
    records: int                      # items in the JSON array
    last_modified: list[str]          # the records' lastModified strings (refresh watermarks)
    next_url: str | None
    date: dt.date | None              # the UTC date of the server's Date header
    wire_bytes: int
    requests: int = 0                 # requests made for this page (incl. retries)
    retries: int = 0
    seconds: float = 0.0


@dataclass
class Counters:
    requests: int = 0
    retries: int = 0
    bytes: int = 0
    rate_limited: int = 0
    paced_seconds: float = 0.0


def parse_ratelimit(value: str | None) -> tuple[int, int] | None:
    """(remaining, seconds to reset) from `"api";r=R;t=T`, or None."""
    if not value:
        return None
    m = _RATELIMIT.search(value)
    if not m:
        return None
    if m.group(1) is not None:
        return int(m.group(1)), int(m.group(2))
    return int(m.group(4)), int(m.group(3))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


def parse_date(value: str | None) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(dt.timezone.utc).date()
    except (TypeError, ValueError, AttributeError):
        return None


class Pacer:
    """Holds back the next request while the rate-limit window has no budget left."""

    def __init__(self, clock=time.monotonic, sleep=time.sleep) -> None:
        self.clock, self.sleep = clock, sleep
        self.not_before = 0.0
        self.lock = threading.Lock()

    def wait(self) -> float:
        with self.lock:
            delay = self.not_before - self.clock()
        if delay > 0:
            self.sleep(delay)
            return delay
        return 0.0

    def hold(self, seconds: float) -> None:
        with self.lock:
            self.not_before = max(self.not_before, self.clock() + seconds)

    def learn(self, header: str | None) -> None:
        budget = parse_ratelimit(header)
        if budget is not None and budget[0] <= 0:
            # Window spent: the next request is only allowed after the reset (t is rounded up).
            self.hold(budget[1] + 0.05)


class HubClient:
    def __init__(self, endpoint: str | None = None, token: str | None = None,
                 policy: RetryPolicy | None = None, library_version: str = "0.1.0") -> None:
        from huggingface_hub import constants
        from huggingface_hub.utils import build_hf_headers

        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        self.policy = policy or RetryPolicy()
        self.session = requests.Session()
        # build_hf_headers finds the token as the `hf` CLI does when token is None.
        self.session.headers.update(build_hf_headers(token=token, library_name="hubcensus",
                                                     library_version=library_version))
        self.session.headers["Accept-Encoding"] = "gzip"
        self.counters = Counters()
        self.pacer = Pacer()
        self.had_response = False

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        return f"{self.endpoint}/{path.lstrip('/')}"

    # ------------------------------------------------------------------ one page
    def get_page(self, url: str, params=None, on_next=None) -> Response:
        """GET a JSON listing page, retried; raises the crawler's errors when it gives up.

        on_next(next_url), if given, is called as soon as a 200 response's headers name the
        next page, before this page's body is read, so the caller can send that request while
        this body downloads and is checked (it may be called again if this page is retried)."""
        return self._get(url, params, listing=True, on_next=on_next)

    def get_record(self, url: str, params=None) -> Response:
        """GET one model (the single-model endpoint), retried like a page. A model that is
        gone (404) is a Response with body None and records 0, not an error."""
        return self._get(url, params, listing=False)

    def _get(self, url: str, params, listing: bool, on_next=None) -> Response:
        p = self.policy
        state = {"requests": 0, "retries": 0, "rate_limited": 0}
        started = time.perf_counter()

        def attempt():
            state["requests"] += 1
            return self._attempt(url, params, listing, on_next)

        def stop(rs: tenacity.RetryCallState) -> bool:
            exc = rs.outcome.exception()
            if isinstance(exc, _RateLimited):
                state["rate_limited"] += 1
                return state["rate_limited"] > p.rate_limit_waits
            transient = rs.attempt_number - state["rate_limited"]
            if isinstance(exc, _Transient) and exc.connection and not self.had_response:
                return transient >= p.connect_attempts
            return transient >= p.attempts

        backoff = tenacity.wait_exponential_jitter(multiplier=p.backoff_initial, max=p.backoff_max, jitter=p.jitter)

        def wait(rs: tenacity.RetryCallState) -> float:
            exc = rs.outcome.exception()
            if isinstance(exc, _RateLimited):
                return exc.wait
            return backoff(rs)

        def count_retry(rs: tenacity.RetryCallState) -> None:
            state["retries"] += 1
            self.counters.retries += 1

        retrying = tenacity.Retrying(retry=tenacity.retry_if_exception_type((_Transient, _RateLimited)),
                                     stop=stop, wait=wait, before_sleep=count_retry, reraise=True)
        try:
            response = retrying(attempt)
        except _RateLimited:
            raise RetriesExhausted(f"still rate-limited after {p.rate_limit_waits} waits on {self._safe(url)}") from None
        except _Transient as exc:
            if exc.connection and not self.had_response:
                raise HubUnreachable(f"cannot reach {self.endpoint}: {exc}") from None
            raise RetriesExhausted(f"giving up on {self._safe(url)} after {state['requests']} tries: {exc}") from None
        response.requests, response.retries = state["requests"], state["retries"]
        response.seconds = time.perf_counter() - started
        return response

    def _attempt(self, url: str, params, listing: bool = True, on_next=None) -> Response:
        if self.policy.pace:
            self.counters.paced_seconds += self.pacer.wait()
        self.counters.requests += 1
        try:
            r = self.session.get(url, params=params, timeout=self.policy.timeout, stream=on_next is not None)
            # Budget first, then the next request: a prefetched next page must see what this
            # response says is left (it waits in pacer.wait() when nothing is).
            if self.policy.pace:
                self.pacer.learn(r.headers.get("RateLimit"))
            if on_next is not None and r.status_code == 200 and "next" in r.links:
                on_next(r.links["next"]["url"])
            body = r.content
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise _Transient(_one_line(exc), connection=True) from None
        length = r.headers.get("Content-Length", "")
        wire = int(length) if length.isdigit() else len(body)   # compressed size on the wire
        self.counters.bytes += wire
        self.had_response = True
        status = r.status_code
        if status == 429:
            self.counters.rate_limited += 1
            wait = parse_retry_after(r.headers.get("Retry-After"))
            if wait is None:
                budget = parse_ratelimit(r.headers.get("RateLimit"))
                wait = float(budget[1]) if budget else self.policy.backoff_max
            self.pacer.hold(wait)
            raise _RateLimited(wait)
        if status in (401, 403):
            raise AuthRejected(f"{self.endpoint} rejected the credentials (HTTP {status}); "
                               "check HF_TOKEN or `hf auth login`")
        if status >= 500:
            raise _Transient(f"HTTP {status}")
        if status == 404 and not listing:
            return Response(url=r.url, body=None, records=0, last_modified=[], next_url=None,
                            date=parse_date(r.headers.get("Date")), wire_bytes=wire)
        if status >= 400:
            raise HubRequestRejected(f"{self.endpoint} refused {self._safe(url)}: HTTP {status} {_short(body)}")
        if not listing:
            _decode_record(body, self.endpoint)
            return Response(url=r.url, body=body, records=1, last_modified=[], next_url=None,
                            date=parse_date(r.headers.get("Date")), wire_bytes=wire)
        items = _decode_listing(body, self.endpoint)
        modified = [item.lastModified for item in items
                    if isinstance(item, _Record) and isinstance(item.lastModified, str)]
        nxt = r.links.get("next", {}).get("url")
        return Response(url=r.url, body=body, records=len(items), last_modified=modified, next_url=nxt,
                        date=parse_date(r.headers.get("Date")), wire_bytes=wire)

    @staticmethod
    def _safe(url: str) -> str:
        return url if len(url) < 200 else url[:200] + "..."


def _decode_listing(body: bytes, endpoint: str) -> list:
    """The page's items, or _Transient for a cut or broken body (worth another try) and
    HubRequestRejected for well-formed JSON that is not a listing (retrying will not help)."""
    try:
        return _LISTING.decode(body)
    except msgspec.ValidationError:   # well-formed so far, but not an array at the top
        try:
            kind = type(msgspec.json.decode(body)).__name__
        except msgspec.DecodeError:
            raise _Transient(f"invalid or truncated JSON ({len(body)} bytes)") from None
        raise HubRequestRejected(f"{endpoint} answered a listing with a JSON {kind}, not a list") from None
    except msgspec.DecodeError:
        raise _Transient(f"invalid or truncated JSON ({len(body)} bytes)") from None


def _decode_record(body: bytes, endpoint: str) -> None:
    """A single model must be a JSON object: _Transient for a cut or broken body,
    HubRequestRejected for well-formed JSON of another kind."""
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise _Transient(f"invalid or truncated JSON ({len(body)} bytes)") from None
    if not isinstance(value, dict):
        raise HubRequestRejected(f"{endpoint} answered a model with a JSON {type(value).__name__}, not an object")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300]


def _short(body: bytes) -> str:
    return " ".join(body[:200].decode("utf-8", "replace").split())
