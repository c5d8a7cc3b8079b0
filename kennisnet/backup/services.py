"""Back-up and restore of a whole instance: database, uploaded files and a manifest.

`make_backup` runs while the site keeps working: it pins the stored files, takes an online
snapshot of the database, pins the files the snapshot names that appeared meanwhile, and
archives exactly the files the snapshot refers to (see files.py for why that is consistent).
The search index is left out on purpose: `restore_archive` rebuilds it from the database.
"""

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from flask import current_app

from kennisnet.backup import archive, database, files
from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.pagecache import bump_content_version

ARCHIVE_SUFFIX = ".tar.gz"
WORK_PREFIX = ".kennisnet-backup-"


class BackupError(Exception):
    """A back-up or restore cannot go ahead; the message is for the operator."""


class RestoreRefused(BackupError):
    """The target instance already holds data."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size: int
    seconds: float


@dataclass
class RestoreResult:
    manifest: dict
    indexed: int
    seconds: float


# ---- back-up ---------------------------------------------------------------------------------

def default_folder() -> Path:
    return Path(current_app.instance_path) / "backups"


def archive_name(now: datetime) -> str:
    return f"kennisnet-{now:%Y%m%dT%H%M%SZ}{ARCHIVE_SUFFIX}"


def output_path(output: str | None, now: datetime) -> Path:
    """The archive to write: a given name ending in .tar.gz, else a timestamped name in the
    given folder or in the default one (created if need be)."""
    if output is None or not output.endswith(ARCHIVE_SUFFIX):
        folder = Path(output) if output else default_folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / archive_name(now)
    else:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise BackupError(f"{path} bestaat al; kies een andere naam.")
    return path


def make_backup(output: str | None = None) -> BackupResult:
    """Write one archive of this instance; raises BackupError (or a database/archive error)."""
    started, now = time.monotonic(), utcnow()
    dialect = database.dialect_of(db.engine)
    if dialect not in archive.DATABASE_MEMBERS:
        raise BackupError(f"Back-ups van een {dialect}-database worden niet ondersteund.")
    path = output_path(output, now)
    upload_dir = current_app.config["UPLOAD_DIR"]
    # The snapshot waits beside the archive: that disk must hold the archive anyway. Work
    # folders and half archives (.kennisnet-….part) of a killed run go after a day.
    files.remove_stale(path.parent, ".kennisnet-")
    work = tempfile.mkdtemp(prefix=WORK_PREFIX, dir=path.parent)
    pins = None
    try:
        pins = files.Pins(upload_dir)
        pins.pin(files.stored_hashes(upload_dir))
        database_file = os.path.join(work, os.path.basename(archive.DATABASE_MEMBERS[dialect]))
        info = database.snapshot(db.engine, database_file)
        named = {sha256 for sha256 in info.file_hashes if files.is_hash(sha256)}
        pins.pin(named)
        entries = _file_entries(pins, named)
        manifest = build_manifest(now, dialect, info, database_file, entries,
                                  missing=sorted(info.file_hashes - set(entries)))
        uploads = [(files.relative_path(sha256), pins.path(sha256)) for sha256 in sorted(entries)]
        size = archive.write(path, manifest, database_file, uploads)
    finally:
        if pins is not None:
            pins.release()
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(path, manifest, size, time.monotonic() - started)


def _file_entries(pins: files.Pins, named: set[str]) -> dict[str, dict]:
    """sha256 name -> {sha256 of the content, size} for every named file we could pin."""
    entries = {}
    for sha256 in sorted(named):
        if pins.has(sha256):
            path = pins.path(sha256)
            entries[sha256] = {"sha256": files.file_sha256(path), "size": os.path.getsize(path)}
    return entries


def app_version() -> str:
    try:
        return metadata.version("kennisnet")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_manifest(now: datetime, dialect: str, info: database.SnapshotInfo,
                   database_file: str, entries: dict[str, dict], missing: list[str]) -> dict:
    return {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "app_version": app_version(),
        "dialect": dialect,
        "alembic_revision": info.revision,
        "tables": info.tables,
        "database": {"file": archive.DATABASE_MEMBERS[dialect],
                     "sha256": files.file_sha256(database_file),
                     "size": os.path.getsize(database_file)},
        "files": {files.relative_path(sha256): entry for sha256, entry in entries.items()},
        # Named by a row but absent from UPLOAD_DIR, or stored with other content than its
        # name says: damage that existed before the back-up, listed so an operator sees it.
        "missing_files": missing,
        "damaged_files": sorted(files.relative_path(sha256) for sha256, entry in entries.items()
                                if entry["sha256"] != sha256),
    }


# ---- restore ---------------------------------------------------------------------------------

def restore_archive(path: str, force: bool = False) -> RestoreResult:
    """Put an archive back into this (empty) instance, check it and rebuild the search index.

    Raises RestoreRefused when the database holds data and `force` is not given, and
    BackupError or an archive error when the archive or the result does not match the manifest.
    Nothing is changed before the whole archive has been read and verified.
    """
    started = time.monotonic()
    upload_dir = current_app.config["UPLOAD_DIR"]
    with archive.Reader(Path(path)) as reader:
        manifest = reader.manifest
        _check_target(manifest, force)
        staging = files.private_folder(upload_dir, "restore-")
        try:
            database_file = os.path.join(staging, "database")
            reader.extract(database_file, lambda relative: os.path.join(
                staging, os.path.basename(relative)))
            _restore_database(manifest, database_file)
            for relative in manifest["files"]:
                files.place(upload_dir, os.path.join(staging, os.path.basename(relative)),
                            relative)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    _require_no_problems(files.hash_problems(upload_dir, manifest["files"]),
                         "De teruggezette bestanden kloppen niet met het manifest")
    # The database was replaced beneath the ORM: pages kept by running workers are stale.
    bump_content_version(current_app)
    return RestoreResult(manifest, rebuild_search_index(), time.monotonic() - started)


def _check_target(manifest: dict, force: bool) -> None:
    dialect = database.dialect_of(db.engine)
    if manifest.get("dialect") != dialect:
        raise BackupError(f"Deze back-up komt uit {manifest.get('dialect')}; deze installatie "
                          f"gebruikt {dialect}. Zet hem terug in een installatie met "
                          f"{manifest.get('dialect')}.")
    bad = [name for name in manifest.get("files", {})
           if name != files.relative_path(os.path.basename(name))
           or not files.is_hash(os.path.basename(name))]
    if bad:
        raise BackupError(f"Het manifest noemt een ongeldig bestandspad: {bad[0]!r}.")
    db.session.remove()
    present = database.rows_present(db.engine)
    if present and not force:
        example = ", ".join(f"{name} ({count})" for name, count in sorted(present.items())[:3])
        raise RestoreRefused(
            f"De database bevat al gegevens in {len(present)} tabellen, zoals {example}. "
            "Zet een back-up alleen terug in een lege installatie, of geef --force om alles "
            "te overschrijven.")


def _restore_database(manifest: dict, database_file: str) -> None:
    db.session.remove()
    database.restore(db.engine, database_file)
    _require_no_problems(database.integrity_problems(db.engine),
                         "De teruggezette database is niet in orde")
    _require_no_problems(count_problems(manifest["tables"]),
                         "De teruggezette database klopt niet met het manifest")


def count_problems(expected: dict[str, int]) -> list[str]:
    live = database.describe_live(db.engine).tables
    return [f"{name}: {live.get(name)} rijen, verwacht {count}"
            for name, count in sorted(expected.items()) if live.get(name) != count]


def _require_no_problems(problems: list[str], message: str) -> None:
    if problems:
        shown = "; ".join(problems[:5]) + (" …" if len(problems) > 5 else "")
        raise BackupError(f"{message}: {shown}")


def rebuild_search_index() -> int:
    """A fresh index from the restored database; then the outbox the snapshot carried, so
    `search check` has nothing pending."""
    from kennisnet.search import drain_outbox
    from kennisnet.search.indexer import rebuild

    count = rebuild()
    drain_outbox()
    return count
