"""HTTP side of the iCalendar feeds: conditional responses so polling clients cost little."""

import hashlib
from datetime import datetime

from flask import Response, current_app, request

from kennisnet.database import utcnow
from kennisnet.events import ical, queries

ICS_TYPE = "text/calendar; charset=utf-8"


def feed_etag(*parts) -> str:
    # The day is part of the tag because the feed's window moves with it.
    raw = "|".join(str(part) for part in (*parts, utcnow().date().isoformat()))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def not_modified(etag: str, last_modified: datetime | None) -> Response | None:
    """A 304 when the client's copy is current, checked before any calendar is built."""
    if etag in request.if_none_match:
        return _conditional(Response(status=304), etag, last_modified)
    since = request.if_modified_since
    if not request.if_none_match and since and last_modified and \
            last_modified.replace(microsecond=0) <= since:
        return _conditional(Response(status=304), etag, last_modified)
    return None


def _conditional(response: Response, etag: str, last_modified: datetime | None) -> Response:
    response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


def ics_response(body: bytes, filename: str, etag: str | None = None,
                 last_modified: datetime | None = None, private: bool = False) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if etag:
        _conditional(response, etag, last_modified)
    if private:
        response.cache_control.public = False
        response.cache_control.private = True
    return response


def public_feed(agenda_filter: queries.AgendaFilter) -> Response:
    count, latest = queries.feed_stamp(agenda_filter)
    etag = feed_etag("public", agenda_filter.cache_key(), count, latest)
    early = not_modified(etag, latest)
    if early is not None:
        return early
    texts = queries.feed_texts(utcnow(), agenda_filter)
    body = ical.from_fragments(texts, "Kennisnet agenda")
    return ics_response(body, "agenda.ics", etag, latest)


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")
