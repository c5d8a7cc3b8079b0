"""The half-way state between password and code: a short-lived marker in the session.

Nobody is logged in until the second step succeeds; the marker only says which account gave the
right password, when, and where to go afterwards.
"""

import time

from flask import session

from kennisnet.accounts.models import User
from kennisnet.extensions import db
from kennisnet.twofactor.services import is_enabled

MARKER = "twofactor_pending"
LIFETIME_SECONDS = 300


def start(user, remember: bool, next_path: str) -> None:
    session[MARKER] = {
        "user": user.id, "epoch": user.session_epoch, "remember": bool(remember),
        "next": next_path, "until": int(time.time()) + LIFETIME_SECONDS,
    }


def clear() -> None:
    session.pop(MARKER, None)


def current() -> tuple[User, dict] | None:
    """The user half-way through logging in and the marker, or None (an expired or stale marker
    is removed)."""
    marker = session.get(MARKER)
    if not isinstance(marker, dict) or not isinstance(marker.get("user"), int):
        return None
    user = db.session.get(User, marker["user"])
    stale = (user is None or not user.is_active or user.session_epoch != marker.get("epoch")
             or int(marker.get("until") or 0) < time.time() or not is_enabled(user))
    if stale:
        clear()
        return None
    return user, marker
