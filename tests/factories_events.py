"""Factories for agenda tests: events, editors and registrations straight into the database."""

from datetime import UTC, datetime, timedelta

from kennisnet.events import recurrence
from kennisnet.events.models import Event
from kennisnet.extensions import db
from kennisnet.initiatives.models import Membership


def make_editor(make_user, organisation, role="redacteur", **values):
    user = make_user(**values)
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=role))
    db.session.commit()
    return user


def make_event(organisation, starts_at=None, hours=2, **values) -> Event:
    starts_at = starts_at or datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    defaults = dict(title="Spreekuur voor starters", kind="spreekuur",
                    description="Kom langs met je **vragen**.", starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=hours), place="Austerlitz",
                    venue_name="Dorpshuis", address="Dorpsstraat 1", province="utrecht",
                    is_registration_required=True)
    event = Event(organisation=organisation, **{**defaults, **values})
    event.last_ends_at = recurrence.last_end(event)
    db.session.add(event)
    db.session.commit()
    return event


def local(year, month, day, hour=0, minute=0) -> datetime:
    """An Amsterdam wall-clock time as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=recurrence.AMSTERDAM).astimezone(UTC)
