"""Agenda: events of an initiative or network, changed occurrences, registrations, mail queue."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db
from kennisnet.markdown import plain_text
from kennisnet.search import Searchable, SearchDocument
from kennisnet.vocab import EVENT_KINDS, EVENT_RECURRENCES, PROVINCES

UID_DOMAIN = "agenda.kennisnet"


class Event(Searchable, db.Model):
    """One event, or the first occurrence of a series described by `recurrence`."""

    __tablename__ = "event"
    # The agenda pages singles and series apart, in start order, and tests the end without
    # reading table rows (their long description and feed text make each row read costly).
    __table_args__ = (Index("ix_event_agenda", "recurrence", "starts_at", "last_ends_at"),)
    search_kind = "event"
    search_label = _l("Bijeenkomst")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_all_day: Mapped[bool] = mapped_column(default=False)
    # Series: weekly/monthly/quarterly/yearly; by weekday means "on the first Tuesday".
    recurrence: Mapped[str | None] = mapped_column(String(16))
    is_by_weekday: Mapped[bool] = mapped_column(default=False)
    repeat_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    repeat_count: Mapped[int | None]
    # End of the last occurrence (None: a series without end); keeps "upcoming" one indexed query.
    last_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    is_online: Mapped[bool] = mapped_column(default=False)
    online_url: Mapped[str] = mapped_column(String(500), default="")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    province: Mapped[str | None] = mapped_column(String(32), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int | None]
    is_registration_required: Mapped[bool] = mapped_column(default=True)
    contact: Mapped[str] = mapped_column(String(300), default="")
    practical_info: Mapped[str] = mapped_column(Text, default="")
    is_wheelchair_accessible: Mapped[bool] = mapped_column(default=False)
    has_hearing_loop: Mapped[bool] = mapped_column(default=False)
    parking: Mapped[str] = mapped_column(String(300), default="")
    public_transport: Mapped[str] = mapped_column(String(300), default="")
    offers_transport: Mapped[bool] = mapped_column(default=False)
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    # RFC 5545 SEQUENCE: raised on every change so calendar clients replace their copy.
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The public VEVENT(s) of this event, rebuilt by every service that changes it, so a feed of
    # a thousand events is a join of stored text instead of a thousand icalendar builds.
    ics_fragment: Mapped[str] = mapped_column(Text, default="")

    organisation = relationship("Organisation", lazy="joined")
    exceptions: Mapped[list["EventException"]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="EventException.original_start_at")

    @property
    def uid(self) -> str:
        return f"event-{self.id}@{UID_DOMAIN}"

    @property
    def kind_label(self) -> str:
        return str(EVENT_KINDS.get(self.kind, self.kind))

    @property
    def province_label(self) -> str:
        return PROVINCES.get(self.province or "", "")

    @property
    def recurrence_label(self) -> str:
        return str(EVENT_RECURRENCES.get(self.recurrence or "", ""))

    @property
    def is_series(self) -> bool:
        return bool(self.recurrence)

    @property
    def public_location(self) -> str:
        """Venue and address as one line; empty for online events."""
        parts = [self.venue_name, self.address, self.place]
        return ", ".join(part for part in parts if part)

    def search_document(self) -> SearchDocument | None:
        if self.is_cancelled:
            return None
        description = plain_text(self.description)
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.title,
            body="\n".join([description, self.kind_label, self.venue_name,
                            self.organisation.name if self.organisation else ""]),
            summary=description[:300],
            url=f"/agenda/{self.id}",
            place=self.place or ("online" if self.is_online else ""),
            province=self.province or "", tags=[self.kind], date=self.starts_at,
        )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class EventException(db.Model):
    """One occurrence of a series that moved or was cancelled (RECURRENCE-ID / EXDATE)."""

    __tablename__ = "event_exception"
    __table_args__ = (UniqueConstraint("event_id", "original_start_at",
                                       name="uq_event_exception_occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    original_start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(300), default="")

    event: Mapped[Event] = relationship(back_populates="exceptions")


REGISTRATION_STATUSES = ("confirmed", "waiting", "cancelled")


class Registration(db.Model):
    """A place (or a place on the waiting list) for one occurrence; `occurrence` is '' for
    a single event and the original UTC start (20260115T183000Z) inside a series."""

    __tablename__ = "event_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "occurrence", "user_id", name="uq_event_registration_user"),
        Index("ix_event_registration_slot", "event_id", "occurrence", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    occurrence: Mapped[str] = mapped_column(String(20), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                                index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    needs_transport: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="confirmed")
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    user = relationship("User", foreign_keys=[user_id])

    @property
    def display_name(self) -> str:
        return self.user.display_name if self.user is not None else self.name

    @property
    def address(self) -> str:
        return self.user.email if self.user is not None else self.email


class CalendarToken(db.Model):
    """The secret in a user's personal feed URL; renewing it replaces the row's token."""

    __tablename__ = "event_calendar_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QueuedMail(db.Model):
    """Mail written in the request's transaction and sent later, so SMTP never slows a page."""

    __tablename__ = "event_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
