from datetime import datetime

from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    field_role: Mapped[str | None] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(32))
    bio: Mapped[str] = mapped_column(Text, default="")
    site_role: Mapped[str] = mapped_column(String(16), default="member")
    # Raised on logout-everywhere and password change; sessions carry it and die when it moves.
    session_epoch: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Flask-Login protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_admin(self) -> bool:
        return self.site_role == "admin"

    @property
    def is_moderator(self) -> bool:
        return self.site_role in ("moderator", "admin")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def email_key(email: str):
    """The column expression and value used to look users up case-insensitively."""
    return func.lower(User.email), email.strip().lower()


class RateLimitHit(db.Model):
    """One counted attempt; shared by all worker processes because it lives in the database."""

    __tablename__ = "rate_limit_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
