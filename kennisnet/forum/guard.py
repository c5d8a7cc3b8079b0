"""Spam and double-submit guards shared by every forum form that creates a post.

The form carries one signed token: a random submission id plus the time the form was shown.
Nothing is stored when the form is shown (GET stays read-only); the id is stored when the post
is made, so a second POST with the same id finds it and makes no second post.
"""

import secrets
import time

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kennisnet import submissions
from kennisnet.forum.services import ForumError

FORM_MAX_AGE_SECONDS = 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="forum-form")


def new_form_token() -> str:
    return _serializer().dumps(secrets.token_hex(16))


def min_fill_seconds() -> float:
    return float(current_app.config.get("FORUM_MIN_FILL_SECONDS", 3))


def check_form(token: str, honeypot: str) -> str:
    """The submission id of a genuine form; raises ForumError for bots, stale or forged forms."""
    if honeypot:
        raise ForumError(_("Dit bericht lijkt automatisch verstuurd. Probeer het opnieuw."))
    try:
        submission_id, shown_at = _serializer().loads(
            token or "", max_age=FORM_MAX_AGE_SECONDS, return_timestamp=True)
    except BadSignature as error:
        raise ForumError(_("Het formulier was verlopen. Verstuur het nog een keer.")) from error
    if time.time() - shown_at.timestamp() < min_fill_seconds():
        raise ForumError(_("Dat ging erg snel. Lees je bericht nog even na en verstuur het "
                           "dan opnieuw."))
    return submission_id


def earlier_result(submission_id: str) -> str | None:
    """The address of the post this submission already made, if any."""
    return submissions.earlier_result(submission_id)


def claim(submission_id: str, user_id: int):
    """Store the submission id; None when a parallel request claimed it first."""
    return submissions.claim(submission_id, user_id)
