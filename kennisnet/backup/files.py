"""Uploaded files for a back-up: pinned with hard links so that they match the snapshot.

Uploads are stored by content (<UPLOAD_DIR>/ab/cd/<sha256>), moved into place before the row
that names them is committed, and unlinked only after the row is gone. So every file a snapshot
refers to existed when the snapshot was taken; the only danger is that it is deleted (its
document removed) before we have copied it. Hard-linking every stored file into a private
folder just before the snapshot, and the newer ones the snapshot names just after it, keeps
those files alive however long the archive takes. Only files named by the snapshot go into the
archive, so a file uploaded after the snapshot never appears without its row.
"""

import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

CHUNK = 1024 * 1024
STALE_SECONDS = 24 * 3600  # no back-up or restore runs this long
HASH_NAME = re.compile(r"[0-9a-f]{64}")


def relative_path(sha256: str) -> str:
    """Where a stored file lives below UPLOAD_DIR (the layout of documents.storage)."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def is_hash(name: str) -> bool:
    return bool(HASH_NAME.fullmatch(name))


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_hashes(upload_dir: str) -> set[str]:
    """Hashes of every stored file (not the temporary uploads or download logs)."""
    found = set()
    for first in _subdirs(upload_dir, 2):
        for second in _subdirs(os.path.join(upload_dir, first), 2):
            folder = os.path.join(upload_dir, first, second)
            found.update(name for name in os.listdir(folder)
                         if is_hash(name) and name.startswith(first + second))
    return found


def _subdirs(folder: str, width: int) -> list[str]:
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return [n for n in names if len(n) == width and all(c in "0123456789abcdef" for c in n)
            and os.path.isdir(os.path.join(folder, n))]


def private_folder(upload_dir: str, prefix: str) -> str:
    """A new folder in UPLOAD_DIR/tmp: on the same file system as the stored files, so hard
    links and atomic renames work. Ones left by a killed run are removed after a day."""
    temp_root = os.path.join(upload_dir, "tmp")
    os.makedirs(temp_root, exist_ok=True)
    remove_stale(temp_root, prefix)
    return tempfile.mkdtemp(prefix=prefix, dir=temp_root)


def remove_stale(folder: str | Path, prefix: str) -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in Path(folder).glob(prefix + "*"):
        try:
            if path.lstat().st_mtime < cutoff:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except FileNotFoundError:
            pass


class Pins:
    """Hard links to stored files in a private folder inside UPLOAD_DIR (same file system)."""

    def __init__(self, upload_dir: str):
        self.upload_dir = upload_dir
        self.folder = private_folder(upload_dir, "backup-")

    def pin(self, hashes: set[str]) -> None:
        for sha256 in hashes:
            pinned = self.path(sha256)
            if os.path.exists(pinned):
                continue
            try:
                os.link(os.path.join(self.upload_dir, relative_path(sha256)), pinned)
            except FileNotFoundError:
                continue  # deleted meanwhile: then no row of the snapshot names it
            except OSError:
                # A file system without hard links: a copy protects the file just as well.
                shutil.copyfile(os.path.join(self.upload_dir, relative_path(sha256)), pinned)

    def path(self, sha256: str) -> str:
        return os.path.join(self.folder, sha256)

    def has(self, sha256: str) -> bool:
        return os.path.exists(self.path(sha256))

    def release(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def place(upload_dir: str, staged: str, relative: str) -> None:
    """Move a verified file to `relative` below UPLOAD_DIR in one atomic rename."""
    final = os.path.join(upload_dir, relative)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    os.chmod(staged, 0o640)
    os.replace(staged, final)


def hash_problems(upload_dir: str, expected: dict[str, dict]) -> list[str]:
    """Files of the manifest that are missing or whose content differs below UPLOAD_DIR."""
    problems = []
    for relative, entry in sorted(expected.items()):
        path = os.path.join(upload_dir, relative)
        if not os.path.isfile(path):
            problems.append(f"ontbreekt: {relative}")
        elif file_sha256(path) != entry["sha256"]:
            problems.append(f"andere inhoud: {relative}")
    return problems
