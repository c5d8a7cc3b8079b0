"""The narrow interface between domains and search.

A domain model becomes searchable by inheriting `Searchable`, naming its kind and label, and
returning a `SearchDocument` (or None when it must not be found). Nothing else in the domain
knows how or where it is indexed, so another backend can replace Whoosh without touching it:

    class Tip(Searchable, db.Model):
        search_kind = "tip"
        search_label = lazy_gettext("Tip")

        def search_document(self) -> SearchDocument | None: ...

A row that is not searchable itself but shows up inside another one (an answer inside a forum
question) inherits `SearchChild` and returns its parents' (kind, id) pairs from
`search_parents()`; changing it then re-indexes those parents. Prefer foreign-key columns over
relationships there: the method runs while the session flushes.

Who may see a hit is decided by `permissions.can_view_search_hit`; add a rule there for each
new kind (kinds without a rule are never shown).
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from kennisnet.markdown import plain_text


@dataclass
class SearchDocument:
    """What the index knows about one item. Text is plain (no Markdown or HTML)."""

    kind: str
    id: int
    title: str
    body: str = ""
    summary: str = ""
    url: str = ""
    place: str = ""
    province: str = ""
    tags: list[str] = field(default_factory=list)
    phase: str = ""
    date: datetime | None = None
    visibility: str = "public"
    extra_text: str = ""

    @property
    def key(self) -> str:
        return document_key(self.kind, self.id)

    def content_hash(self) -> str:
        """A fingerprint of everything indexed, so `check` can spot stale entries.

        The url and summary are left out: they are not indexed (result pages are built from
        the database).
        """
        values = (self.kind, str(self.id), self.title, self.body, self.place, self.province,
                  "\x1f".join(map(str, self.tags)), self.phase,
                  self.date.isoformat() if self.date else "", self.visibility, self.extra_text)
        return hashlib.sha256("\x1e".join(values).encode()).hexdigest()


def markdown_text(markdown: str | None) -> str:
    """Markdown as plain words for the index (snippets are escaped on output)."""
    return plain_text(markdown)


def search_url(endpoint: str, fallback: str, **values) -> str:
    """url_for(endpoint), or `fallback` while the domain's pages do not exist yet."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def document_key(kind: str, item_id: int) -> str:
    return f"{kind}:{item_id}"


def parse_key(key: str) -> tuple[str, int]:
    kind, _, item_id = key.partition(":")
    return kind, int(item_id)


@dataclass(frozen=True)
class SearchKind:
    name: str
    label: Any
    model: type


_KINDS: dict[str, SearchKind] = {}


def register_kind(model: type, name: str, label: Any) -> None:
    _KINDS[name] = SearchKind(name=name, label=label, model=model)


def searchable_kinds() -> list[SearchKind]:
    """Registered kinds in the order their models were defined."""
    return list(_KINDS.values())


def get_kind(name: str) -> SearchKind | None:
    return _KINDS.get(name)


class SearchChild:
    """A row whose changes must re-index other items (its parents)."""

    def search_parents(self) -> Iterable[tuple[str, int]]:
        return ()


class Searchable(SearchChild):
    """Mixin for a model with an integer `id` that appears in search results."""

    search_kind: ClassVar[str]
    search_label: ClassVar[Any]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("search_kind")
        if kind:
            register_kind(cls, kind, cls.__dict__.get("search_label", kind))

    def search_document(self) -> SearchDocument | None:
        raise NotImplementedError

    def search_result_document(self) -> SearchDocument | None:
        """What a results page shows (title, summary, url, place, date, visibility). Override
        when search_document() gathers text only the index needs (a question's answers)."""
        return self.search_document()

    @classmethod
    def search_load(cls, session: Session, ids: Sequence[int]) -> list:
        """The rows with these ids (any order); override to eager-load relationships."""
        if not ids:
            return []
        return list(session.scalars(select(cls).where(cls.id.in_(ids))))

    @classmethod
    def search_result_load(cls, session: Session, ids: Sequence[int]) -> list:
        """The rows for a results page; override to leave out what only the index reads."""
        return cls.search_load(session, ids)

    @classmethod
    def search_all_ids(cls, session: Session) -> list[int]:
        return list(session.scalars(select(cls.id).order_by(cls.id)))
