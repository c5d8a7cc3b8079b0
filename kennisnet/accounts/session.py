"""Flask-Login wiring: the session carries the user's epoch, so raising it logs out everywhere,
and the time of the member's last request, so a computer left alone logs itself out."""

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from kennisnet.extensions import db, login_manager

ACTIVE_AT = "active_at"


def load_user(session_id: str):
    from kennisnet.accounts.models import User

    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in om deze pagina te bekijken.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(log_out_when_idle)


def log_out_when_idle():
    """Log out a member whose last request is longer ago than SESSION_IDLE_SECONDS.

    Members who ticked "Onthoud mij" keep their 30-day cookie: it logs them in again anyway,
    and they chose it on their own device. The village-hall computer is the case this is for.
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now, limit = time.time(), current_app.config["SESSION_IDLE_SECONDS"]
    active_at = session.get(ACTIVE_AT)
    if active_at is not None and now - active_at > limit and not _remembered():
        logout_user()
        session.pop(ACTIVE_AT, None)
        flash(_("Je deed meer dan %(minutes)d minuten niets. Daarom ben je uitgelogd. Log "
                "opnieuw in om verder te gaan.", minutes=max(1, limit // 60)), "info")
        next_path = request.full_path if request.method == "GET" else request.path
        return redirect(url_for("accounts.login", next=next_path), 303)
    # Rewritten only now and then: a new cookie on every request would add nothing.
    if active_at is None or now - active_at >= min(60, limit / 4):
        mark_active()
    return None


def mark_active() -> None:
    session[ACTIVE_AT] = round(time.time(), 1)


def _remembered() -> bool:
    return current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
