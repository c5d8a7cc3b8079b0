"""Connection settings that make SQLite safe for several writer processes.

With SQLite's default deferred BEGIN, a transaction that reads and then writes cannot be
upgraded while another process writes, and the busy timeout does not apply to that upgrade:
most concurrent read-then-write requests fail with "database is locked". Beginning write
transactions IMMEDIATE takes the write lock up front, so writers queue on busy_timeout instead.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_TIMEOUT_MS = 15000

_writing_outside_requests: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Mark work outside a request (workers, commands) as a writer, so SQLite begins IMMEDIATE."""
    token = _writing_outside_requests.set(True)
    try:
        yield
    finally:
        _writing_outside_requests.reset(token)


LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A lower-case LIKE pattern matching `text` anywhere, with % and _ taken literally
    (use with escape=LIKE_ESCAPE)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _begins_immediate() -> bool:
    if has_request_context():
        return request.method not in READ_ONLY_METHODS
    return _writing_outside_requests.get()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    if connection.dialect.name != "sqlite":
        return
    # Page views keep the cheap deferred BEGIN so readers never queue behind writers; an idle
    # session outside a request must not hold the write lock either.
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _begins_immediate() else "BEGIN")
