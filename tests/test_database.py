"""SQLite must survive several writer processes; PostgreSQL is exercised by the same suite."""

import multiprocessing
import os

import pytest
from sqlalchemy import func, select, text

from kennisnet.accounts.models import RateLimitHit

WORKERS = 4
TRANSACTIONS = 40


def _writer(database_url, instance, worker, errors):
    from kennisnet import create_app
    from kennisnet.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "SECRET_KEY": "x" * 40, "MAIL_OUTBOX_DIR": instance})
    # Each transaction runs as a POST request would, which is how writes reach the database.
    with app.test_request_context("/", method="POST"):
        for n in range(TRANSACTIONS):
            try:
                # The ORM's usual pattern: read first, then write in the same transaction.
                db.session.scalar(select(func.count(RateLimitHit.id)))
                db.session.add(RateLimitHit(key=f"w{worker}-{n}"))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - counted, the test asserts zero
                db.session.rollback()
                errors.append(f"{type(error).__name__}: {error}")


def test_sqlite_connection_settings(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific pragmas")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_concurrent_read_then_write_transactions_never_lock(app, db, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    manager = multiprocessing.Manager()
    errors = manager.list()
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    db.engine.dispose()
    processes = [context.Process(target=_writer, args=(url, str(tmp_path), w, errors))
                 for w in range(WORKERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert list(errors) == []
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == WORKERS * TRANSACTIONS
