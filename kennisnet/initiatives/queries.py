"""Reads for the directory, the map, the profiles, the API and the figures page."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from kennisnet.database import LIKE_ESCAPE, contains_pattern
from kennisnet.extensions import db
from kennisnet.initiatives.models import (
    OUTDATED_AFTER,
    Initiative,
    InitiativeService,
    Invitation,
    JoinRequest,
    Membership,
    Network,
    NetworkMember,
    Organisation,
)

EARTH_RADIUS_KM = 6371.0088
# The European Netherlands with a little margin; coordinates outside are refused.
NL_BOUNDS = {"min_lat": 50.70, "max_lat": 53.60, "min_lon": 3.30, "max_lon": 7.25}
MAX_QUERY_WORDS = 8


@dataclass(frozen=True)
class DirectoryFilter:
    """The filters shared by the page, the GeoJSON and the API (all already validated)."""

    province: str = ""
    kind: str = ""
    legal_form: str = ""
    status: str = ""
    services: tuple[str, ...] = field(default_factory=tuple)
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.province or self.kind or self.legal_form or self.status
                    or self.services or self.text)


def in_netherlands(latitude: float, longitude: float) -> bool:
    return (NL_BOUNDS["min_lat"] <= latitude <= NL_BOUNDS["max_lat"]
            and NL_BOUNDS["min_lon"] <= longitude <= NL_BOUNDS["max_lon"])


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))



def _apply_filter(query: Select, filters: DirectoryFilter) -> Select:
    if filters.province:
        query = query.where(Initiative.province == filters.province)
    if filters.kind:
        query = query.where(Initiative.kind == filters.kind)
    if filters.legal_form:
        query = query.where(Initiative.legal_form == filters.legal_form)
    if filters.status:
        query = query.where(Initiative.status == filters.status)
    for service in filters.services:
        offers = select(InitiativeService.initiative_id).where(
            InitiativeService.service == service)
        query = query.where(Initiative.id.in_(offers))
    for word in filters.text.split()[:MAX_QUERY_WORDS]:
        pattern = contains_pattern(word)
        columns = (Initiative.name, Initiative.place, Initiative.municipality,
                   Initiative.description)
        query = query.where(or_(*(func.lower(column).like(pattern, escape=LIKE_ESCAPE)
                                  for column in columns)))
    return query


def directory_query(filters: DirectoryFilter) -> Select:
    """Approved initiatives matching the filters, by name."""
    query = select(Initiative).where(Initiative.is_approved.is_(True))
    return _apply_filter(query, filters).order_by(Initiative.name, Initiative.id)


def directory_page(filters: DirectoryFilter, page: int, per_page: int = 20):
    query = directory_query(filters).options(selectinload(Initiative.services))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def map_points(filters: DirectoryFilter) -> list:
    """Rows with only the public fields the map and the GeoJSON need (no ORM objects: fast)."""
    columns = (Initiative.slug, Initiative.name, Initiative.place, Initiative.province,
               Initiative.kind, Initiative.status, Initiative.latitude, Initiative.longitude)
    query = select(*columns).where(Initiative.is_approved.is_(True),
                                   Initiative.latitude.is_not(None),
                                   Initiative.longitude.is_not(None))
    return list(db.session.execute(_apply_filter(query, filters).order_by(Initiative.name)))


def map_stamp(filters: DirectoryFilter) -> tuple:
    """Changes whenever the GeoJSON for these filters may: any organisation added, removed or
    edited (updated_at is set on every change) and, when filtering on services, which
    initiatives offer them."""
    stamp = tuple(db.session.execute(
        select(func.count(Organisation.id), func.max(Organisation.updated_at))).one())
    if filters.services:
        stamp += tuple(db.session.execute(
            select(func.count(), func.sum(InitiativeService.initiative_id))
            .where(InitiativeService.service.in_(filters.services))).one())
    return stamp


def approved_by_slug(model, slug: str):
    return db.session.scalar(select(model).where(model.slug == slug))


def nearest(initiative: Initiative, limit: int = 5) -> list[tuple[Initiative, float]]:
    """Other approved initiatives, nearest first, with their distance in km."""
    if not initiative.has_location:
        return []
    rows = db.session.execute(
        select(Initiative.id, Initiative.latitude, Initiative.longitude).where(
            Initiative.is_approved.is_(True), Initiative.id != initiative.id,
            Initiative.latitude.is_not(None), Initiative.longitude.is_not(None)))
    distances = sorted(
        (haversine_km(initiative.latitude, initiative.longitude, lat, lon), row_id)
        for row_id, lat, lon in rows)[:limit]
    loaded = {i.id: i for i in db.session.scalars(
        select(Initiative).where(Initiative.id.in_([row_id for _, row_id in distances])))}
    return [(loaded[row_id], km) for km, row_id in distances]


def networks_of(initiative: Initiative) -> list[Network]:
    member_of = select(NetworkMember.network_id).where(
        NetworkMember.initiative_id == initiative.id)
    return list(db.session.scalars(select(Network).where(
        Network.id.in_(member_of), Network.is_approved.is_(True)).order_by(Network.name)))


def network_members(network: Network) -> list[Initiative]:
    members = select(NetworkMember.initiative_id).where(NetworkMember.network_id == network.id)
    return list(db.session.scalars(select(Initiative).where(
        Initiative.id.in_(members), Initiative.is_approved.is_(True)).order_by(Initiative.name)))


def networks_query() -> Select:
    return select(Network).where(Network.is_approved.is_(True)).options(
        selectinload(Network.covered_provinces)).order_by(Network.name, Network.id)


def member_count(organisation: Organisation) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.organisation_id == organisation.id)) or 0


def memberships_of(organisation: Organisation) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(
        Membership.organisation_id == organisation.id).options(
        selectinload(Membership.user)).order_by(Membership.created_at, Membership.id)))


def join_requests_for(organisation: Organisation) -> list[JoinRequest]:
    return list(db.session.scalars(select(JoinRequest).where(
        JoinRequest.organisation_id == organisation.id).options(
        selectinload(JoinRequest.user)).order_by(JoinRequest.created_at)))


def pending_join_request(user, organisation: Organisation) -> JoinRequest | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(JoinRequest).where(
        JoinRequest.user_id == user.id, JoinRequest.organisation_id == organisation.id))


def open_invitations(organisation: Organisation) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.organisation_id == organisation.id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at)))


def awaiting_approval() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(
        Organisation.is_approved.is_(False)).order_by(Organisation.created_at)))


def outdated(now: datetime) -> list[Organisation]:
    """Approved profiles nobody confirmed in the last 18 months, oldest first."""
    cutoff = now - OUTDATED_AFTER
    last = func.coalesce(Organisation.confirmed_at, Organisation.created_at)
    return list(db.session.scalars(select(Organisation).where(
        Organisation.is_approved.is_(True), last < cutoff).order_by(last)))


def due_for_confirmation(now: datetime, after) -> list[Organisation]:
    """Approved profiles unconfirmed for `after` whose administrators were not asked since."""
    cutoff = now - after
    last = func.coalesce(Organisation.confirmed_at, Organisation.created_at)
    asked_long_ago = or_(Organisation.confirmation_asked_at.is_(None),
                         Organisation.confirmation_asked_at < cutoff)
    return list(db.session.scalars(select(Organisation).where(
        Organisation.is_approved.is_(True), last < cutoff, asked_long_ago)
        .options(selectinload(Organisation.memberships).selectinload(Membership.user))
        .order_by(Organisation.id)))


def counts_by(column) -> list[tuple[str, int]]:
    """(value, number of approved initiatives) for one column, largest first."""
    count = func.count(Initiative.id)
    return [(value, n) for value, n in db.session.execute(
        select(column, count).where(Initiative.is_approved.is_(True), column.is_not(None))
        .group_by(column).order_by(count.desc(), column))]


def growth_by_year() -> list[tuple[int, int]]:
    """(year, initiatives founded that year) in year order; unknown years are left out."""
    return [(year, n) for year, n in db.session.execute(
        select(Initiative.founded_year, func.count(Initiative.id))
        .where(Initiative.is_approved.is_(True), Initiative.founded_year.is_not(None))
        .group_by(Initiative.founded_year).order_by(Initiative.founded_year))]
