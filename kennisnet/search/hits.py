"""Turning index hits into what a visitor may see: rows from the database, permission-checked."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup

from kennisnet.extensions import db
from kennisnet.permissions import can_view_search_hit
from kennisnet.search.registry import SearchDocument, get_kind

Key = tuple[str, int]


@dataclass
class ShownHit:
    document: SearchDocument
    label: str
    snippet: Markup | None
    url: str


def visible_rows(keys: Iterable[Key], user) -> dict[Key, tuple[object, SearchDocument]]:
    """The current document of each item this user may see (others are simply absent).

    Documents come from the database, not from the index: a hit that was hidden or deleted a
    moment ago (and not yet re-indexed) is still left out.
    """
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, item_id in keys:
        by_kind[kind].append(item_id)
    shown: dict[Key, tuple[object, SearchDocument]] = {}
    for kind, ids in by_kind.items():
        info = get_kind(kind)
        if info is None:
            continue
        for row in info.model.search_result_load(db.session, ids):
            document = row.search_result_document()
            if document is not None and can_view_search_hit(user, kind, row, document.visibility):
                shown[(kind, row.id)] = (row, document)
    return shown


class VisibilityFilter:
    """The `visible` callback for the engine; remembers the documents it allowed."""

    def __init__(self, user):
        self.user = user
        self.rows: dict[Key, tuple[object, SearchDocument]] = {}

    @property
    def documents(self) -> dict[Key, SearchDocument]:
        return {key: document for key, (_row, document) in self.rows.items()}

    def __call__(self, keys: list[Key]) -> set[Key]:
        self.rows.update(visible_rows(keys, self.user))
        return set(self.rows)

    def shown(self, hits, words: list[str] = ()) -> list[ShownHit]:
        """Hits in rank order; a kind may point into the item (an answer) with search_anchor."""
        result = []
        for hit in hits:
            found = self.rows.get((hit.kind, hit.id))
            if found is None:
                continue
            row, document = found
            anchor = row.search_anchor(list(words)) if hasattr(row, "search_anchor") else None
            url = f"{document.url}#{anchor}" if anchor else document.url
            result.append(ShownHit(document, kind_label(hit.kind), hit.snippet, url))
        return result


def kind_label(kind: str) -> str:
    info = get_kind(kind)
    return str(info.label) if info else kind
