"""Small per-process caches for lists that every view of a page shows and that change rarely
(filter lists of organisations and tags). Each is kept with a stamp read in one cheap query
and rebuilt when the stamp differs, so nothing is ever stale."""

from flask import current_app
from sqlalchemy import func, select

from kennisnet.extensions import db


def table_stamp(model) -> list:
    """Scalar subqueries for a table's row count and latest updated_at (both index reads)."""
    return [select(func.count()).select_from(model).scalar_subquery(),
            select(func.max(model.updated_at)).scalar_subquery()]


def kept_until_changed(name: str, stamp_parts: list, compute):
    """compute()'s result, kept per application until the stamp (one query) changes."""
    stamp = tuple(db.session.execute(select(*stamp_parts)).one())
    kept = current_app.extensions.setdefault("kennisnet.kept", {})
    if kept.get(name, (None,))[0] != stamp:
        kept[name] = (stamp, compute())
    return kept[name][1]
