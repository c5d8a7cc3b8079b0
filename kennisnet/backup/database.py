"""Online snapshots of the live database and putting one back, for SQLite and PostgreSQL.

SQLite: the online backup API copies the database in one step inside one read transaction, so
the copy is a consistent snapshot while WAL lets the site keep writing; a file copy of a live
WAL database can miss committed pages or catch half-written ones. PostgreSQL: `pg_dump -Fc`
runs on a snapshot exported from our own REPEATABLE READ transaction, so the row counts and
file hashes we read for the manifest describe exactly the rows in the dump.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from kennisnet.database import BUSY_TIMEOUT_MS

# Tables whose rows name a file in UPLOAD_DIR (by its sha256) — the files a backup must carry.
FILE_REFERENCES = (("document_version", "sha256"),)
REVISION_TABLE = "alembic_version"


class DatabaseError(Exception):
    """A snapshot or restore step failed; the message is for the operator."""


@dataclass
class SnapshotInfo:
    """What a snapshot holds: rows per table, the schema revision and the files it refers to."""

    tables: dict[str, int]
    revision: str | None
    file_hashes: set[str] = field(default_factory=set)


def dialect_of(engine: Engine) -> str:
    return engine.dialect.name


def sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise DatabaseError("Een SQLite-database in het geheugen kan geen back-up krijgen.")
    return path


# ---- reading a snapshot -------------------------------------------------------------------

def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _describe(execute, table_names: list[str]) -> SnapshotInfo:
    """Rows per table, revision and referenced files, through `execute(sql) -> rows`."""
    # Identifiers come from the database's own catalogue or our constants, and are quoted.
    tables = {name: execute(f"SELECT count(*) FROM {_quote(name)}")[0][0]  # noqa: S608
              for name in sorted(table_names)}
    revision = None
    if REVISION_TABLE in tables:
        rows = execute(f"SELECT version_num FROM {REVISION_TABLE}")  # noqa: S608
        revision = ",".join(sorted(row[0] for row in rows)) or None
    hashes: set[str] = set()
    for table, column in FILE_REFERENCES:
        if table in tables:
            hashes.update(row[0] for row in execute(
                f"SELECT DISTINCT {_quote(column)} FROM {_quote(table)}")  # noqa: S608
                if row[0])
    return SnapshotInfo(tables, revision, hashes)


def _read_only(path: str, **options) -> sqlite3.Connection:
    """A connection that cannot change the file (and will not create a missing one)."""
    return sqlite3.connect(Path(os.path.abspath(path)).as_uri() + "?mode=ro", uri=True,
                           **options)


def describe_sqlite_file(path: str) -> SnapshotInfo:
    connection = _read_only(path)
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return _describe(lambda sql: connection.execute(sql).fetchall(), names)
    finally:
        connection.close()


def describe_connection(connection: Connection) -> SnapshotInfo:
    """The same description through SQLAlchemy, e.g. inside a PostgreSQL snapshot transaction."""
    names = inspect(connection).get_table_names()
    return _describe(lambda sql: connection.execute(text(sql)).fetchall(), names)


def sqlite_integrity(path: str) -> list[str]:
    """Problems SQLite finds in a database file: [] when `integrity_check` says ok and no
    foreign key points nowhere."""
    connection = _read_only(path)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        problems += [f"foreign key: {row}"
                     for row in connection.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        connection.close()


# ---- SQLite ----------------------------------------------------------------------------------

def snapshot_sqlite(engine: Engine, destination: str) -> SnapshotInfo:
    """Copy the live database to `destination` with the backup API; describe the copy."""
    source = _read_only(sqlite_path(engine), timeout=BUSY_TIMEOUT_MS / 1000)
    target = sqlite3.connect(destination)
    try:
        # pages=-1 copies everything in one step, under one read transaction: a snapshot.
        source.backup(target, pages=-1)
        # The copy inherits WAL mode; a rollback journal makes it one self-contained file.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    problems = sqlite_integrity(destination)
    if problems:
        raise DatabaseError("De kopie van de database is beschadigd: " + "; ".join(problems[:5]))
    return describe_sqlite_file(destination)


def restore_sqlite(engine: Engine, snapshot: str) -> None:
    """Replace the whole target database with the snapshot (page by page, via the backup API,
    so an open WAL or journal of the target stays consistent)."""
    engine.dispose()
    path = sqlite_path(engine)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    source = _read_only(snapshot)
    target = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()
    engine.dispose()


# ---- PostgreSQL ------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    """A PostgreSQL client program: from PATH, else the newest Debian install."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if not candidates:
        raise DatabaseError(f"{name} is niet gevonden; installeer de PostgreSQL-clientprogramma's.")
    return candidates[-1]


def _pg_target(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it: a
    password on the command line would be visible to every user in `ps`."""
    url = engine.url
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    # Passed through so that PATH, locale and libpq settings of the operator still apply.
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def _run(arguments: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise DatabaseError(f"{what} mislukt (code {result.returncode}): " + " | ".join(detail))


@contextmanager
def _snapshot_transaction(engine: Engine) -> Iterator[tuple[Connection, str]]:
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            yield connection, snapshot_id


def snapshot_postgresql(engine: Engine, destination: str) -> SnapshotInfo:
    """`pg_dump -Fc` of the database into `destination`, described from the same snapshot."""
    conninfo, env = _pg_target(engine)
    with _snapshot_transaction(engine) as (connection, snapshot_id):
        _run([_pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}",
              f"--file={destination}", f"--dbname={conninfo}"], env, "pg_dump")
        return describe_connection(connection)


def restore_postgresql(engine: Engine, dump: str) -> None:
    """`pg_restore` in one transaction: a failure leaves the target as it was. --clean drops
    the archive's objects first, so a target that only has the (empty) schema works too."""
    engine.dispose()
    conninfo, env = _pg_target(engine)
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", dump],
         env, "pg_restore")
    engine.dispose()


def postgresql_problems(connection: Connection) -> list[str]:
    """PostgreSQL's counterpart of integrity_check after a restore: every constraint was
    validated and every index was built."""
    invalid = connection.execute(text(
        "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = current_schema() AND NOT c.convalidated")).scalars().all()
    broken = connection.execute(text(
        "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c "
        "ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)"
    )).scalars().all()
    return ([f"constraint not validated: {name}" for name in invalid]
            + [f"index not valid: {name}" for name in broken])


# ---- both ------------------------------------------------------------------------------------

def snapshot(engine: Engine, destination: str) -> SnapshotInfo:
    if dialect_of(engine) == "sqlite":
        return snapshot_sqlite(engine, destination)
    if dialect_of(engine) == "postgresql":
        return snapshot_postgresql(engine, destination)
    raise DatabaseError(f"Back-ups van {dialect_of(engine)} worden niet ondersteund.")


def restore(engine: Engine, snapshot_file: str) -> None:
    if dialect_of(engine) == "sqlite":
        restore_sqlite(engine, snapshot_file)
    else:
        restore_postgresql(engine, snapshot_file)


def describe_live(engine: Engine) -> SnapshotInfo:
    with engine.connect() as connection:
        return describe_connection(connection)


def integrity_problems(engine: Engine) -> list[str]:
    if dialect_of(engine) == "sqlite":
        return sqlite_integrity(sqlite_path(engine))
    with engine.connect() as connection:
        return postgresql_problems(connection)


def rows_present(engine: Engine) -> dict[str, int]:
    """Tables that already hold rows (the schema revision does not count as data)."""
    info = describe_live(engine)
    return {name: count for name, count in info.tables.items()
            if count and name != REVISION_TABLE}
