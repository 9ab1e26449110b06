"""One GET against the Hub: keep-alive session, auth headers, retries, rate-limit pacing, and
the body turned into a page's records on disk (crawler.records).

- Endpoint, token and user agent come from huggingface_hub (HF_ENDPOINT, the token the `hf`
  CLI would use, its header builder). The token only ever lives in the session's headers; no
  message names a URL with its user:password part.
- tenacity retries 5xx, connection errors/resets and bodies that arrive unreadable (cut before
  the list closes, not JSON, not a list) with exponential backoff and jitter; a 429 waits what
  Retry-After (else RateLimit t=) says. A body that stays unreadable through every retry is
  not an error: the Response says why (`unreadable`) and keeps the records that arrived whole,
  so the caller can record the lost page and go on from its Link header.
- The body streams to a ResponseBody (memory up to 8 MB, then a temporary file), is split into
  records there (msgspec, in C; DuckDB parses the records later) and its storable records are
  written as NDJSON files: a page of any size costs one record's copy in memory beyond its body.
  One bad record is rejected alone (crawler.records); it never makes the page "unreadable".
- Pacing: the Hub's `RateLimit: "api";r=R;t=T` header says R requests are left in a window
  that resets in T seconds. The client spends the budget and, when R reaches 0, waits T
  before the next request, so a long crawl runs at the budget's rate without a single 429.
  (Spreading R evenly over T would also avoid 429s but wastes up to one window at the end;
  for a fixed window, "use it, then wait for the reset" is the fastest schedule that obeys it.)
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import mmap
import platform
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import huggingface_hub
import requests
import tenacity
from huggingface_hub import constants as hf_constants

from crawler.errors import AuthRejected, HubRequestRejected, HubUnreachable, RetriesExhausted
from crawler.hubtime import parse_http_date
from crawler.records import PageFiles, Rejection, SplitResult, split_listing, split_record

_RATELIMIT = re.compile(r"\br=(\d+)\b.*?\bt=(\d+)\b|\bt=(\d+)\b.*?\br=(\d+)\b")
DOWNLOAD_CHUNK = 1024 * 1024
# A body stays in memory up to this size and goes to a temporary file beyond, so pages fetched
# ahead cost disk, not memory, however large they are.
IN_MEMORY_BYTES = 8 * 1024 * 1024
CAUSE_CHARS = 300


@dataclass
class RetryPolicy:
    attempts: int = 8                 # tries per page for 5xx / resets / unreadable bodies
    connect_attempts: int = 3         # tries before the first successful response (bad endpoint: fail fast)
    backoff_initial: float = 1.0      # seconds, doubled per attempt, plus jitter
    backoff_max: float = 60.0
    jitter: float = 1.0
    rate_limit_waits: int = 100       # 429s obeyed per page before giving up
    timeout: tuple = (10.0, 120.0)    # connect, read seconds
    pace: bool = True                 # proactive pacing from RateLimit headers


class _Transient(Exception):
    """Worth another try: 5xx, a reset connection."""

    def __init__(self, message: str, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection


class _Unreadable(_Transient):
    """A 200 whose body cannot be read whole (cut, not JSON, not a list): worth another try;
    after the last one, the records that did arrive whole are kept (files, split)."""

    def __init__(self, problem: str, files: PageFiles, split: SplitResult, next_url: str | None,
                 server_time: dt.datetime | None) -> None:
        super().__init__(problem)
        self.problem, self.files, self.split = problem, files, split
        self.next_url, self.server_time = next_url, server_time


class _RateLimited(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__(f"429, retry after {wait:g}s")
        self.wait = wait


@dataclass
class Response:
    """One page (or one repository) as the client got it."""
    url: str
    files: list[Path]                 # NDJSON files of its storable records (fsynced)
    records: int                      # storable records in files
    largest_record: int               # bytes of the largest of them
    rejected: list[Rejection]         # whole records that cannot be stored
    elements: int                     # elements listed (records + rejected)
    last_modified: list               # the stored records' raw lastModified values (if asked for)
    next_url: str | None
    server_time: dt.datetime | None   # the response's Date header (UTC)
    wire_bytes: int = 0               # bytes received for it, all attempts (compressed size)
    requests: int = 0                 # requests made for it (incl. retries)
    retries: int = 0
    seconds: float = 0.0
    answer_seconds: float = 0.0       # from the request to the server's headers, last attempt
    unreadable: str | None = None     # the body never arrived readable: why (records that did are kept)
    gone: bool = False                # a single repository that is not there (404)


class ResponseBody:
    """A body being downloaded: write(chunk)... then view() (a buffer) and close(). In memory up to
    IN_MEMORY_BYTES, then in a temporary file, mapped read-only for splitting."""

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


class AttemptCounters:
    """What one GET has cost so far, across its attempts (a failed GET's cost is reported too)."""

    def __init__(self) -> None:
        self.requests = self.retries = self.rate_limited = self.bytes = 0


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


def public_url(url: str, mask: bool = True) -> str:
    """A URL fit for a message: any password replaced by *** (mask=False drops the whole
    user:password part, for what is stored), shortened."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if mask and parts.username:
        host = f"{parts.username}{':***' if parts.password is not None else ''}@{host}"
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
    return clean if len(clean) < 200 else clean[:200] + "..."


def connection_cause(error: BaseException) -> str:
    """The root cause of a connection failure, on one line: requests wraps urllib3's
    MaxRetryError around the reason (name resolution, refused, timeout) after a long URL."""
    reason = error
    for _ in range(4):
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if inner is None or inner is reason:
            break
        reason = inner
    text = " ".join(str(reason).split())
    # urllib3 prefixes the pool and the connection object: the sentence after them says it.
    text = re.sub(r"^<[^>]*>:\s*", "", text)
    text = re.sub(r"^HTTPS?ConnectionPool\([^)]*\):\s*", "", text)
    return f"{type(reason).__name__}: {text}"[:CAUSE_CHARS]


def user_agent(library_version: str) -> str:
    """Who is asking: hubcensus, and the huggingface_hub and Python it runs with. (Not
    huggingface_hub's build_hf_headers: since 2.x it fetches an agent registry from huggingface.co
    to build its user agent, a request to a third party on every crawl, whatever the endpoint.)"""
    return (f"hubcensus/{library_version}; huggingface_hub/{huggingface_hub.__version__}; "
            f"python/{platform.python_version()}")


class HubClient:
    def __init__(self, endpoint: str | None = None, token: str | None = None,
                 policy: RetryPolicy | None = None, library_version: str = "0.1.0") -> None:
        # huggingface_hub resolves the endpoint (HF_ENDPOINT) and finds the token as the `hf` CLI
        # does (HF_TOKEN, the stored login), locally. The token lives only in the session's headers.
        self.endpoint = (endpoint or hf_constants.ENDPOINT).rstrip("/")
        self.public_endpoint = public_url(self.endpoint)            # for messages: user:***@host
        self.stored_endpoint = public_url(self.endpoint, mask=False)  # for the database: no user part
        self.policy = policy or RetryPolicy()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent(library_version)
        token = token or huggingface_hub.get_token()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept-Encoding"] = "gzip"
        self.pacer = Pacer()
        self.had_response = False

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "HubClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, path: str) -> str:
        return f"{self.endpoint}/{path.lstrip('/')}"

    # ------------------------------------------------------------------ one page
    def get_page(self, url: str, spool: Path, want_modified: bool = False, on_next=None) -> Response:
        """GET a listing page into NDJSON files under `spool`, retried; raises the crawler's
        errors when the Hub cannot be reached or keeps failing, and returns a Response with
        `unreadable` set when the body stayed unreadable through every retry.

        on_next(next_url), if given, is called as soon as a 200 response's headers name the
        next page, before this page's body is read, so the caller can send that request while
        this body downloads (it may be called again if this page is retried)."""
        return self._get(url, spool, listing=True, want_modified=want_modified, on_next=on_next)

    def get_record(self, url: str, spool: Path) -> Response:
        """GET one repository (the single-repository endpoint), retried like a page. One that
        is gone (404) is a Response with gone=True, not an error."""
        return self._get(url, spool, listing=False)

    def _get(self, url: str, spool: Path, listing: bool, want_modified: bool = False, on_next=None) -> Response:
        p = self.policy
        cost = AttemptCounters()
        started = time.perf_counter()
        pending: list[_Unreadable] = []     # the last unreadable attempt's files, until replaced

        def attempt() -> Response:
            cost.requests += 1
            for old in pending:             # a new try replaces the last one's partial records
                old.files.discard()
            pending.clear()
            try:
                return self._attempt(url, spool, listing, want_modified, on_next, cost)
            except _Unreadable as exc:
                pending.append(exc)
                raise

        def stop(rs: tenacity.RetryCallState) -> bool:
            exc = rs.outcome.exception()
            if isinstance(exc, _RateLimited):
                cost.rate_limited += 1
                return cost.rate_limited > p.rate_limit_waits
            transient = rs.attempt_number - cost.rate_limited
            if isinstance(exc, _Transient) and exc.connection and not self.had_response:
                return transient >= p.connect_attempts
            return transient >= p.attempts

        backoff = tenacity.wait_exponential_jitter(multiplier=p.backoff_initial, max=p.backoff_max, jitter=p.jitter)

        def wait(rs: tenacity.RetryCallState) -> float:
            exc = rs.outcome.exception()
            return exc.wait if isinstance(exc, _RateLimited) else backoff(rs)

        def count_retry(rs: tenacity.RetryCallState) -> None:
            cost.retries += 1

        retrying = tenacity.Retrying(retry=tenacity.retry_if_exception_type((_Transient, _RateLimited)),
                                     stop=stop, wait=wait, before_sleep=count_retry, reraise=True)
        try:
            response = retrying(attempt)
        except _RateLimited:
            raise RetriesExhausted(f"still rate-limited after {p.rate_limit_waits} waits on {public_url(url)}",
                                   cost.requests, cost.retries, cost.bytes) from None
        except _Unreadable as exc:
            # Every try came back unreadable: not worth stopping the night for. What arrived whole
            # is kept; the caller records the lost page and goes on from its Link, if any.
            pending.clear()
            files = exc.files.finish()
            response = Response(url=public_url(url), files=files, records=exc.files.records,
                                largest_record=exc.files.largest, rejected=exc.split.rejected,
                                elements=exc.split.elements, last_modified=exc.split.last_modified,
                                next_url=exc.next_url, server_time=exc.server_time,
                                unreadable=f"{exc.problem} (after {cost.requests} tries)")
        except _Transient as exc:
            if exc.connection and not self.had_response:
                raise HubUnreachable(f"cannot reach {self.public_endpoint}: {exc}") from None
            raise RetriesExhausted(f"giving up on {public_url(url)} after {cost.requests} tries: {exc}",
                                   cost.requests, cost.retries, cost.bytes) from None
        response.requests, response.retries, response.wire_bytes = cost.requests, cost.retries, cost.bytes
        response.seconds = time.perf_counter() - started
        return response

    def _attempt(self, url: str, spool: Path, listing: bool, want_modified: bool, on_next,
                 cost: AttemptCounters) -> Response:
        if self.policy.pace:
            self.pacer.wait()
        body = ResponseBody(spool)
        try:
            try:
                r = self.session.get(url, timeout=self.policy.timeout, stream=True)
                # Budget first, then the next request: a prefetched next page must see what this
                # response says is left (it waits in pacer.wait() when nothing is).
                if self.policy.pace:
                    self.pacer.learn(r.headers.get("RateLimit"))
                if on_next is not None and r.status_code == 200 and "next" in r.links:
                    on_next(r.links["next"]["url"])
                for chunk in r.iter_content(DOWNLOAD_CHUNK):
                    body.write(chunk)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                cost.bytes += body.size
                raise _Transient(connection_cause(exc), connection=True) from None
            length = r.headers.get("Content-Length", "")
            cost.bytes += int(length) if length.isdigit() else body.size   # compressed size on the wire
            self.had_response = True
            response = self._answer(r, body, url, spool, listing, want_modified)
            response.answer_seconds = r.elapsed.total_seconds()
            return response
        finally:
            body.close()

    def _refusal(self, r: requests.Response, body: ResponseBody, url: str) -> str:
        """One line for a 4xx: the path asked for (no query), the status and content type, and the
        Hub's own error message when the body is its JSON; never the body of an HTML page."""
        kind = r.headers.get("Content-Type", "").split(";")[0].strip() or "no content type"
        said = _json_error(body.head(4096)) if "json" in kind else None
        what = f": {said}" if said else (", not the Hub's JSON API: check --endpoint / HF_ENDPOINT"
                                         if "json" not in kind else "")
        return f"{self.public_endpoint} refused {urlsplit(url).path}: HTTP {r.status_code} ({kind}){what}"

    def _answer(self, r: requests.Response, body: ResponseBody, url: str, spool: Path, listing: bool,
                want_modified: bool) -> Response:
        status = r.status_code
        server_time = parse_http_date(r.headers.get("Date"))
        if status == 429:
            wait = parse_retry_after(r.headers.get("Retry-After"))
            if wait is None:
                budget = parse_ratelimit(r.headers.get("RateLimit"))
                wait = float(budget[1]) if budget else self.policy.backoff_max
            self.pacer.hold(wait)
            raise _RateLimited(wait)
        if status in (401, 403):
            raise AuthRejected(f"{self.public_endpoint} rejected the credentials (HTTP {status}); "
                               "check HF_TOKEN or `hf auth login`")
        if status >= 500:
            raise _Transient(f"HTTP {status}")
        if status == 404 and not listing:
            return Response(url=public_url(url), files=[], records=0, largest_record=0, rejected=[], elements=0,
                            last_modified=[], next_url=None, server_time=server_time, gone=True)
        if status >= 400:
            raise HubRequestRejected(self._refusal(r, body, url))
        next_url = r.links.get("next", {}).get("url") if listing else None
        files = PageFiles(spool)
        try:
            view = body.view()
            split = (split_listing if listing else split_record)(view, files, want_modified)
            del view
        except BaseException:
            files.discard()
            raise
        if not split.complete or not split.listing:
            kind = r.headers.get("Content-Type", "").split(";")[0] or "no content type"
            raise _Unreadable(f"{split.problem} [{kind}]", files, split, next_url, server_time)
        return Response(url=public_url(url), files=files.finish(), records=files.records,
                        largest_record=files.largest, rejected=split.rejected, elements=split.elements,
                        last_modified=split.last_modified, next_url=next_url, server_time=server_time)


def _json_error(head: bytes) -> str | None:
    """The Hub's {"error": "..."} message, when the head of a body is one."""
    try:
        value = json.loads(head.decode("utf-8", "replace"))
    except ValueError:
        return None
    error = value.get("error") if isinstance(value, dict) else None
    return " ".join(str(error).split())[:200] if error else None
