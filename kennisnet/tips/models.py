"""The factsheet's guide pages, its 16 tips and the sources of knowledge it names."""

from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db
from kennisnet.search import Searchable, SearchDocument, markdown_text
from kennisnet.vocab import NETWORK_LEVELS, PROVINCES, TIP_PHASES


class GuidePage(Searchable, db.Model):
    __tablename__ = "guide_page"
    search_kind = "gids"
    search_label = _l("Gidspagina")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    seed_hash: Mapped[str | None] = mapped_column(String(64))

    tips: Mapped[list["Tip"]] = relationship(back_populates="guide_page", order_by="Tip.number")

    def search_document(self) -> SearchDocument:
        return self._search_document(body=markdown_text(self.body))

    def search_result_document(self) -> SearchDocument:
        # A results page shows the summary; rendering the page's long Markdown body for it
        # took a millisecond per hit.
        return self._search_document(body="")

    def _search_document(self, body: str) -> SearchDocument:
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.title, body=body,
            summary=self.summary, url=url_for("tips.guide_page", slug=self.slug),
            date=self.updated_at,
        )


class Tip(Searchable, db.Model):
    __tablename__ = "tip"
    search_kind = "tip"
    search_label = _l("Tip")

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

    def search_document(self) -> SearchDocument:
        explanation = markdown_text(self.explanation)
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.title,
            body="\n".join([explanation, self.quote, self.quote_by]),
            summary=explanation[:300], url=url_for("tips.tip_detail", slug=self.slug),
            phase=self.phase, date=self.updated_at,
        )


class KnowledgeSource(Searchable, db.Model):
    __tablename__ = "knowledge_source"
    search_kind = "kennisbron"
    search_label = _l("Kennisbron")

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

    def search_document(self) -> SearchDocument:
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.name,
            body="\n".join([self.description, self.offers]), summary=self.description,
            url=url_for("tips.sources", _anchor=f"bron-{self.slug}"),
            province=self.province or "", tags=[self.level_label], date=self.updated_at,
        )
