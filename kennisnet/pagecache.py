"""Finished pages for anonymous visitors, kept per process until the content changes.

Most visitors read without logging in, and for them a page is the same for everybody. Each
process keeps such pages (up to PAGE_CACHE_MB) and serves them again until either any database
commit that changed something bumps the content version, or PAGE_CACHE_SECONDS pass (for what
changes with the clock alone, such as "upcoming" events).

The content version is a small file in the instance folder, replaced atomically after every
commit that changed something, by whichever process committed; every request reads it first,
before any database read, so a page is never kept under a version older than its data.

A response is kept only when it is the same for every anonymous visitor: a GET without cookies,
status 200, no cookie set and the session untouched (a form's CSRF token lives in the session,
so pages with forms are never kept), and not marked private, no-store or no-cache. Search is
not kept: its queries rarely repeat.

A kept text page is also kept gzip-compressed, once, for the clients that accept it (every
browser and calendar app): the agenda feed shrinks from 2.7 MB to a tenth, which matters on a
village's mobile connection. A kept page answers If-None-Match and If-Modified-Since itself.
"""

import gzip
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

NOT_KEPT_BLUEPRINTS = frozenset({"search", "static"})
CHANGED = "kennisnet.content_changed"


COMPRESSIBLE = ("text/", "application/json", "application/geo+json", "application/xml",
                "image/svg+xml")
MIN_COMPRESSED_SIZE = 1024


@dataclass
class KeptPage:
    version: str
    kept_at: float
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    gzipped: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class PageStore:
    """Least recently used pages of one process, bounded by their total size."""

    def __init__(self, max_bytes: int, max_seconds: float):
        self.max_bytes, self.max_seconds = max_bytes, max_seconds
        self.pages: OrderedDict[str, KeptPage] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str, version: str) -> KeptPage | None:
        with self.lock:
            page = self.pages.get(key)
            if page is None:
                return None
            if page.version != version or time.monotonic() - page.kept_at > self.max_seconds:
                self._drop(key)
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: KeptPage) -> None:
        if page.size > self.max_bytes // 2:
            return  # one huge page must not push out all others (the agenda feed: 2.7 MB)
        with self.lock:
            if key in self.pages:
                self._drop(key)
            self.pages[key] = page
            self.size += page.size
            while self.size > self.max_bytes:
                self._drop(next(iter(self.pages)))

    def _drop(self, key: str) -> None:
        self.size -= self.pages.pop(key).size


def version_file(app: Flask) -> Path:
    return Path(app.config["PAGE_CACHE_VERSION_FILE"])


def content_version(app: Flask) -> str:
    try:
        return version_file(app).read_text(encoding="ascii")
    except FileNotFoundError:
        return ""


def bump_content_version(app: Flask) -> None:
    """Give the content a new version, visible to every process of this instance at once."""
    path = version_file(app)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_text(f"{time.time_ns()}-{os.getpid()}-{os.urandom(4).hex()}",
                             encoding="ascii")
        os.replace(temporary, path)
    except FileNotFoundError:
        pass  # the instance folder is gone (a test that ended); nothing is left to serve
    except OSError:
        # Runs after a commit: failing the request now would report a saved change as lost.
        # Kept pages then age out within PAGE_CACHE_SECONDS.
        log.exception("could not replace %s; kept pages may be stale for a while", path)


def serve_kept_page():
    store = current_app.extensions.get("kennisnet.pages")
    if store is None or not _anonymous_and_plain():
        return None
    version = g.page_version = content_version(current_app)
    page = store.get(request.full_path, version)
    if page is None:
        g.page_key = request.full_path
        return None
    response = Response(page.body, status=page.status, headers=page.headers)
    _send_compressed_if_accepted(response, page.gzipped)
    return response.make_conditional(request)


def keep_page(response):
    key = g.pop("page_key", None)
    if key is None or not _same_for_every_visitor(response):
        return response
    response.vary.add("Cookie")
    body = response.get_data()
    gzipped = _compressed(response, body)
    if gzipped is not None:
        response.vary.add("Accept-Encoding")  # a shared cache must keep the two apart
    current_app.extensions["kennisnet.pages"].put(key, KeptPage(
        version=g.page_version, kept_at=time.monotonic(), status=response.status_code,
        headers=[(name, value) for name, value in response.headers
                 if name.lower() not in ("content-length", "date")],
        body=body, gzipped=gzipped))
    _send_compressed_if_accepted(response, gzipped)
    return response


def _send_compressed_if_accepted(response, gzipped: bytes | None) -> None:
    if gzipped is not None and request.accept_encodings["gzip"]:
        response.set_data(gzipped)
        response.headers["Content-Encoding"] = "gzip"
        _weaken_etag(response)


def _compressed(response, body: bytes) -> bytes | None:
    if len(body) < MIN_COMPRESSED_SIZE or "Content-Encoding" in response.headers or \
            not (response.mimetype or "").startswith(COMPRESSIBLE):
        return None
    gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    return gzipped if len(gzipped) < len(body) * 0.9 else None


def _weaken_etag(response) -> None:
    # The tag names the uncompressed bytes; for another encoding of them it may only be weak
    # (RFC 9110 8.8.3, as nginx does). If-None-Match compares weakly, so it still matches.
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)


def _anonymous_and_plain() -> bool:
    if request.method != "GET" or request.cookies:
        return False
    endpoint = request.endpoint
    return endpoint is not None and endpoint.partition(".")[0] not in NOT_KEPT_BLUEPRINTS \
        and endpoint != "static"


def _same_for_every_visitor(response) -> bool:
    policy = response.cache_control
    return (response.status_code == 200 and not response.direct_passthrough
            and not response.is_streamed and "Set-Cookie" not in response.headers
            and not (policy.private or policy.no_store or policy.no_cache)
            and not session.modified)


def _mark_changed_by_flush(session_, _flush_context) -> None:
    session_.info[CHANGED] = True


def _mark_changed_by_statement(state) -> None:
    if not state.is_select:
        state.session.info[CHANGED] = True


def _announce_commit(session_) -> None:
    # SQLAlchemy sends after_commit for a released savepoint too; the outer transaction may
    # still roll back, and until it commits nobody else sees the change.
    if session_.in_nested_transaction():
        return
    if session_.info.pop(CHANGED, False) and has_app_context() and \
            "kennisnet.pages" in current_app.extensions:
        bump_content_version(current_app)


def _listen_once() -> None:
    if event.contains(Session, "after_commit", _announce_commit):
        return
    event.listen(Session, "after_flush", _mark_changed_by_flush)
    event.listen(Session, "do_orm_execute", _mark_changed_by_statement)
    # A rollback leaves the mark: after a savepoint's rollback the outer transaction may still
    # commit earlier changes, and one needless new version costs only one page per address.
    event.listen(Session, "after_commit", _announce_commit)


def register_page_cache(app: Flask) -> None:
    """Register before the other hooks: the page is then looked up first and kept last, with
    every header the other hooks add."""
    if app.config["PAGE_CACHE_SECONDS"] <= 0:
        return
    app.extensions["kennisnet.pages"] = PageStore(
        app.config["PAGE_CACHE_MB"] * 1024 * 1024, app.config["PAGE_CACHE_SECONDS"])
    _listen_once()
    app.before_request(serve_kept_page)
    app.after_request(keep_page)
