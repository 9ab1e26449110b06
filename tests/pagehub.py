"""A Hub that serves exactly the bytes a test gives it: listing pages with the Hub's cursor
pagination (Link header), a Date header, and whatever is wrong with a body. For tests of what
the crawl does with responses hubsim would never produce by itself.

    hub = PageHub([page1_bytes, page2_bytes]).start()   # GET /api/models -> page 1, Link -> page 2
    hub.pages[1] = fixed_bytes                          # the Hub fixes a page for the next night
    hub.responses[1] = (200, b"<html>", "text/html", False)  # status, body, content type, keep the Link
    hub.listings["datasets"] = [page(...)]              # GET /api/datasets (and spaces) likewise
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson


def page(*records) -> bytes:
    """A listing body of records (dicts are JSON-encoded, bytes are used as they are)."""
    return b"[" + b",".join(r if isinstance(r, bytes) else orjson.dumps(r) for r in records) + b"]"


class PageHub:
    def __init__(self, pages: list[bytes], date: dt.datetime = dt.datetime(2026, 11, 1, 12, 0),
                 listings: dict[str, list[bytes]] | None = None) -> None:
        self.pages = list(pages)
        self.listings = {"datasets": [page()], "spaces": [page()], **(listings or {})}   # other repository types
        self.responses: dict[int, tuple[int, bytes, str, bool]] = {}   # page index -> override
        self.date = date
        self.requests: list[str] = []
        self._server = None

    def start(self) -> "PageHub":
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                hub.requests.append(self.path)
                parts = urlsplit(self.path)
                params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "cursor"]
                index = int(dict(parse_qsl(parts.query)).get("cursor", 0))
                repo_type = parts.path.removeprefix("/api/")
                pages = hub.pages if repo_type == "models" else hub.listings.get(repo_type)
                if pages is None or index >= len(pages):
                    return self._send(404, b'{"error":"Not Found"}', "application/json", None)
                status, body, kind, keep_link = (hub.responses.get(index, (200, pages[index], "application/json", True))
                                                 if repo_type == "models" else (200, pages[index], "application/json", True))
                link = None
                if keep_link and index + 1 < len(pages):
                    query = urlencode(params + [("cursor", str(index + 1))])
                    link = f'<http://{self.headers["Host"]}{parts.path}?{query}>; rel="next"'
                self._send(status, body, kind, link)

            def _send(self, status, body, kind, link) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if link:
                    self.send_header("Link", link)
                self.end_headers()
                self.wfile.write(body)

            def date_time_string(self, timestamp=None) -> str:
                return email.utils.format_datetime(hub.date.replace(tzinfo=dt.timezone.utc), usegmt=True)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
