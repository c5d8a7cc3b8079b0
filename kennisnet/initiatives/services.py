"""Changes to initiatives and memberships. Services flush; the calling view or command commits."""

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select

from kennisnet.accounts.models import User
from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.initiatives import queries
from kennisnet.initiatives.models import (
    ASK_CONFIRMATION_AFTER,
    Initiative,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)
from kennisnet.mail import send_mail

CONFIRM_SALT = "kennisnet-confirm-profile"
CONFIRM_LINK_MAX_AGE = 60 * 24 * 3600
# Paths under /initiatieven/ that are pages, not profiles.
RESERVED_SLUGS = frozenset({"aanmelden", "beoordelen", "verouderd", "cijfers"})
PROFILE_FIELDS = ("name", "description", "kind", "legal_form", "status", "place", "municipality",
                  "province", "latitude", "longitude", "founded_year", "website", "contact_email")


class MembershipError(Exception):
    """An action on memberships that cannot be done; str() is a Dutch message for the user."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100] or "initiatief"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 1
    taken = select(Organisation.id).where(Organisation.slug == slug)
    while slug in RESERVED_SLUGS or db.session.scalar(taken):
        n += 1
        slug = f"{base}-{n}"
        taken = select(Organisation.id).where(Organisation.slug == slug)
    return slug


def apply_profile(initiative: Initiative, data: dict) -> None:
    for name in PROFILE_FIELDS:
        value = data.get(name)
        setattr(initiative, name, value.strip() if isinstance(value, str) else value)
    initiative.set_services(data.get("services") or [])


def register_initiative(user, data: dict) -> Initiative:
    """A new, not yet approved initiative with `user` as its administrator."""
    initiative = Initiative(slug=_unique_slug(data["name"]), is_approved=False)
    apply_profile(initiative, data)
    db.session.add(initiative)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=initiative.id, role="beheerder"))
    db.session.flush()
    _tell_moderators(initiative)
    return initiative


def _tell_moderators(initiative: Initiative) -> None:
    moderators = db.session.scalars(select(User).where(
        User.site_role.in_(("moderator", "admin")), User.is_active.is_(True)))
    for moderator in moderators:
        send_mail(moderator.email, _("Nieuwe aanmelding: %(name)s", name=initiative.name), _(
            "%(name)s heeft zich aangemeld op kennisnet. Beoordeel de aanmelding op:\n\n%(url)s",
            name=initiative.name, url=_external("initiatives.review")))


def approve(organisation: Organisation, now: datetime | None = None) -> None:
    organisation.is_approved = True
    organisation.confirmed_at = now or utcnow()
    for admin in organisation.administrators:
        send_mail(admin.email, _("Je initiatief staat op kennisnet"), _(
            "Goed nieuws: %(name)s is goedgekeurd en staat nu op kennisnet.\n\n%(url)s",
            name=organisation.name, url=_external("initiatives.detail", slug=organisation.slug)))
    db.session.flush()


def refuse(organisation: Organisation) -> None:
    """Delete an unapproved registration and tell its administrators."""
    for admin in organisation.administrators:
        send_mail(admin.email, _("Je aanmelding op kennisnet"), _(
            "Een moderator heeft je aanmelding van %(name)s niet goedgekeurd. "
            "Heb je vragen? Antwoord dan op deze e-mail.", name=organisation.name))
    db.session.delete(organisation)
    db.session.flush()


def update_profile(initiative: Initiative, data: dict) -> None:
    apply_profile(initiative, data)
    initiative.confirmed_at = utcnow()  # editing the profile also confirms it
    db.session.flush()


def confirm(organisation: Organisation, now: datetime | None = None) -> None:
    organisation.confirmed_at = now or utcnow()
    db.session.flush()


# Memberships ------------------------------------------------------------------------------------

def request_membership(user, organisation: Organisation, message: str = "") -> JoinRequest:
    if queries.pending_join_request(user, organisation) is not None:
        raise MembershipError(_("Je hebt al gevraagd om lid te worden."))
    if any(m.user_id == user.id for m in organisation.memberships):
        raise MembershipError(_("Je bent al lid van %(name)s.", name=organisation.name))
    join_request = JoinRequest(user_id=user.id, organisation_id=organisation.id,
                               message=message.strip())
    db.session.add(join_request)
    for admin in organisation.administrators:
        send_mail(admin.email, _("Iemand wil lid worden van %(name)s", name=organisation.name), _(
            "%(who)s wil lid worden van %(name)s. Bekijk het verzoek op:\n\n%(url)s",
            who=user.display_name, name=organisation.name,
            url=_external("initiatives.members", slug=organisation.slug)))
    db.session.flush()
    return join_request


def answer_join_request(join_request: JoinRequest, accept: bool) -> None:
    organisation, user = join_request.organisation, join_request.user
    if accept:
        _add_member(user.id, organisation)
        send_mail(user.email, _("Je bent lid van %(name)s", name=organisation.name), _(
            "Je verzoek is geaccepteerd. Je bent nu lid van %(name)s.", name=organisation.name))
    else:
        send_mail(user.email, _("Je verzoek om lid te worden"), _(
            "De beheerders van %(name)s hebben je verzoek niet geaccepteerd.",
            name=organisation.name))
    db.session.delete(join_request)
    db.session.flush()


def _add_member(user_id: int, organisation: Organisation, role: str = "lid") -> Membership:
    existing = next((m for m in organisation.memberships if m.user_id == user_id), None)
    if existing is not None:
        return existing
    membership = Membership(user_id=user_id, organisation=organisation, role=role)
    db.session.add(membership)
    return membership


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(organisation: Organisation, email: str, invited_by) -> Invitation:
    """Store an invitation and e-mail its secret link; only the link's hash is kept."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organisation_id=organisation.id, email=email.strip().lower(),
                            token_hash=_token_hash(token), invited_by_id=invited_by.id)
    db.session.add(invitation)
    send_mail(invitation.email, _("Uitnodiging voor %(name)s", name=organisation.name), _(
        "%(who)s nodigt je uit om lid te worden van %(name)s op kennisnet.\n\n"
        "Open deze link om de uitnodiging aan te nemen:\n%(url)s",
        who=invited_by.display_name, name=organisation.name,
        url=_external("initiatives.invitation", token=token)))
    db.session.flush()
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """The open invitation for this link, or None when it is unknown or already used."""
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.token_hash == _token_hash(token)))
    if invitation is None or invitation.accepted_at is not None:
        return None
    return invitation


def accept_invitation(invitation: Invitation, user) -> Membership:
    membership = _add_member(user.id, invitation.organisation)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return membership


def set_role(membership: Membership, role: str) -> None:
    """Change a member's role, but never leave an organisation without an administrator."""
    if membership.role == "beheerder" and role != "beheerder":
        admins = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.organisation_id == membership.organisation_id,
            Membership.role == "beheerder"))
        if admins <= 1:
            raise MembershipError(_("Er moet minstens één beheerder blijven."))
    membership.role = role
    db.session.flush()


# Freshness --------------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def make_confirm_token(organisation: Organisation) -> str:
    return _serializer().dumps({"org": organisation.id})


def organisation_for_confirm_token(token: str) -> Organisation | None:
    try:
        data = _serializer().loads(token, max_age=CONFIRM_LINK_MAX_AGE)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return db.session.get(Organisation, data.get("org"))


def ask_confirmation(now: datetime | None = None) -> int:
    """E-mail "Klopt dit nog?" to the administrators of every profile due; returns the number."""
    now = now or utcnow()
    asked = 0
    for organisation in queries.due_for_confirmation(now, ASK_CONFIRMATION_AFTER):
        admins = organisation.administrators
        if not admins:
            continue
        url = _external("initiatives.confirm_with_token", slug=organisation.slug,
                        token=make_confirm_token(organisation))
        for admin in admins:
            send_mail(admin.email, _("Klopt dit nog? %(name)s op kennisnet",
                                     name=organisation.name), _(
                "Hallo %(who)s,\n\nKlopt het profiel van %(name)s op kennisnet nog? "
                "Met één klik op de knop achter deze link laat je weten dat het nog klopt:\n"
                "%(url)s\n\nKlopt er iets niet meer? Pas het profiel dan aan.",
                who=admin.display_name, name=organisation.name, url=url))
        organisation.confirmation_asked_at = now
        asked += 1
    db.session.flush()
    return asked


def _external(endpoint: str, **values) -> str:
    """An absolute link for e-mails, based on BASE_URL (commands have no request)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)
