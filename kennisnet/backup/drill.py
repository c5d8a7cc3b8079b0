"""The restore drill: prove that the newest back-up can be put back, without touching the site.

A back-up nobody has restored is a hope, not a back-up. The drill restores an archive into a
scratch instance beside the live one (a temporary folder, and for PostgreSQL a temporary
database on the same server), with every check `restore` makes: the files' hashes, the
database's integrity and row counts, and a rebuilt search index that must match the database.
It reports how old the archive was (what a restore would lose) and how long the restore took
(how long the site would be down), then removes the scratch instance.
"""

import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kennisnet.backup import archive
from kennisnet.backup.services import ARCHIVE_SUFFIX, BackupError, default_folder
from kennisnet.database import utcnow
from kennisnet.extensions import db

SCRATCH_SUFFIX = "_restore_drill"
SCRATCH_PREFIX = ".kennisnet-drill-"
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass
class DrillResult:
    archive: Path
    age_hours: float
    rows: int
    tables: int
    files: int
    indexed: int
    restore_seconds: float
    index_differences: int
    damaged_before: int  # files missing or damaged already when the back-up was made


def newest_archive(folder: Path | None = None) -> Path:
    folder = folder or default_folder()
    archives = sorted(folder.glob(f"kennisnet-*{ARCHIVE_SUFFIX}")) if folder.is_dir() else []
    if not archives:
        raise BackupError(f"Geen back-up gevonden in {folder}. Maak er eerst een met "
                          "`kennisnet backup`.")
    return archives[-1]  # the names hold the UTC time, so the last is the newest


def archive_age_hours(manifest: dict, now: datetime | None = None) -> float:
    created = datetime.strptime(manifest["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return ((now or utcnow()) - created).total_seconds() / 3600


def run_drill(archive_path: Path) -> DrillResult:
    """Restore the archive into a scratch instance, check it, and remove the scratch."""
    from kennisnet import create_app
    from kennisnet.backup.services import restore_archive
    from kennisnet.search.indexer import check

    with archive.Reader(archive_path) as reader:
        age = archive_age_hours(reader.manifest)
    live = current_app.config
    # The scratch instance waits beside the archive: that disk held the archive already.
    with _scratch_instance(live["SQLALCHEMY_DATABASE_URI"], archive_path.parent) as (
            folder, database_url):
        scratch = create_app({**live, "SQLALCHEMY_DATABASE_URI": database_url,
                              "UPLOAD_DIR": str(folder / "uploads"),
                              "SEARCH_INDEX_DIR": str(folder / "search-index"),
                              "MAIL_OUTBOX_DIR": str(folder / "mail"),
                              "PAGE_CACHE_SECONDS": 0,
                              "PAGE_CACHE_VERSION_FILE": str(folder / "content-version")})
        with _inside(scratch):
            started = time.monotonic()
            restored = restore_archive(str(archive_path))
            seconds = time.monotonic() - started
            differences = check().differences
    manifest = restored.manifest
    return DrillResult(archive_path, age, sum(manifest["tables"].values()),
                       len(manifest["tables"]), len(manifest["files"]), restored.indexed,
                       seconds, differences,
                       len(manifest["missing_files"]) + len(manifest["damaged_files"]))


@contextmanager
def _inside(app: Flask):
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()  # before a PostgreSQL scratch database is dropped


@contextmanager
def _scratch_instance(live_url: str, beside: Path):
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=beside))
    database_url = None
    try:
        if live_url.startswith("postgresql"):
            database_url = _create_scratch_database(live_url)
        else:
            database_url = "sqlite:///" + str(folder / "kennisnet.sqlite3")
        yield folder, database_url
    finally:
        if database_url and database_url.startswith("postgresql"):
            _drop_database(database_url)
        shutil.rmtree(folder, ignore_errors=True)


def _create_scratch_database(live_url: str) -> str:
    """A new database beside the live one; the site's role needs the CREATEDB right."""
    url = make_url(live_url)
    name = f"{url.database}{SCRATCH_SUFFIX}"
    if not _PLAIN_NAME.match(name):
        raise BackupError(f"De naam van de database ({url.database!r}) is te bijzonder voor een "
                          "oefendatabase; gebruik letters, cijfers en _.")
    scratch = url.set(database=name).render_as_string(hide_password=False)
    _drop_database(scratch)  # left by a drill that was killed
    with _server(url) as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return scratch


def _drop_database(scratch_url: str) -> None:
    url = make_url(scratch_url)
    if not url.database.endswith(SCRATCH_SUFFIX) or not _PLAIN_NAME.match(url.database):
        raise BackupError(f"{url.database!r} is geen oefendatabase; die wordt niet verwijderd.")
    with _server(url) as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))


@contextmanager
def _server(url):
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
