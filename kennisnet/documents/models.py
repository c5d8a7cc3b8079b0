"""Documents, their versions (one stored file each), tags and reports."""

import json
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.documents.vocab import (
    DOCUMENT_TYPES,
    EXTRACTED,
    LICENCE_URLS,
    LICENCES,
    PENDING,
    VISIBILITIES,
)
from kennisnet.extensions import db
from kennisnet.search import Searchable, SearchChild, SearchDocument
from kennisnet.vocab import LEGAL_FORMS

# Enough text for every word of a long document to be findable, small enough for the index.
INDEXED_TEXT_LIMIT = 300_000
# The search index stores `body` (for snippets) but not `extra_text`: the first pages go into the
# body so hits show a snippet from the file itself, the rest is searchable as extra text.
SNIPPET_TEXT_CHARS = 20_000


class Document(Searchable, db.Model):
    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint("visibility IN ('openbaar', 'leden', 'organisatie')", name="visibility"),
        # The library's default order, newest first, read straight from the index; with the
        # visibility columns the page count and the tag list read the index, not every row.
        Index("ix_document_listing", "created_at", "id", "visibility", "is_hidden",
              "published_at", "organisation_id"),
        # "More of this kind" on a document's page: the newest of one type (or legal form)
        # without sorting every document of it.
        Index("ix_document_type_listing", "doc_type", "created_at", "visibility", "is_hidden",
              "published_at"),
        Index("ix_document_legal_form_listing", "legal_form", "created_at", "visibility",
              "is_hidden", "published_at"),
        # The library's organisation filter list reads this index only (14 ms -> 2 ms at
        # 10,000 documents); it also serves lookups by organisation_id.
        Index("ix_document_organisation_listing", "organisation_id", "visibility", "is_hidden",
              "published_at"),
    )
    search_kind = "document"
    search_label = _l("Document")

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    doc_type: Mapped[str] = mapped_column(String(32), index=True)
    legal_form: Mapped[str | None] = mapped_column(String(32), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    licence: Mapped[str] = mapped_column(String(16), default="cc-by-4.0")
    visibility: Mapped[str] = mapped_column(String(16), default="openbaar")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    download_count: Mapped[int] = mapped_column(default=0)

    owner = relationship("User")
    organisation = relationship("Organisation")
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document", cascade="all, delete-orphan",
        order_by="DocumentVersion.number")
    tag_rows: Mapped[list["DocumentTag"]] = relationship(
        cascade="all, delete-orphan", order_by="DocumentTag.tag")
    reports: Mapped[list["DocumentReport"]] = relationship(cascade="all, delete-orphan")

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    def set_tags(self, tags) -> None:
        wanted = list(dict.fromkeys(tags))
        if wanted != self.tags:
            # The library's cached tag list is keyed on updated_at (queries.popular_tags).
            self.updated_at = utcnow()
        self.tag_rows = [DocumentTag(tag=tag) for tag in wanted]

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def current_version(self) -> "DocumentVersion | None":
        """The newest published version (what visitors see and download)."""
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None

    @property
    def latest_version(self) -> "DocumentVersion | None":
        return self.versions[-1] if self.versions else None

    @property
    def type_label(self) -> str:
        return str(DOCUMENT_TYPES.get(self.doc_type, self.doc_type))

    @property
    def legal_form_label(self) -> str:
        return str(LEGAL_FORMS.get(self.legal_form or "", ""))

    @property
    def licence_label(self) -> str:
        return str(LICENCES.get(self.licence, self.licence))

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    @property
    def visibility_label(self) -> str:
        return str(VISIBILITIES.get(self.visibility, self.visibility))

    def search_document(self) -> SearchDocument | None:
        return self._search_document(for_index=True)

    def search_result_document(self) -> SearchDocument | None:
        # A results page shows the title, the description and the place, and its snippet
        # comes from the index: the files' extracted text (up to megabytes per version) and
        # the tags are not read for it.
        return self._search_document(for_index=False)

    def _search_document(self, for_index: bool) -> SearchDocument | None:
        version = self.current_version
        if version is None or self.is_hidden:
            return None
        organisation = self.organisation
        text = ""
        if for_index and version.extraction_status == EXTRACTED:
            text = version.extracted_text or ""
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.title,
            body=f"{self.description}\n\n{text[:SNIPPET_TEXT_CHARS]}".strip(),
            summary=self.description[:300], url=url_for("documents.detail", document_id=self.id),
            province=(organisation.province or "") if organisation else "",
            place=getattr(organisation, "place", None) or "",
            tags=self.tags if for_index else [], date=self.published_at,
            # Organisation-only documents are indexed for members; the permission rule then
            # drops them from the results of everyone outside the organisation.
            visibility="public" if self.visibility == "openbaar" else "members",
            extra_text=text[SNIPPET_TEXT_CHARS:INDEXED_TEXT_LIMIT],
        )

    @classmethod
    def search_load(cls, session, ids):
        return cls._load_for_search(session, ids, selectinload(cls.versions),
                                    selectinload(cls.tag_rows), selectinload(cls.organisation))

    @classmethod
    def search_result_load(cls, session, ids):
        return cls._load_for_search(
            session, ids, selectinload(cls.versions).defer(DocumentVersion.extracted_text),
            joinedload(cls.organisation))

    @classmethod
    def _load_for_search(cls, session, ids, *options):
        if not ids:
            return []
        return list(session.scalars(db.select(cls).where(cls.id.in_(ids)).options(*options)))


class DocumentVersion(SearchChild, db.Model):
    """One uploaded file. The file itself lives in the upload folder, named by its SHA-256."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    extension: Mapped[str] = mapped_column(String(8))
    original_filename: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    extraction_status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    extracted_text: Mapped[str | None] = mapped_column(Text)
    extraction_error: Mapped[str] = mapped_column(String(200), default="")
    extracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pii_json: Mapped[str] = mapped_column(Text, default="[]")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by = relationship("User")

    def search_parents(self):
        return [("document", self.document_id)]

    @property
    def pii_findings(self) -> list[dict]:
        return json.loads(self.pii_json or "[]")

    @property
    def needs_confirmation(self) -> bool:
        """Extracted, not yet published, and the personal-data check found something."""
        return (self.published_at is None and self.extraction_status != PENDING
                and bool(self.pii_findings))


class DocumentTag(SearchChild, db.Model):
    __tablename__ = "document_tag"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    def search_parents(self):
        return [("document", self.document_id)]


class DocumentReport(db.Model):
    """A member's report that a document breaks the rules; moderators act on it."""

    __tablename__ = "document_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
