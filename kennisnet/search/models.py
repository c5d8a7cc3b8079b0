"""The search outbox: every change to searchable content leaves a row here in the same transaction.

The indexer reads these rows, updates the index and only then deletes them, so the database stays
the truth: a rolled-back change leaves no row, and a crashed indexer finds its work still here.
"""

from datetime import datetime
from itertools import chain

from sqlalchemy import Integer, String, event, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db
from kennisnet.search.registry import Searchable, SearchChild


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def changed_keys(session: Session) -> set[tuple[str, int]]:
    """(kind, id) of every searchable item this flush creates, changes or deletes."""
    keys: set[tuple[str, int]] = set()
    for instance in chain(session.new, session.deleted):
        keys.update(_keys_of(instance))
    for instance in session.dirty:
        if session.is_modified(instance):
            keys.update(_keys_of(instance))
    return keys


def _keys_of(instance) -> list[tuple[str, int]]:
    if not isinstance(instance, SearchChild):
        return []
    keys = [(kind, item_id) for kind, item_id in instance.search_parents() if item_id is not None]
    if isinstance(instance, Searchable) and instance.id is not None:
        keys.append((instance.search_kind, instance.id))
    return keys


@event.listens_for(Session, "after_flush")
def _record_in_outbox(session: Session, _flush_context) -> None:
    # after_flush still sees what this flush wrote (session.new/dirty/deleted are cleared only
    # afterwards), new rows already have their ids, and the insert below joins the same
    # transaction: a rollback discards the outbox rows together with the change.
    keys = changed_keys(session)
    if not keys:
        return
    now = utcnow()
    rows = [{"kind": kind, "item_id": item_id, "queued_at": now} for kind, item_id in sorted(keys)]
    session.connection().execute(insert(SearchOutbox), rows)
