"""The HTTP face of the simulator: a threaded HTTP/1.1 keep-alive server on 127.0.0.1.

Speaks the Hub's /api/models endpoints (hubsim.listing) plus /_sim/ control endpoints.
Rate limiting, faults and the request log live in hubsim.limits.
"""

from __future__ import annotations

import dataclasses
import email.utils
import queue
import socket
import struct
import threading
import time
import zlib
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import orjson

from hubsim import badbytes, clock, repolisting
from hubsim.limits import FaultInjector, RateLimiter, Stats
from hubsim.listing import BadRequest, parse_query, select_page
from hubsim.render import EXPANDABLE, PageRenderer
from hubsim.repolisting import DATASETS, SPACES, RepoQuery, parse_repo_query
from hubsim.universe import Universe

# Request kinds of the request log, by path: list pages and single-repository GETs per type.
LIST_KINDS = {"/api/models": "list", "/api/datasets": "dataset_list", "/api/spaces": "space_list"}
ONE_KINDS = {"/api/models/": "model", "/api/datasets/": "dataset", "/api/spaces/": "space"}
REPO_TYPES = {"dataset_list": DATASETS, "space_list": SPACES, "dataset": DATASETS, "space": SPACES}
NOT_FOUND = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
GZIP_LEVEL = 1                     # fast: the server must never be the benchmark's bottleneck
PAGE_CACHE_BYTES = 1024 * 1024 * 1024   # a 1M-model full=true crawl, gzipped, fits


class PageCache:
    """Bounded LRU of rendered list pages keyed by (encoding, day, query): each entry is
    (body as sent, headers, record count). Only the encoding a client asked for is kept."""

    def __init__(self, max_bytes: int = PAGE_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        cost = len(value[0])
        with self.lock:
            if key in self.items or cost > self.max_bytes:
                return
            self.items[key] = value
            self.size += cost
            while self.size > self.max_bytes:
                _, old = self.items.popitem(last=False)
                self.size -= len(old[0])


class Prefetcher:
    """One background thread rendering the next page of a listing; a request for a page that
    is being prefetched waits for it instead of rendering it twice."""

    def __init__(self) -> None:
        self.jobs: queue.Queue = queue.Queue(maxsize=2)
        self.inflight: dict = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._run, name="hubsim-prefetch", daemon=True).start()

    def schedule(self, key, job) -> None:
        with self.lock:
            if key in self.inflight:
                return
            done = self.inflight[key] = threading.Event()
        try:
            self.jobs.put_nowait((key, job, done))
        except queue.Full:   # busy: the client will render it itself
            with self.lock:
                self.inflight.pop(key, None)
            done.set()

    def wait(self, key) -> None:
        with self.lock:
            done = self.inflight.get(key)
        if done is not None:
            done.wait(timeout=60)

    def close(self) -> None:
        try:
            self.jobs.put(None, timeout=5)
        except queue.Full:
            pass

    def _run(self) -> None:
        while True:
            item = self.jobs.get()
            if item is None:
                return
            key, job, done = item
            try:
                job()
            except Exception:   # a prefetch is only an optimisation; the request will retry
                pass
            finally:
                with self.lock:
                    self.inflight.pop(key, None)
                done.set()


def q_next(q, cursor: str):
    """The query of the next page: the same listing from `cursor`."""
    return dataclasses.replace(q, cursor=cursor)


def join_records(parts: list[bytes]) -> bytes:
    return b"[" + b",".join(parts) + b"]"


def gzip_bytes(data: bytes) -> bytes:
    comp = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return comp.compress(data) + comp.flush()


class SimServer:
    """A running simulator. start() binds (port 0 = a free port) and serves in a thread."""

    def __init__(self, universe: Universe, faults: str | None = None, rate_limit: str | None = None,
                 latency_ms: float = 0, allow_list_lineage: bool = False, host: str = "127.0.0.1",
                 port: int = 0, fault_seed: int | None = None, cache_mb: int | None = None) -> None:
        self.universe = universe
        self.faults = FaultInjector(faults, seed=universe.seed if fault_seed is None else fault_seed)
        self.limiter = RateLimiter.parse(rate_limit) if rate_limit else None
        self.latency = latency_ms / 1000.0
        self.allow_list_lineage = allow_list_lineage
        self.host, self.port = host, port
        self.prefetcher = Prefetcher()
        self.cache = PageCache(cache_mb * 1024 * 1024 if cache_mb is not None else PAGE_CACHE_BYTES)
        self.stats_log = Stats()
        self._httpd = None
        self._thread = None
        self._day_lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "SimServer":
        sim = self

        class Handler(_Handler):
            server_sim = sim

        self._httpd = _Server((self.host, self.port), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="hubsim", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.start()
        self._thread.join()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
            self.prefetcher.close()

    def set_day(self, day: int) -> None:
        """Switch to day `day` of the same universe (the next night, while running)."""
        u = self.universe
        with self._day_lock:
            if day != u.day:
                self.universe = u.at_day(day)

    def list_page(self, u, q, params, packed: bool, host: str, prefetch: bool = True):
        """A list page as (body, headers, records), gzipped when `packed`. Pages come from the
        LRU when asked again. After rendering a page, the next one is rendered in the
        background (a serial crawler decodes page k while hubsim renders page k+1)."""
        key = ("gz" if packed else "raw", u.day, _path_of(q), tuple(params))
        if prefetch:   # False inside the prefetch job itself
            self.prefetcher.wait(key)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        raw = self.cache.get(("raw",) + key[1:]) if packed else None
        if raw is not None:
            body, headers, count = raw
        else:
            parts, headers, _ = self.page_parts(u, q, params, host)
            body, count = join_records(parts), len(parts)
            if prefetch and "Link" in headers:
                kept, nxt = headers["_next"]
                self.prefetcher.schedule(("gz" if packed else "raw", u.day, _path_of(q), tuple(kept)),
                                         lambda: self.list_page(u, q_next(q, nxt), kept, packed, host, False))
            headers = {k: v for k, v in headers.items() if not k.startswith("_")}
        value = (gzip_bytes(body) if packed else body, headers, count)
        self.cache.put(key, value)
        return value

    def page_parts(self, u, q, params, host: str):
        """A list page rendered afresh: (each record's JSON text, headers, slots). The headers
        carry `_next` = (params of the next page, its cursor) for the prefetcher."""
        if isinstance(q, RepoQuery):
            slots, nxt = repolisting.select_page(u, q)
            parts = [orjson.dumps(rec) for rec in q.repo.render(u, slots, q.keys(), q.expand is not None)]
        else:
            slots, nxt = select_page(u, q)
            parts = PageRenderer(u).render_bytes(slots, q.keys(), q.expand is not None)
        headers = {}
        if nxt is not None:
            kept = [(k, v) for k, v in params if k != "cursor"] + [("cursor", nxt)]
            headers["Link"] = f'<http://{host}{_path_of(q)}?{urlencode(kept, quote_via=quote)}>; rel="next"'
            headers["_next"] = (kept, nxt)
        return parts, headers, slots

    def record_dict(self, u, repo, slot: int, keys, expand: bool) -> dict:
        """One record as its listing renders it (for a fault to corrupt): a model's when `repo`
        is None, else a dataset's or a Space's (hubsim.repolisting.DATASETS / SPACES)."""
        if repo is None:
            return PageRenderer(u).render([slot], keys, expand)[0]
        return repo.render(u, [slot], keys, expand)[0]

    def stats(self) -> dict:
        return self.stats_log.snapshot()

    def reset_stats(self) -> None:
        self.stats_log.reset()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _path_of(q) -> str:
    """The list endpoint of a query: /api/models, /api/datasets or /api/spaces."""
    return f"/api/{q.repo.kind}" if isinstance(q, RepoQuery) else "/api/models"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_sim: SimServer = None

    def log_message(self, fmt, *args) -> None:   # quiet: tests and benchmarks read stdout
        pass

    def date_time_string(self, timestamp=None) -> str:
        """The simulator's clock: day D's date with the current UTC time of day."""
        u = self.server_sim.universe
        now = time.time()
        ts = clock.day_start_ts(u.start_date, u.day) + (now % clock.DAY_SECONDS)
        return email.utils.formatdate(ts, usegmt=True)

    def setup(self) -> None:
        super().setup()
        # Small pages (light sweeps) would otherwise wait for Nagle + delayed ACK (~40 ms).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass

    # ------------------------------------------------------------------ routing
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        sim = self.server_sim
        parts = urlsplit(self.path)
        path = parts.path
        params = parse_qsl(parts.query, keep_blank_values=True)
        # --latency-ms is the minimum response time of an /api request: rendering overlaps it,
        # as a real server's processing does with network latency.
        self._deadline = time.perf_counter() + sim.latency if sim.latency and path.startswith("/api/") else None
        if path.startswith("/_sim/"):
            return self._control(method, path, params)
        if method != "GET" or not path.startswith("/api/"):
            return self._send_json(404, {"error": "Not Found"}, None)
        kind = LIST_KINDS.get(path.rstrip("/")) or next((k for prefix, k in ONE_KINDS.items()
                                                         if path.startswith(prefix)), "other")
        is_list = kind in ("list", "dataset_list", "space_list")
        expand = sorted({v for k, v in params if k in ("expand", "expand[]")})
        entry = sim.stats_log.entry(kind, expand)
        entry.count("requests")
        sim.stats_log.record_target(self.path)
        extra = {}
        if sim.limiter is not None:
            client = self._client_key()
            allowed, remaining, reset, early = sim.limiter.hit(client)
            if early:
                entry.count("early_after_429")
            extra["RateLimit"] = f'"api";r={remaining};t={reset}'
            extra["RateLimit-Policy"] = sim.limiter.policy
            if not allowed:
                entry.count("429")
                extra["Retry-After"] = str(max(1, reset))
                return self._send_json(429, {"error": "You have been rate-limited; retry later."},
                                       entry, extra)
        fault, arg = sim.faults.draw()
        cut_query = tuple(params) if kind == "list" else (("path", path.rstrip("/")),) + tuple(params)
        if is_list and sim.faults.always_cut(cut_query):
            fault = "cutalways"   # this page is cut on every request, whatever the draw said
        if fault is not None and fault not in badbytes.RECORD_FAULTS and fault != "html200":
            entry.fault(fault)   # record faults and html200 are counted where they apply, below
        if fault == "reset":
            return self._reset()
        if fault in ("500", "503"):
            msg = "Internal Error" if fault == "500" else "Service Unavailable"
            return self._send_json(int(fault), {"error": msg}, entry, extra)
        if fault == "slow":
            time.sleep(arg)
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        packed = False
        content_type = "application/json; charset=utf-8"
        cut = None
        try:
            if is_list:
                # validation errors before any fault
                q = parse_query(params, sim.allow_list_lineage) if kind == "list" else \
                    parse_repo_query(REPO_TYPES[kind], params, sim.allow_list_lineage)
                if fault in badbytes.RECORD_FAULTS:
                    status, body, headers, records = self._list_corrupted(q, params, fault, entry, kind)
                else:
                    status, body, headers, records, packed = self._list(q, params, gzip_ok,
                                                                        fault in ("truncate", "cutalways"))
                    if fault == "cutalways":
                        cut = sim.faults.fixed_cut_point(cut_query, len(body))
            elif kind == "model":
                status, body, headers, records = self._model(unquote(path[len("/api/models/"):]), params,
                                                             fault if fault in badbytes.RECORD_FAULTS else None, entry)
            elif kind in ("dataset", "space"):
                prefix = "/api/datasets/" if kind == "dataset" else "/api/spaces/"
                status, body, headers, records = self._repo_one(
                    REPO_TYPES[kind], unquote(path[len(prefix):]), params,
                    fault if fault in badbytes.RECORD_FAULTS else None, entry, kind)
            else:
                status, body, headers, records = 404, orjson.dumps({"error": "Not Found"}), {}, 0
        except BadRequest as exc:
            return self._send_json(400, {"error": str(exc)}, entry, extra)
        if fault == "html200" and status == 200:
            # a proxy's error page with status 200: no JSON, no Link
            entry.fault(fault)
            body, headers, records, packed = badbytes.HTML_PAGE, {}, 0, False
            content_type = "text/html; charset=utf-8"
        headers.update(extra)
        if status == 200 and is_list and fault != "html200":
            entry.count("pages")
            entry.count("records", records)
        if cut is not None:
            body = body[:cut]
        self._send(status, body, entry, headers, truncate=(fault == "truncate"), packed=packed,
                   content_type=content_type)

    def _client_key(self) -> str:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return "token:" + auth[7:]
        return "ip:" + self.client_address[0]

    # ------------------------------------------------------------------ endpoints
    def _list(self, q, params, gzip_ok: bool, raw_body: bool):
        """(status, body, headers, records, body_is_gzipped). raw_body: a fault cuts the raw
        body, so it is not gzipped here."""
        sim = self.server_sim
        u = sim.universe
        packed = gzip_ok and not raw_body
        body, headers, count = sim.list_page(u, q, params, packed, self._host())
        return 200, body, dict(headers), count, packed

    def _host(self) -> str:
        sim = self.server_sim
        return self.headers.get("Host") or f"{sim.host}:{sim.port}"

    def _list_corrupted(self, q, params, fault: str, entry, kind: str = "list"):
        """A list page with one record corrupted by `fault` (rendered afresh, never cached)."""
        sim = self.server_sim
        u = sim.universe
        parts, headers, slots = sim.page_parts(u, q, params, self._host())
        headers = {k: v for k, v in headers.items() if not k.startswith("_")}
        if parts:
            i = sim.faults.pick(len(parts))
            repo = q.repo if isinstance(q, RepoQuery) else None
            self._corrupt(parts, i, slots[i], q.keys(), q.expand is not None, fault, entry, kind, repo)
        return 200, join_records(parts), headers, len(parts)

    def _corrupt(self, parts, i: int, slot: int, keys, expand: bool, fault: str, entry, request: str,
                 repo=None) -> None:
        """Corrupt record i of `parts` (a model's, or a dataset's / Space's when `repo` is given).
        The log names the repository's id under `model_id` (`request` says its type)."""
        u = self.server_sim.universe
        rec = self.server_sim.record_dict(u, repo, slot, keys, expand)
        bad = badbytes.corrupt(fault, rec, number=self.server_sim.faults.coin())
        if bad is not None:
            parts[i] = bad
            entry.fault(fault)
            repo_id = repo.table(u).repo_id(slot) if repo is not None else u.model_id(slot)
            self.server_sim.stats_log.record_fault(fault, repo_id, request)

    def _model(self, model_id: str, params, fault: str | None = None, entry=None):
        u = self.server_sim.universe
        model_id = model_id.split("/revision/", 1)[0]   # every revision serves the current record
        expand = []
        legacy = False
        for k, v in params:
            if k in ("expand", "expand[]"):
                if v not in EXPANDABLE:
                    raise BadRequest(f'"expand" must be one of {sorted(EXPANDABLE)}')
                expand.append(v)
            elif k in ("full", "cardData", "config"):
                legacy = True
        if expand and legacy:
            raise BadRequest("Cannot use expand together with full, cardData or config")
        slot = u.slot_of(model_id)
        if slot is None:
            return 404, orjson.dumps({"error": "Repository not found"}), dict(NOT_FOUND), 0
        keys = sorted(set(expand)) if expand else None
        parts = PageRenderer(u).render_bytes([slot], keys, bool(expand))
        if fault is not None:
            self._corrupt(parts, 0, slot, keys, bool(expand), fault, entry, "model")
        return 200, parts[0], {}, 1

    def _repo_one(self, repo, repo_id: str, params, fault: str | None, entry, kind: str):
        """GET /api/datasets/{id} or /api/spaces/{id}: the record (every key of `one_keys`, or
        `_id`, `id` + the expand keys, single-repository keys like `usedStorage` included)."""
        u = self.server_sim.universe
        repo_id = repo_id.split("/revision/", 1)[0]   # every revision serves the current record
        expand = []
        for k, v in params:
            if k in ("expand", "expand[]"):
                if v not in repo.expandable:
                    raise BadRequest(f'"expand" must be one of {sorted(repo.expandable)}')
                expand.append(v)
            elif k == "full" and v in ("true", "True", "1") and expand:
                raise BadRequest("Cannot use expand together with full")
        slot = repo.table(u).slot_of(repo_id)
        if slot is None:
            return 404, orjson.dumps({"error": "Repository not found"}), dict(NOT_FOUND), 0
        keys = sorted(set(expand)) if expand else list(repo.one_keys)
        parts = [orjson.dumps(repo.render(u, [slot], keys, bool(expand))[0])]
        if fault is not None:
            self._corrupt(parts, 0, slot, keys, bool(expand), fault, entry, kind, repo)
        return 200, parts[0], {}, 1

    def _control(self, method: str, path: str, params) -> None:
        sim = self.server_sim
        if method == "GET" and path == "/_sim/stats":
            return self._send_json(200, sim.stats(), None)
        if method == "GET" and path == "/_sim/requests":   # every /api/ target since the last reset
            return self._send_json(200, sim.stats_log.requested(), None)
        if method == "POST" and path == "/_sim/stats/reset":
            sim.reset_stats()
            return self._send_json(200, {"ok": True}, None)
        if method == "POST" and path == "/_sim/day":
            try:
                day = int(dict(params)["d"])
            except (KeyError, ValueError):
                return self._send_json(400, {"error": "d must be an integer"}, None)
            sim.set_day(day)
            return self._send_json(200, {"day": day, "date": sim.universe.snapshot_date.isoformat()}, None)
        return self._send_json(404, {"error": "Not Found"}, None)

    # ------------------------------------------------------------------ responses
    def _send_json(self, status: int, obj, entry, extra=None) -> None:
        self._send(status, orjson.dumps(obj), entry, dict(extra or {}))

    def _send(self, status: int, body: bytes, entry, headers: dict, truncate: bool = False,
              packed: bool = False, content_type: str = "application/json; charset=utf-8") -> None:
        """packed: body is already gzipped (from the page cache)."""
        self._wait_latency()
        if truncate and len(body) > 2:
            body = body[: self.server_sim.faults.cut_point(len(body))]
        gz = packed or "gzip" in self.headers.get("Accept-Encoding", "")
        if gz and not packed:
            body = gzip_bytes(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if gz:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if entry is not None:   # before the write: a client that has the body sees it counted
            entry.count("bytes", len(body))
        try:
            self._headers_buffer.append(b"\r\n" + body)   # headers and body in one write
            self.flush_headers()
        except OSError:
            self.close_connection = True

    def _wait_latency(self) -> None:
        deadline, self._deadline = getattr(self, "_deadline", None), None
        if deadline is not None:
            remaining = deadline - time.perf_counter()
            if remaining > 0:
                time.sleep(remaining)

    def _reset(self) -> None:
        """Drop the connection without a response (RST, like a proxy reset)."""
        self._wait_latency()
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
