"""Files on disk, outside static/: <UPLOAD_DIR>/ab/cd/<sha256>. Identical files are stored once.

An upload is streamed into a temporary file in the same folder tree (so the final move is an
atomic rename), hashed on the way, checked, and only then moved into place.
"""

import hashlib
import os
import tempfile
from dataclasses import dataclass

from flask import current_app

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
    else:
        os.chmod(received.temp_path, 0o640)
        os.replace(received.temp_path, final)
    return final


def remove_unused(hashes, still_used) -> None:
    """Delete stored files whose hash no version refers to any more (call after commit)."""
    for sha256 in hashes:
        if not still_used(sha256):
            try:
                os.unlink(path_for(sha256))
            except FileNotFoundError:
                pass
