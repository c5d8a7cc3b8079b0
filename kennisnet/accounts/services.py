"""Account changes. Services flush; the view commits once."""

from functools import cache
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from kennisnet.accounts import tokens
from kennisnet.accounts.models import User, email_key
from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.mail import absolute_url, send_mail


def send_mail_now_or_later(to: str, subject: str, body: str) -> None:
    # In the background: a request that mails (known address) must not take longer than
    # one that does not (unknown address). See mail.send_mail.
    send_mail(to, subject, body, background=True)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    # A real hash with today's parameters, so checking it costs what checking a real one costs.
    return generate_password_hash("not-a-real-password", method=method)


def find_user_by_email(email: str) -> User | None:
    column, value = email_key(email)
    return db.session.scalar(select(User).where(column == value))


def load_user_id(user_id) -> User | None:
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def authenticate(email: str, password: str) -> User | None:
    """The user when the password is right; the same work is done for unknown e-mail addresses."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    if _needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _needs_rehash(password_hash: str) -> bool:
    return not password_hash.startswith(current_app.config["PASSWORD_HASH_METHOD"] + "$")


def register(display_name: str, email: str, password: str) -> None:
    """Create an unconfirmed account, or tell the owner of an existing one; looks the same."""
    password_hash = hash_password(password)  # computed either way, so timing tells nothing
    existing = find_user_by_email(email)
    if existing is not None:
        _send_already_registered(existing)
        return
    user = User(display_name=display_name.strip(), email=email.strip().lower(),
                password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    send_confirmation(user)


def create_user(display_name: str, email: str, password: str, site_role: str = "member") -> User:
    """An already confirmed account, for administrators and tests."""
    user = User(display_name=display_name, email=email.strip().lower(),
                password_hash=hash_password(password), site_role=site_role,
                email_confirmed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    return user


def send_confirmation(user: User) -> None:
    link = absolute_url("accounts.confirm_email", token=tokens.make_confirm_token(user))
    send_mail_now_or_later(user.email, _("Bevestig je e-mailadres voor kennisnet"),
              _("Welkom bij kennisnet, %(name)s.\n\nKlik op deze link om je e-mailadres te "
                "bevestigen:\n%(link)s\n\nHeb je je niet aangemeld? Dan kun je deze e-mail "
                "negeren.", name=user.display_name, link=link))


def _send_already_registered(user: User) -> None:
    link = absolute_url("accounts.reset_request")
    send_mail_now_or_later(user.email, _("Je hebt al een account bij kennisnet"),
              _("Iemand probeerde een account te maken met dit e-mailadres, maar je hebt al een "
                "account.\n\nWachtwoord vergeten? Vraag hier een nieuw wachtwoord aan:\n%(link)s"
                "\n\nWas jij dit niet? Dan kun je deze e-mail negeren.", link=link))


def confirm_email(token: str) -> User | None:
    user = tokens.read_confirm_token(token, load_user_id)
    if user is not None and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


_NOBODY = SimpleNamespace(id=0, password_hash="", email="")


def request_password_reset(email: str) -> None:
    found = find_user_by_email(email)
    user = found if found is not None and found.is_active else None
    # The link and the message are made for unknown addresses too (and thrown away), so the
    # request costs the same either way; delivery happens after the answer (send_mail).
    link = absolute_url("accounts.reset_password", token=tokens.make_reset_token(user or _NOBODY))
    subject = _("Nieuw wachtwoord voor kennisnet")
    body = _("Je vroeg een nieuw wachtwoord aan. Klik binnen een uur op deze link:\n%(link)s"
             "\n\nVroeg je niets aan? Dan kun je deze e-mail negeren; je wachtwoord blijft "
             "hetzelfde.", link=link)
    if user is not None:
        send_mail_now_or_later(user.email, subject, body)


def user_for_reset_token(token: str) -> User | None:
    return tokens.read_reset_token(token, load_user_id)


def set_password(user: User, password: str) -> None:
    """New password; every existing session of this user ends."""
    user.password_hash = hash_password(password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the reset link proved the address
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    user.session_epoch += 1


def update_profile(user: User, display_name: str, field_role: str | None, province: str | None,
                   bio: str) -> None:
    user.display_name = display_name.strip()
    user.field_role = field_role or None
    user.province = province or None
    user.bio = (bio or "").strip()


def set_site_role(user: User, site_role: str) -> None:
    user.site_role = site_role
