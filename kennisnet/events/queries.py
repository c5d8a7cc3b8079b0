"""Reads for the agenda: occurrences in a window, filters, feed selections, participant lists."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from kennisnet.events import recurrence
from kennisnet.events.models import Event, EventException, Registration
from kennisnet.extensions import db
from kennisnet.initiatives.models import Organisation
from kennisnet.vocab import EVENT_KINDS, PROVINCES


@dataclass
class AgendaFilter:
    kind: str = ""
    province: str = ""
    organiser: str = ""
    mode: str = ""  # "online", "ter-plaatse" or ""

    @classmethod
    def from_args(cls, args) -> "AgendaFilter":
        """Unknown values are ignored rather than refused, so old links keep working."""
        kind = args.get("soort", "")
        province = args.get("provincie", "")
        mode = args.get("vorm", "")
        return cls(kind=kind if kind in EVENT_KINDS else "",
                   province=province if province in PROVINCES else "",
                   organiser=" ".join((args.get("organisator", "") or "").split())[:120],
                   mode=mode if mode in ("online", "ter-plaatse") else "")

    def apply(self, query):
        if self.kind:
            query = query.where(Event.kind == self.kind)
        if self.province:
            query = query.where(Event.province == self.province)
        if self.organiser:
            query = query.where(Event.organisation.has(organiser_clause(self.organiser)))
        if self.mode:
            query = query.where(Event.is_online.is_(self.mode == "online"))
        return query

    def args(self) -> dict:
        """The filter as query arguments, for links that keep it."""
        values = {"soort": self.kind, "provincie": self.province,
                  "organisator": self.organiser, "vorm": self.mode}
        return {key: value for key, value in values.items() if value}

    def cache_key(self) -> str:
        return f"{self.kind}|{self.province}|{self.organiser}|{self.mode}"


def organiser_clause(text: str):
    """An organiser's slug (links from event pages, feeds) or words of its name (the filter's
    text field). A slug that exists wins, so its link never shows other organisers."""
    words = [Organisation.name.ilike(f"%{_escape_like(word)}%", escape="\\")
             for word in text.split()[:8]]
    slug_exists = select(Organisation.id).where(Organisation.slug == text).exists()
    return or_(Organisation.slug == text, and_(~slug_exists, *words))


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def organiser_name(text: str) -> str:
    """The name to show in the filter field: the organiser's, when `text` is its slug."""
    if not text:
        return ""
    name = db.session.scalar(select(Organisation.name).where(Organisation.slug == text))
    return name or text


def events_overlapping(start: datetime | None, end: datetime | None,
                       agenda_filter: AgendaFilter | None = None) -> list[Event]:
    """Events (series included) that may have an occurrence between start and end."""
    query = select(Event).options(selectinload(Event.exceptions))
    if start is not None:
        query = query.where(or_(Event.last_ends_at.is_(None), Event.last_ends_at > start))
    if end is not None:
        query = query.where(Event.starts_at <= end)
    if agenda_filter is not None:
        query = agenda_filter.apply(query)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def occurrences_between(start: datetime, end: datetime, agenda_filter: AgendaFilter | None = None,
                        include_cancelled: bool = True) -> list[recurrence.Occurrence]:
    found = []
    for event in events_overlapping(start, end, agenda_filter):
        found.extend(recurrence.occurrences(event, start, end, include_cancelled))
    found.sort(key=lambda o: (o.starts_at, o.event.id))
    return found


@dataclass(frozen=True)
class Cursor:
    """Where a page of the agenda starts: the first occurrence not yet shown, by start and
    event id (the agenda's order). Written in links as `20270105T183000Z.42`."""

    starts_at: datetime
    event_id: int

    @classmethod
    def parse(cls, value: str | None) -> "Cursor | None":
        key, _, event_id = (value or "").partition(".")
        start = recurrence.parse_key(key)
        if start is None or not event_id.isdigit() or len(event_id) > 12:
            return None
        return cls(start, int(event_id))

    @classmethod
    def of(cls, occurrence) -> "Cursor":
        return cls(occurrence.starts_at, occurrence.event.id)

    def __str__(self) -> str:
        return f"{recurrence.occurrence_key(self.starts_at)}.{self.event_id}"

    def admits(self, occurrence) -> bool:
        return (occurrence.starts_at, occurrence.event.id) >= (self.starts_at, self.event_id)


def agenda_page(start: datetime, agenda_filter: AgendaFilter, size: int,
                cursor: Cursor | None = None) -> tuple[list, Cursor | None]:
    """The first `size` occurrences that end after `start` (and come at or after `cursor`),
    in agenda order, and the cursor of the page after it (None at the end).

    Single events are fetched with a LIMIT; the start of the first single that does not fit
    bounds how far the series are expanded, so a page costs about `size` occurrences however
    full the agenda is."""
    if cursor is not None:
        start = max(start, cursor.starts_at)
    singles = _upcoming_singles(start, agenda_filter, size + 1, cursor)
    horizon = singles[-1].starts_at if len(singles) > size else start + timedelta(days=366)
    found = [o for o in singles if o.starts_at <= horizon]
    for event in _series_overlapping(start, horizon, agenda_filter):
        found.extend(o for o in recurrence.occurrences(event, start, horizon)
                     if cursor is None or cursor.admits(o))
    found.sort(key=lambda o: (o.starts_at, o.event.id))
    following = Cursor.of(found[size]) if len(found) > size else None
    return found[:size], following


# What an agenda list shows and what series expansion reads. Loaded as plain rows: building
# ORM objects (with their organisation) was most of the page's CPU.
LISTED_COLUMNS = (Event.id, Event.title, Event.kind, Event.starts_at, Event.ends_at,
                  Event.is_all_day, Event.recurrence, Event.is_by_weekday, Event.repeat_until,
                  Event.repeat_count, Event.is_online, Event.place, Event.province,
                  Event.is_cancelled, Organisation.name.label("organisation_name"),
                  Organisation.slug.label("organisation_slug"))


@dataclass
class ListedEvent:
    """The part of an Event an agenda list needs; recurrence.occurrences() accepts it."""

    id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    is_all_day: bool
    recurrence: str | None
    is_by_weekday: bool
    repeat_until: datetime | None
    repeat_count: int | None
    is_online: bool
    place: str
    province: str | None
    is_cancelled: bool
    organisation: object
    exceptions: list

    kind_label = Event.kind_label
    province_label = Event.province_label


def _listed(query) -> list[ListedEvent]:
    rows = db.session.execute(query.join(Event.organisation)).all()
    return [ListedEvent(*row[:-2], organisation=_Organiser(row[-2], row[-1]), exceptions=[])
            for row in rows]


@dataclass
class _Organiser:
    name: str
    slug: str


def _upcoming_singles(start: datetime, agenda_filter: AgendaFilter, limit: int,
                      cursor: Cursor | None) -> list:
    query = select(*LISTED_COLUMNS).where(Event.recurrence.is_(None), Event.last_ends_at > start)
    if cursor is not None:
        query = query.where(or_(Event.starts_at > cursor.starts_at,
                                and_(Event.starts_at == cursor.starts_at,
                                     Event.id >= cursor.event_id)))
    query = agenda_filter.apply(query).order_by(Event.starts_at, Event.id).limit(limit)
    return [recurrence.find_occurrence(event, "") for event in _listed(query)]


def _series_overlapping(start: datetime, end: datetime, agenda_filter: AgendaFilter) -> list:
    query = (select(*LISTED_COLUMNS)
             # IN, not IS NOT NULL: lets SQLite and PostgreSQL use ix_event_agenda.
             .where(Event.recurrence.in_(tuple(recurrence.FREQUENCIES)), Event.starts_at <= end,
                    or_(Event.last_ends_at.is_(None), Event.last_ends_at > start)))
    series = _listed(agenda_filter.apply(query))
    if series:
        by_id = {event.id: event for event in series}
        changes = db.session.execute(
            select(EventException.event_id, EventException.original_start_at,
                   EventException.starts_at, EventException.ends_at,
                   EventException.is_cancelled, EventException.note)
            .where(EventException.event_id.in_(by_id))
            .order_by(EventException.original_start_at))
        for change in changes:
            by_id[change.event_id].exceptions.append(change)
    return series


def by_month(occurrences) -> list[tuple[date, list]]:
    """[(first day of month, occurrences)] in order."""
    return [(date(year, month, 1), list(items))
            for (year, month), items in groupby(occurrences, key=lambda o: o.month)]


def past_occurrences(now: datetime, days: int = 365,
                     agenda_filter: AgendaFilter | None = None) -> list:
    found = occurrences_between(now - timedelta(days=days), now, agenda_filter)
    return [o for o in reversed(found) if o.ends_at <= now]


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return recurrence.to_utc(first, None), recurrence.to_utc(following, None)


def feed_events(now: datetime, agenda_filter: AgendaFilter, keep_days: int = 90) -> list[Event]:
    """What a subscribed calendar gets: everything not ended more than `keep_days` ago."""
    return events_overlapping(now - timedelta(days=keep_days), None, agenda_filter)


def feed_texts(now: datetime, agenda_filter: AgendaFilter, keep_days: int = 90) -> list[str]:
    """The stored VEVENT text of every event in a feed; events without one are built now."""
    query = select(Event.id, Event.ics_fragment).where(
        or_(Event.last_ends_at.is_(None), Event.last_ends_at > now - timedelta(days=keep_days)))
    rows = db.session.execute(agenda_filter.apply(query).order_by(Event.starts_at, Event.id)).all()
    missing = {row.id for row in rows if not row.ics_fragment}
    built = {}
    if missing:
        from kennisnet.events import ical
        from kennisnet.events.feeds import base_url

        events = db.session.scalars(select(Event).options(selectinload(Event.exceptions))
                                    .where(Event.id.in_(missing)))
        built = {event.id: ical.fragment(event, base_url()) for event in events}
    return [row.ics_fragment or built[row.id] for row in rows]


def feed_stamp(agenda_filter: AgendaFilter) -> tuple[int, datetime | None]:
    """(count, latest change) of the events a filtered feed covers, for ETag/Last-Modified."""
    query = agenda_filter.apply(select(func.count(Event.id), func.max(Event.updated_at)))
    count, latest = db.session.execute(query).one()
    return count, latest


def registrations_for(event: Event, occurrence: str, statuses=("confirmed", "waiting")) -> list:
    return list(db.session.scalars(
        select(Registration).options(selectinload(Registration.user))
        .where(Registration.event_id == event.id, Registration.occurrence == occurrence,
               Registration.status.in_(statuses))
        .order_by(Registration.created_at, Registration.id)))


def user_registrations(user, statuses=("confirmed", "waiting")) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration)
        .options(selectinload(Registration.event).selectinload(Event.exceptions))
        .where(Registration.user_id == user.id, Registration.status.in_(statuses))
        .order_by(Registration.created_at)))


def editable_organisations(user) -> list[Organisation]:
    """Organisations this user may publish events for (all of them for moderators)."""
    from kennisnet.initiatives.models import Membership
    from kennisnet.permissions import is_moderator

    query = select(Organisation).order_by(Organisation.name)
    if not is_moderator(user):
        query = query.join(Membership).where(Membership.user_id == user.id,
                                             Membership.role.in_(("redacteur", "beheerder")))
    return list(db.session.scalars(query))


def upcoming_for_organisation(organisation, now: datetime, limit: int = 5) -> list:
    """The next occurrences of one organiser, for its profile page."""
    agenda_filter = AgendaFilter(organiser=organisation.slug)
    found = occurrences_between(now, now + timedelta(days=366), agenda_filter,
                                include_cancelled=False)
    return found[:limit]


def waiting_position(registration: Registration) -> int:
    """1 for the first on the waiting list."""
    ahead = db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == registration.event_id,
        Registration.occurrence == registration.occurrence, Registration.status == "waiting",
        or_(Registration.created_at < registration.created_at,
            (Registration.created_at == registration.created_at)
            & (Registration.id < registration.id))))
    return (ahead or 0) + 1
