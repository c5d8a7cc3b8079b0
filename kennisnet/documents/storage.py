"""Files on disk, outside static/: <UPLOAD_DIR>/ab/cd/<sha256>. Identical files are stored once.

An upload is streamed into a temporary file in the same folder tree (so the final move is an
atomic rename), hashed on the way, fsynced, checked, and only then moved into place; the row
that points to it is committed after that. A crash can therefore leave a temporary file or a
stored file without a row (both swept by `kennisnet documents check --repair`), but never a
partial file in the store or a row without its file.
"""

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field

from flask import current_app

from kennisnet.filesystem import fsync_directory

CHUNK = 64 * 1024


class TooLarge(Exception):
    pass


@dataclass
class Received:
    """An upload in a temporary file: not yet in the library."""

    temp_path: str
    sha256: str
    size: int

    def discard(self) -> None:
        try:
            os.unlink(self.temp_path)
        except FileNotFoundError:
            pass


def upload_root() -> str:
    return current_app.config["UPLOAD_DIR"]


def path_for(sha256: str) -> str:
    if len(sha256) != 64 or not all(ch in "0123456789abcdef" for ch in sha256):
        raise ValueError("not a sha256 hex digest")
    return os.path.join(upload_root(), sha256[:2], sha256[2:4], sha256)


def receive(stream, limit: int) -> Received:
    """Copy a file stream to a temporary file; raises TooLarge past `limit` bytes (no file left)."""
    temp_dir = os.path.join(upload_root(), "tmp")
    os.makedirs(temp_dir, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=temp_dir, prefix="upload-", delete=False)
    try:
        with handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge
                digest.update(chunk)
                handle.write(chunk)
            # On disk before the rename, so a crash can never leave a short file in the store.
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(handle.name)
        raise
    return Received(handle.name, digest.hexdigest(), size)


def store(received: Received) -> str:
    """Move a checked upload into place (atomically); an identical stored file is kept."""
    final = path_for(received.sha256)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    if os.path.exists(final):
        received.discard()
        # A fresh mtime keeps the orphan sweep (audit) off a file that a row is about to use.
        os.utime(final)
    else:
        os.chmod(received.temp_path, 0o640)
        os.replace(received.temp_path, final)
        fsync_directory(os.path.dirname(final))
    return final


def remove_unused(hashes, still_used) -> None:
    """Delete stored files whose hash no version refers to any more (call after commit)."""
    for sha256 in hashes:
        if not still_used(sha256):
            try:
                os.unlink(path_for(sha256))
            except FileNotFoundError:
                pass


@dataclass
class Audit:
    """What `check` found: rows without files, damaged files, orphans and leftover temp files."""

    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    temporary: list[str] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.damaged)


def stored_hashes() -> dict[str, str]:
    """{sha256: path} of every file in the store (temporary and download logs left out)."""
    found = {}
    root = upload_root()
    for folder, dirs, files in os.walk(root):
        if folder == root:
            dirs[:] = [d for d in dirs if len(d) == 2]
        for name in files:
            if len(name) == 64 and os.path.relpath(folder, root).count(os.sep) == 1:
                found[name] = os.path.join(folder, name)
    return found


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def audit(used_hashes: set[str], grace_seconds: float, verify: bool = False) -> Audit:
    """Compare the store with the hashes the database uses. Orphans and temporary files younger
    than `grace_seconds` may belong to an upload still in progress and are left out."""
    cutoff = time.time() - grace_seconds
    stored = stored_hashes()
    report = Audit(missing=sorted(used_hashes - stored.keys()))
    for sha256, path in sorted(stored.items()):
        if sha256 not in used_hashes:
            if _older_than(path, cutoff):
                report.orphans.append(path)
        elif verify and file_sha256(path) != sha256:
            report.damaged.append(path)
    temp_dir = os.path.join(upload_root(), "tmp")
    if os.path.isdir(temp_dir):
        report.temporary = sorted(
            path for name in os.listdir(temp_dir)
            if _older_than(path := os.path.join(temp_dir, name), cutoff))
    return report


def _older_than(path: str, cutoff: float) -> bool:
    try:
        return os.path.getmtime(path) <= cutoff
    except FileNotFoundError:
        return False


def remove_files(paths) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
