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


__all__ = ["SearchChild", "SearchDocument", "Searchable", "drain_outbox", "markdown_text",
           "search_url", "searchable_kinds"]
