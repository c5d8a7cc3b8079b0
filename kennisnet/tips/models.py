"""The factsheet's guide pages, its 16 tips and the sources of knowledge it names."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db
from kennisnet.vocab import NETWORK_LEVELS, PROVINCES, TIP_PHASES


class GuidePage(db.Model):
    __tablename__ = "guide_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    seed_hash: Mapped[str | None] = mapped_column(String(64))

    tips: Mapped[list["Tip"]] = relationship(back_populates="guide_page", order_by="Tip.number")


class Tip(db.Model):
    __tablename__ = "tip"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    phase: Mapped[str] = mapped_column(String(16), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    explanation: Mapped[str] = mapped_column(Text, default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    quote_by: Mapped[str] = mapped_column(String(120), default="")
    guide_page_id: Mapped[int | None] = mapped_column(ForeignKey("guide_page.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    seed_hash: Mapped[str | None] = mapped_column(String(64))

    guide_page: Mapped[GuidePage | None] = relationship(back_populates="tips")

    @property
    def phase_label(self) -> str:
        return str(TIP_PHASES.get(self.phase, self.phase))


class KnowledgeSource(db.Model):
    __tablename__ = "knowledge_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), index=True)
    province: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    offers: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    seed_hash: Mapped[str | None] = mapped_column(String(64))

    @property
    def level_label(self) -> str:
        return str(NETWORK_LEVELS.get(self.level, self.level))

    @property
    def province_label(self) -> str:
        return PROVINCES.get(self.province or "", "")
