"""Initiatives and networks share one table: documents, events and questions belong to either."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db
from kennisnet.search import Searchable, SearchDocument, search_url
from kennisnet.vocab import (
    INITIATIVE_KINDS,
    INITIATIVE_STATUSES,
    LEGAL_FORMS,
    NETWORK_LEVELS,
    PROVINCES,
    SERVICES,
)

# Profiles not confirmed for this long are shown as possibly outdated (about 18 months).
OUTDATED_AFTER = timedelta(days=548)
# Administrators are asked "Klopt dit nog?" once a year.
ASK_CONFIRMATION_AFTER = timedelta(days=365)


class Organisation(db.Model):
    __tablename__ = "organisation"
    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "organisation"}

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    province: Mapped[str | None] = mapped_column(String(32))
    is_approved: Mapped[bool] = mapped_column(default=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmation_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    seed_hash: Mapped[str | None] = mapped_column(String(64))

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def province_label(self) -> str:
        return PROVINCES.get(self.province or "", "")

    @property
    def last_confirmed_at(self) -> datetime:
        """When someone last said the profile is right; creation counts as the first time."""
        return self.confirmed_at or self.created_at or utcnow()

    def is_outdated(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) - self.last_confirmed_at > OUTDATED_AFTER

    @property
    def administrators(self) -> list:
        return [m.user for m in self.memberships if m.role == "beheerder"]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug}>"


class Initiative(Searchable, Organisation):
    __mapper_args__ = {"polymorphic_identity": "initiative"}
    search_kind = "initiatief"
    search_label = _l("Initiatief")

    kind: Mapped[str | None] = mapped_column(String(32))
    legal_form: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(16))
    place: Mapped[str | None] = mapped_column(String(120))
    municipality: Mapped[str | None] = mapped_column(String(120))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    founded_year: Mapped[int | None]
    services: Mapped[list["InitiativeService"]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeService.service"
    )

    @property
    def kind_label(self) -> str:
        return str(INITIATIVE_KINDS.get(self.kind or "", ""))

    @property
    def legal_form_label(self) -> str:
        return str(LEGAL_FORMS.get(self.legal_form or "", ""))

    @property
    def status_label(self) -> str:
        return str(INITIATIVE_STATUSES.get(self.status or "", ""))

    @property
    def service_keys(self) -> list[str]:
        return [s.service for s in self.services]

    @property
    def service_labels(self) -> list[str]:
        return [str(SERVICES.get(s.service, s.service)) for s in self.services]

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def set_services(self, keys) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key in SERVICES]
        self.services = [InitiativeService(service=key) for key in wanted]

    def search_document(self) -> SearchDocument | None:
        if not self.is_approved:
            return None  # unapproved organisations must not be found
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.name,
            body="\n".join([self.description, self.kind_label, self.legal_form_label,
                            self.municipality or ""]),
            summary=self.description,
            url=search_url("initiatives.detail", f"/initiatieven/{self.slug}", slug=self.slug),
            place=self.place or "", province=self.province or "", tags=self.service_labels,
            phase=self.status or "", date=self.created_at,
        )


class Network(Searchable, Organisation):
    __mapper_args__ = {"polymorphic_identity": "network"}
    search_kind = "netwerk"
    search_label = _l("Netwerk")

    level: Mapped[str | None] = mapped_column(String(16))
    covered_provinces: Mapped[list["NetworkProvince"]] = relationship(
        cascade="all, delete-orphan", order_by="NetworkProvince.province"
    )
    member_links: Mapped[list["NetworkMember"]] = relationship(
        cascade="all, delete-orphan", foreign_keys="NetworkMember.network_id"
    )

    @property
    def level_label(self) -> str:
        return str(NETWORK_LEVELS.get(self.level or "", ""))

    @property
    def province_keys(self) -> list[str]:
        return [p.province for p in self.covered_provinces]

    @property
    def province_labels(self) -> list[str]:
        return [PROVINCES.get(key, key) for key in self.province_keys]

    def set_provinces(self, keys) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key in PROVINCES]
        self.covered_provinces = [NetworkProvince(province=key) for key in wanted]

    def search_document(self) -> SearchDocument | None:
        if not self.is_approved:
            return None  # unapproved organisations must not be found
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.name,
            body="\n".join([self.description, self.level_label]), summary=self.description,
            url=search_url("initiatives.network", f"/netwerken/{self.slug}", slug=self.slug),
            province=self.province or "", tags=[self.level_label], date=self.created_at,
        )


class InitiativeService(db.Model):
    __tablename__ = "initiative_service"

    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class NetworkProvince(db.Model):
    __tablename__ = "network_province"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    province: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class NetworkMember(db.Model):
    """An initiative that takes part in a network."""

    __tablename__ = "network_member"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    initiative: Mapped[Initiative] = relationship(foreign_keys=[initiative_id])


class Membership(db.Model):
    """A user's place in an organisation: lid, redacteur or beheerder."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id"),
        CheckConstraint("role IN ('lid', 'redacteur', 'beheerder')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="lid")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class JoinRequest(db.Model):
    """A member asks to join an organisation; its administrators accept or refuse."""

    __tablename__ = "join_request"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")
    organisation: Mapped[Organisation] = relationship()


class Invitation(db.Model):
    """An e-mailed invitation to join; only a hash of the secret link is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
