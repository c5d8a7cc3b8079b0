"""Agenda feed benchmark: 1,000 upcoming events (100 of them series) as one iCalendar feed.

    .venv/bin/python bench/events.py            # SQLite in a temporary folder
    KENNISNET_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/events.py

Prints the median and worst of several runs for: building the feed (query + icalendar), the full
GET /agenda.ics through Flask, and a conditional GET answered with 304.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import icalendar  # noqa: E402
from sqlalchemy import select  # noqa: E402

from kennisnet import create_app  # noqa: E402
from kennisnet.database import utcnow  # noqa: E402
from kennisnet.events import ical, queries, recurrence  # noqa: E402
from kennisnet.events.models import Event, EventException  # noqa: E402
from kennisnet.extensions import db  # noqa: E402
from kennisnet.initiatives.models import Initiative  # noqa: E402
from kennisnet.vocab import EVENT_KINDS, PROVINCES  # noqa: E402

EVENTS, SERIES, RUNS = 1000, 100, 15
SERIES_KINDS = ("weekly", "monthly", "quarterly", "yearly")


def fill() -> None:
    organisations = [Initiative(slug=f"bench-{n}", name=f"Initiatief {n}",
                                province=list(PROVINCES)[n % 12]) for n in range(20)]
    db.session.add_all(organisations)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    kinds, provinces = list(EVENT_KINDS), list(PROVINCES)
    for n in range(EVENTS):
        begins = start + timedelta(hours=7 * n)
        event = Event(organisation=organisations[n % 20], title=f"Bijeenkomst {n}",
                      kind=kinds[n % len(kinds)], description=f"Over **onderwerp** {n}.",
                      starts_at=begins, ends_at=begins + timedelta(hours=2),
                      place="Hoogeloon", venue_name="Dorpshuis", address="Dorpsstraat 1",
                      province=provinces[n % 12], capacity=30)
        if n < SERIES:
            event.recurrence = SERIES_KINDS[n % 4]
            event.repeat_count = 12
            event.is_by_weekday = n % 2 == 0
            second = recurrence.series_starts(event)[1]
            event.exceptions = [EventException(original_start_at=second, is_cancelled=True)]
        event.last_ends_at = recurrence.last_end(event)
        db.session.add(event)
    db.session.flush()
    # What services.store_feed_text does on every change.
    for event in db.session.scalars(select(Event)):
        event.ics_fragment = ical.fragment(event, "http://localhost")
    db.session.commit()


def timed(action, runs: int = RUNS) -> list[float]:
    timings = []
    for _ in range(runs):
        begin = time.perf_counter()
        action()
        timings.append((time.perf_counter() - begin) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    print(f"{label:<42} median {statistics.median(timings):7.1f} ms   "
          f"worst {max(timings):7.1f} ms")


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-events-")
    url = os.environ.get("KENNISNET_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        fill()
        everything = queries.AgendaFilter()

        def build():
            db.session.expire_all()
            texts = queries.feed_texts(utcnow(), everything)
            assert len(texts) == EVENTS
            ical.from_fragments(texts, "Kennisnet agenda")

        def rebuild():
            db.session.expire_all()
            events = queries.feed_events(utcnow(), everything)
            assert len(events) == EVENTS
            ical.calendar(events, "http://localhost", "Kennisnet agenda")

        client = app.test_client()
        body = client.get("/agenda.ics")
        assert body.status_code == 200
        etag = body.headers["ETag"]
        vevents = icalendar.Calendar.from_ical(body.data).walk("VEVENT")
        print(f"feed: {len(body.data) / 1024:.0f} KB, {len(vevents)} VEVENTs, "
              f"{sum('RRULE' in vevent for vevent in vevents)} series")
        report("build feed from stored VEVENTs", timed(build))
        report("rebuild every VEVENT with icalendar", timed(rebuild, 3))
        report("GET /agenda.ics", timed(lambda: client.get("/agenda.ics")))
        report("GET /agenda.ics?provincie=utrecht",
               timed(lambda: client.get("/agenda.ics?provincie=utrecht")))
        conditional = timed(lambda: client.get("/agenda.ics", headers={"If-None-Match": etag}))
        assert client.get("/agenda.ics", headers={"If-None-Match": etag}).status_code == 304
        report("GET /agenda.ics with If-None-Match (304)", conditional)
        db.drop_all()


if __name__ == "__main__":
    main()
