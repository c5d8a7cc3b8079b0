"""One-time submission ids for every form that creates something (forum posts, documents).

A form gets a random id when it is rendered. The POST stores the id in the same transaction as
the row it creates, under a unique key, so a double click or a retry after a timeout or a crashed
worker finds the stored id and is sent to what the first attempt made: exactly one row, never two.
Nothing is written when the form is shown (GET stays read-only).
"""

import re
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db

_ID = re.compile(r"^[0-9a-f]{32}$")


class Submission(db.Model):
    """A form's one-time submission id: a second POST with the same id makes no second row."""

    # The forum had this table first; the name stays so no data has to move.
    __tablename__ = "forum_submission"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def new_id() -> str:
    return uuid.uuid4().hex


def clean_id(value: str | None) -> str | None:
    """The id if it has the shape new_id() gives (a client may also make one), else None."""
    value = (value or "").strip().lower().replace("-", "")
    return value if _ID.match(value) else None


def earlier_result(submission_id: str, user_id: int | None = None) -> str | None:
    """The address of what this submission already made, if any (only the submitter's own)."""
    query = select(Submission.url).where(Submission.token == submission_id)
    if user_id is not None:
        query = query.where(Submission.user_id == user_id)
    return db.session.scalar(query) or None


def claim(submission_id: str, user_id: int) -> Submission | None:
    """Store the id in the current transaction; None when a parallel request claimed it first.

    The caller sets `url` once the new row has an id, and commits both together.
    """
    row = Submission(token=submission_id, user_id=user_id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row
