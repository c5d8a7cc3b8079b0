"""Full-text search over every kind of content. The only package that imports Whoosh.

Domains use the interface below (see registry.py); everything else is internal.
"""

from kennisnet.search.registry import (
    Searchable,
    SearchChild,
    SearchDocument,
    markdown_text,
    search_url,
    searchable_kinds,
)


def drain_outbox() -> int:
    """Index every change committed so far (tests call this instead of running the worker)."""
    from kennisnet.search.indexer import drain_outbox as drain

    return drain()


def request_purge() -> None:
    """Ask the indexer, through the outbox and in the caller's transaction, to rebuild the index
    and delete the old files once it has applied the changes before it (account erasure)."""
    from kennisnet.extensions import db
    from kennisnet.search.indexer import PURGE_KIND
    from kennisnet.search.models import SearchOutbox

    db.session.add(SearchOutbox(kind=PURGE_KIND, item_id=0))


__all__ = ["SearchChild", "SearchDocument", "Searchable", "drain_outbox", "markdown_text",
           "request_purge", "search_url", "searchable_kinds"]
