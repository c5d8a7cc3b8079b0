"""Background work: text extraction of new versions and folding download counts into the
database. Runs in `kennisnet documents extract` (never inside a web request); tests call
extract_pending() directly. Each version is committed on its own, so one bad file cannot hold
up the others."""

import glob
import json
import logging
import os
import time
from collections import Counter

from flask import current_app
from sqlalchemy import select, update

from kennisnet.database import utcnow, writing
from kennisnet.documents import extraction, storage
from kennisnet.documents.models import Document, DocumentVersion
from kennisnet.documents.pii import find_personal_data
from kennisnet.documents.services import publish_version
from kennisnet.documents.vocab import EXTRACTED, FAILED, PENDING
from kennisnet.extensions import db

log = logging.getLogger(__name__)


def extract_version(version: DocumentVersion, result=None) -> None:
    """Extract, look for personal data, and publish when nothing needs the uploader's eye."""
    if result is None:
        result = extraction.extract(storage.path_for(version.sha256), version.mime)
    version.extracted_at = utcnow()
    if result.text is None:
        version.extraction_status = FAILED
        version.extraction_error = result.error
        version.pii_json = "[]"
    else:
        version.extraction_status = EXTRACTED
        version.extracted_text = result.text.replace("\x00", "")
        version.pii_json = json.dumps(find_personal_data(version.extracted_text))
    if not version.pii_findings:
        publish_version(version)


def extract_pending(limit: int | None = None) -> int:
    """Extract every version still waiting; returns how many were handled.

    No transaction stays open while a file is read or while the worker idles: on SQLite an
    open write transaction holds the one write lock, and every upload, post and login of the
    site would queue behind it until "database is locked".
    """
    handled = 0
    # End any read transaction left open: under SQLite's WAL it would keep showing the
    # database as it was and new uploads would never be seen.
    db.session.rollback()
    pending = [(v.id, v.sha256, v.mime) for v in db.session.execute(
        select(DocumentVersion.id, DocumentVersion.sha256, DocumentVersion.mime)
        .where(DocumentVersion.extraction_status == PENDING)
        .order_by(DocumentVersion.id).limit(limit))]
    db.session.rollback()
    for version_id, sha256, mime in pending:
        _extract_one(version_id, sha256, mime)
        handled += 1
    fold_download_counts()
    remove_stale_temp_files()
    return handled


def _extract_one(version_id: int, sha256: str, mime: str) -> None:
    try:
        result = extraction.extract(storage.path_for(sha256), mime)  # outside any transaction
        log.info("extraction of document version %s: %s in %.1f s, peak memory %.0f MiB",
                 version_id, result.error or "ok", result.seconds, result.peak_rss / 2**20)
        with writing():
            version = db.session.get(DocumentVersion, version_id)
            if version is None or version.extraction_status != PENDING:
                db.session.rollback()
                return
            extract_version(version, result)
            db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("extraction of document version %s failed", version_id)
        with writing():
            _mark_failed(version_id)


STALE_TEMP_SECONDS = 3600


def remove_stale_temp_files() -> None:
    """Uploads interrupted by a crash leave their temporary file behind; none lives an hour."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for path in glob.glob(os.path.join(current_app.config["UPLOAD_DIR"], "tmp", "upload-*")):
        try:
            if os.path.getmtime(path) < cutoff:
                os.unlink(path)
        except FileNotFoundError:
            pass


def _mark_failed(version_id: int) -> None:
    version = db.session.get(DocumentVersion, version_id)
    if version is not None:
        version.extraction_status = FAILED
        version.extraction_error = "crashed"
    db.session.commit()


def downloads_dir() -> str:
    return os.path.join(current_app.config["UPLOAD_DIR"], "downloads")


def record_download(document_id: int) -> None:
    """Append to a log instead of writing the database on GET; the worker adds them up."""
    os.makedirs(downloads_dir(), exist_ok=True)
    path = os.path.join(downloads_dir(), f"{os.getpid()}.log")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, f"{document_id}\n".encode())
    finally:
        os.close(fd)


def fold_download_counts() -> int:
    counts: Counter[int] = Counter()
    taken = []
    for path in glob.glob(os.path.join(downloads_dir(), "*.log")):
        claimed = f"{path}.{time.time_ns()}.counting"
        os.replace(path, claimed)
        taken.append(claimed)
        with open(claimed, encoding="ascii") as handle:
            counts.update(int(line) for line in handle if line.strip().isdigit())
    if counts:
        with writing():
            for document_id, count in counts.items():
                db.session.execute(update(Document).where(Document.id == document_id).values(
                    download_count=Document.download_count + count))
            db.session.commit()
    for path in taken:
        os.unlink(path)
    return sum(counts.values())


def run_worker(stop, poll: float = 1.0) -> None:
    while not stop.is_set():
        if not extract_pending(limit=20):
            stop.wait(poll)
