"""Attempt counting kept in the database, so every gunicorn worker sees the same counts.

Flask-Limiter's only storage without an extra server is per-process memory, which
multiplies the limit by the number of workers; this small table does not.
"""

from datetime import timedelta

from sqlalchemy import delete, func, select, text

from kennisnet.accounts.models import RateLimitHit
from kennisnet.database import utcnow
from kennisnet.extensions import db


def seconds_until_allowed(key: str, limit: int, window: timedelta) -> int:
    """0 when another attempt is allowed now, otherwise the seconds to wait.

    Check and count must happen as one, or twenty attempts sent at the same moment would all
    see a count below the limit. SQLite's write requests begin IMMEDIATE and so already take
    turns; on PostgreSQL a transaction-scoped advisory lock on the key makes them wait until
    the attempt before them was counted and committed.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                           {"key": key})
    since = utcnow() - window
    count, oldest = db.session.execute(
        select(func.count(RateLimitHit.id), func.min(RateLimitHit.at)).where(
            RateLimitHit.key == key, RateLimitHit.at > since
        )
    ).one()
    if count < limit:
        return 0
    return max(1, int((oldest + window - utcnow()).total_seconds()) + 1)


def record_attempt(key: str) -> None:
    db.session.add(RateLimitHit(key=key))


def clear_attempts(key: str) -> None:
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.key == key))


def prune(older_than: timedelta) -> int:
    """Remove attempts nobody counts any more; returns how many went."""
    result = db.session.execute(delete(RateLimitHit).where(RateLimitHit.at < utcnow() - older_than))
    return result.rowcount or 0
