"""Signed, expiring links for password reset and e-mail confirmation."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

RESET_SALT = "kennisnet-password-reset"
CONFIRM_SALT = "kennisnet-confirm-email"
CONFIRM_MAX_AGE_SECONDS = 7 * 24 * 3600


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user) -> str:
    # Changes when the password changes, so a used reset link stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user) -> str:
    return _serializer(RESET_SALT).dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def read_reset_token(token: str, load_user) -> object | None:
    """The user the reset link was made for, or None when it is invalid, used or expired."""
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds())
    try:
        data = _serializer(RESET_SALT).loads(token, max_age=max_age)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    user = load_user(data.get("uid"))
    if user is None or data.get("pw") != _password_fingerprint(user):
        return None
    return user


def make_confirm_token(user) -> str:
    return _serializer(CONFIRM_SALT).dumps({"uid": user.id, "email": user.email})


def read_confirm_token(token: str, load_user) -> object | None:
    try:
        data = _serializer(CONFIRM_SALT).loads(token, max_age=CONFIRM_MAX_AGE_SECONDS)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    user = load_user(data.get("uid"))
    if user is None or user.email != data.get("email"):
        return None
    return user
