"""Reads for the agenda: occurrences in a window, filters, feed selections, participant lists."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from kennisnet.events import recurrence
from kennisnet.events.models import Event, Registration
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
                   organiser=(args.get("organisator", "") or "")[:120],
                   mode=mode if mode in ("online", "ter-plaatse") else "")

    def apply(self, query):
        if self.kind:
            query = query.where(Event.kind == self.kind)
        if self.province:
            query = query.where(Event.province == self.province)
        if self.organiser:
            query = query.where(Event.organisation.has(Organisation.slug == self.organiser))
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


def organisers_with_events() -> list[Organisation]:
    ids = select(Event.organisation_id).distinct()
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))
                                   .order_by(Organisation.name)))


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
