"""Changes to events and registrations. Services flush, never commit; the view commits once."""

import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context
from flask_babel import gettext
from sqlalchemy import func, select

from kennisnet.database import utcnow
from kennisnet.events import ical, recurrence
from kennisnet.events.mailqueue import queue_mail
from kennisnet.events.models import CalendarToken, Event, EventException, Registration
from kennisnet.extensions import db

# Fields whose change matters to someone who signed up: they get a mail about it.
NOTIFY_FIELDS = ("starts_at", "ends_at", "is_all_day", "is_online", "online_url", "venue_name",
                 "address", "place", "recurrence", "repeat_until", "repeat_count")


def _(text: str, **values) -> str:
    """gettext in a request; the Dutch msgid itself in commands (no locale outside requests)."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


class EventFull(Exception):
    """Raised when an organiser registers someone for an occurrence that has no place."""


def touch(event: Event) -> None:
    """Every change raises SEQUENCE and the feed's Last-Modified."""
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()


def store_feed_text(event: Event) -> None:
    """Rebuild the stored public VEVENT text; every service that changes an event calls this."""
    db.session.flush()  # a new event needs its id for its UID
    event.ics_fragment = ical.fragment(event, current_app.config["BASE_URL"].rstrip("/"))
    db.session.flush()


def create_event(organisation, user, values: dict) -> Event:
    event = Event(organisation=organisation, created_by_id=user.id, **values)
    event.last_ends_at = recurrence.last_end(event)
    db.session.add(event)
    store_feed_text(event)
    return event


def update_event(event: Event, values: dict) -> bool:
    """Apply the form's values; returns True (and mails participants) when time or place moved."""
    before = {name: getattr(event, name) for name in NOTIFY_FIELDS}
    old_starts = recurrence.series_starts(event) if event.recurrence else []
    for name, value in values.items():
        setattr(event, name, value)
    event.last_ends_at = recurrence.last_end(event)
    if old_starts and event.recurrence:
        _follow_series(event, old_starts, recurrence.series_starts(event))
    touch(event)
    store_feed_text(event)
    promote_all(event)
    moved = any(getattr(event, name) != value for name, value in before.items())
    if moved:
        notify_participants(event, None, _("Gewijzigd: %(title)s", title=event.title),
                            _("De tijd of plaats van deze bijeenkomst is veranderd."))
    return moved


def _follow_series(event: Event, old_starts: list, new_starts: list) -> None:
    """When a series moves (19:30 becomes 20:00), the n-th occurrence keeps its sign-ups and
    its changes: registrations and exceptions are re-keyed to the new n-th start."""
    moved = {old: new for old, new in zip(old_starts, new_starts, strict=False) if old != new}
    if not moved:
        return
    keys = {recurrence.occurrence_key(old): recurrence.occurrence_key(new)
            for old, new in moved.items()}
    registrations = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.occurrence.in_(list(keys))))
    for registration in registrations:
        registration.occurrence = keys[registration.occurrence]
    for change in event.exceptions:
        if change.original_start_at in moved:
            change.original_start_at = moved[change.original_start_at]
    db.session.flush()


def cancel_event(event: Event) -> None:
    event.is_cancelled = True
    touch(event)
    notify_participants(event, None, _("Afgelast: %(title)s", title=event.title),
                        _("Deze bijeenkomst gaat niet door."))
    store_feed_text(event)


def change_occurrence(event: Event, occurrence, starts_at: datetime, ends_at: datetime,
                      note: str) -> EventException:
    """Move one occurrence of a series (RECURRENCE-ID in feeds)."""
    change = _exception_for(event, occurrence.original_start)
    change.starts_at, change.ends_at, change.note = starts_at, ends_at, note
    touch(event)
    notify_participants(event, occurrence.key, _("Gewijzigd: %(title)s", title=event.title),
                        _("De tijd van deze bijeenkomst is veranderd."))
    store_feed_text(event)
    return change


def cancel_occurrence(event: Event, occurrence, note: str = "") -> EventException:
    """Cancel one occurrence of a series (EXDATE in feeds)."""
    change = _exception_for(event, occurrence.original_start)
    change.is_cancelled = True
    change.note = note or change.note
    touch(event)
    notify_participants(event, occurrence.key, _("Afgelast: %(title)s", title=event.title),
                        _("Deze keer gaat de bijeenkomst niet door."))
    store_feed_text(event)
    return change


def _exception_for(event: Event, original_start: datetime) -> EventException:
    for change in event.exceptions:
        if change.original_start_at == original_start:
            return change
    change = EventException(original_start_at=original_start)
    event.exceptions.append(change)
    return change


# --- Registrations -----------------------------------------------------------------------

def lock_event(event_id: int) -> Event:
    """Take the event's row lock (PostgreSQL); SQLite already began this write IMMEDIATE."""
    return db.session.execute(
        select(Event).where(Event.id == event_id).with_for_update(of=Event)
        .execution_options(populate_existing=True)
    ).scalar_one()


def confirmed_count(event_id: int, occurrence: str) -> int:
    return db.session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.occurrence == occurrence,
        Registration.status == "confirmed")) or 0


def registration_of(event_id: int, occurrence: str, user) -> Registration | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.occurrence == occurrence,
        Registration.user_id == user.id))


def _has_place(event: Event, occurrence: str) -> bool:
    return event.capacity is None or confirmed_count(event.id, occurrence) < event.capacity


def register(event: Event, occurrence: str, user, needs: str = "",
             needs_transport: bool = False) -> Registration:
    """Sign a user up, or put them on the waiting list when the occurrence is full.

    Locks the event first, so two people taking the last place cannot both get it."""
    event = lock_event(event.id)
    registration = registration_of(event.id, occurrence, user)
    if registration is not None and registration.status != "cancelled":
        return registration
    # Count before adding the row: an autoflush would otherwise count this person too.
    status = "confirmed" if _has_place(event, occurrence) else "waiting"
    if registration is None:
        registration = Registration(event_id=event.id, occurrence=occurrence, user_id=user.id)
        db.session.add(registration)
    registration.needs, registration.needs_transport = needs, needs_transport
    registration.status = status
    registration.created_at = registration.updated_at = utcnow()
    db.session.flush()
    return registration


def register_by_name(event: Event, occurrence: str, organiser, values: dict,
                     allow_waiting: bool = True) -> Registration:
    """An organiser signs up someone without an account (who phoned in)."""
    event = lock_event(event.id)
    has_place = _has_place(event, occurrence)
    if not has_place and not allow_waiting:
        raise EventFull
    registration = Registration(event_id=event.id, occurrence=occurrence,
                                registered_by_id=organiser.id,
                                status="confirmed" if has_place else "waiting", **values)
    db.session.add(registration)
    db.session.flush()
    return registration


def cancel_registration(registration: Registration) -> None:
    """Give up a place; the first on the waiting list gets it and a mail."""
    event = lock_event(registration.event_id)
    registration.status = "cancelled"
    registration.updated_at = utcnow()
    db.session.flush()
    promote(event, registration.occurrence)


def promote(event: Event, occurrence: str) -> list[Registration]:
    """Move people from the waiting list while there is room; call with the event locked."""
    promoted = []
    while _has_place(event, occurrence):
        first = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.occurrence == occurrence,
            Registration.status == "waiting").order_by(Registration.created_at,
                                                        Registration.id).limit(1))
        if first is None:
            break
        first.status = "confirmed"
        first.updated_at = utcnow()
        db.session.flush()
        _mail_promotion(event, first)
        promoted.append(first)
    return promoted


def promote_all(event: Event) -> None:
    """After the capacity grew: fill places in every occurrence that has a waiting list."""
    occurrences = db.session.scalars(select(Registration.occurrence).where(
        Registration.event_id == event.id, Registration.status == "waiting").distinct())
    for occurrence in list(occurrences):
        promote(event, occurrence)


# --- Mail --------------------------------------------------------------------------------

def event_link(event: Event, occurrence: str = "") -> str:
    # Built by hand: commands (reminders) have no request to build URLs from.
    path = f"/agenda/{event.id}" + (f"?keer={occurrence}" if occurrence else "")
    return current_app.config["BASE_URL"].rstrip("/") + path


def _when(event: Event, occurrence: str) -> str:
    found = recurrence.find_occurrence(event, occurrence)
    start = (found.starts_at if found else event.starts_at).astimezone(recurrence.AMSTERDAM)
    if event.is_all_day:
        return start.strftime("%d-%m-%Y")
    return start.strftime("%d-%m-%Y %H:%M")


def _mail_promotion(event: Event, registration: Registration) -> None:
    queue_mail(registration.address, _("Er is een plek voor je: %(title)s", title=event.title),
               _("Goed nieuws! Er kwam een plek vrij bij %(title)s op %(when)s. "
                 "Je staat nu op de deelnemerslijst.\n\n%(link)s",
                 title=event.title, when=_when(event, registration.occurrence),
                 link=event_link(event, registration.occurrence)))


def notify_participants(event: Event, occurrence: str | None, subject: str, text: str) -> int:
    """Mail everyone signed up (or waiting) for one occurrence, or for all when None."""
    query = select(Registration).where(Registration.event_id == event.id,
                                       Registration.status.in_(("confirmed", "waiting")))
    if occurrence is not None:
        query = query.where(Registration.occurrence == occurrence)
    count = 0
    for registration in db.session.scalars(query):
        body = f"{text}\n\n{event.title} — {_when(event, registration.occurrence)}\n" \
               f"{event_link(event, registration.occurrence)}"
        count += queue_mail(registration.address, subject, body) is not None
    return count


def send_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for every confirmed place whose occurrence starts before the end of
    tomorrow (Amsterdam time). `reminded_at` makes a second run send nothing twice."""
    now = now or utcnow()
    tomorrow = now.astimezone(recurrence.AMSTERDAM).date() + timedelta(days=1)
    horizon = recurrence.to_utc(tomorrow + timedelta(days=1), None)
    rows = db.session.scalars(select(Registration).join(Event).where(
        Registration.status == "confirmed", Registration.reminded_at.is_(None),
        Event.is_cancelled.is_(False), Event.starts_at < horizon,
        (Event.last_ends_at.is_(None)) | (Event.last_ends_at > now)))
    sent = 0
    for registration in list(rows):
        found = recurrence.find_occurrence(registration.event, registration.occurrence)
        if found is None or found.is_cancelled or not now < found.starts_at < horizon:
            continue
        queue_mail(registration.address, _("Morgen: %(title)s", title=registration.event.title),
                   _("Een herinnering: je bent aangemeld voor %(title)s op %(when)s.\n\n%(link)s",
                     title=registration.event.title,
                     when=_when(registration.event, registration.occurrence),
                     link=event_link(registration.event, registration.occurrence)))
        registration.reminded_at = now
        sent += 1
    db.session.flush()
    return sent


# --- Personal feed token -----------------------------------------------------------------

def calendar_token(user, renew: bool = False) -> CalendarToken:
    """The user's feed token, made on first use; `renew` replaces it (old URLs stop working)."""
    token = db.session.get(CalendarToken, user.id)
    if token is None:
        token = CalendarToken(user_id=user.id, token=secrets.token_urlsafe(32))
        db.session.add(token)
    elif renew:
        token.token = secrets.token_urlsafe(32)
        token.created_at = utcnow()
    db.session.flush()
    return token
