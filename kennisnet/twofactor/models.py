"""The second factor: one TOTP secret per user and their single-use recovery codes."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kennisnet.accounts.models import User
from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db


class TotpCredential(db.Model):
    """A TOTP secret, encrypted at rest. Until confirmed_at is set it is a setup in progress."""

    __tablename__ = "totp_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    # The time step of the last code accepted; a code for that step or an earlier one is refused,
    # so each code works once.
    last_used_step: Mapped[int] = mapped_column(default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="totp_credential")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(db.Model):
    """A single-use code for when the phone is gone; only its SHA-256 is stored (the code has
    120 random bits, so a plain hash is enough, ASVS 6.5.2)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The accounts package knows nothing about second factors; the link is added from this side so
# permissions can ask `user.totp_credential` (loaded once per request) and the admin list can
# eager-load it.
User.totp_credential = relationship(
    TotpCredential, back_populates="user", uselist=False, passive_deletes=True
)
