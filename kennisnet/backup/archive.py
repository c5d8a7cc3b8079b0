"""The archive: a gzipped tar with manifest.json first, then the database, then the uploads.

It is written under a temporary name in the target folder and renamed when complete, so a
crash or a full disk never leaves something that looks like a back-up. Reading accepts only the
members the manifest announces, with the announced hashes: a damaged or tampered archive is
refused before anything is restored.
"""

import hashlib
import io
import json
import os
import tarfile
import time
from collections.abc import Iterable
from pathlib import Path

from kennisnet.backup.files import CHUNK
from kennisnet.filesystem import fsync_directory

FORMAT = "kennisnet-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads/"
DATABASE_MEMBERS = {"sqlite": "database/kennisnet.sqlite3",
                    "postgresql": "database/kennisnet.pgdump"}
# Uploads are mostly PDF and Office files, compressed already; level 1 still halves a SQLite
# file and costs a fraction of the default level's time, which bounds the restore time.
COMPRESSLEVEL = 1


class ArchiveError(Exception):
    """The archive cannot be used; the message is for the operator."""


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # Owner names and ids of the backup host mean nothing on the restore host.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o640
    return info


def write(final: Path, manifest: dict, database_file: str,
          uploads: Iterable[tuple[str, str]]) -> int:
    """Write the archive to `final` atomically; `uploads` are (path below UPLOAD_DIR, file).
    Returns the archive's size in bytes."""
    temporary = final.with_name(f".{final.name}.{os.getpid()}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data inside
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESSLEVEL) as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
                tar.add(database_file, arcname=manifest["database"]["file"], recursive=False,
                        filter=_normalised)
                for relative, path in uploads:
                    tar.add(path, arcname=UPLOADS + relative, recursive=False,
                            filter=_normalised)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(final.parent)
    return final.stat().st_size


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = _normalised(tarfile.TarInfo(name))
    info.size, info.mtime = len(data), int(time.time())
    tar.addfile(info, io.BytesIO(data))


def _well_formed(manifest: dict) -> bool:
    database, tables, files = (manifest.get(key) for key in ("database", "tables", "files"))
    return (isinstance(database, dict) and isinstance(tables, dict) and isinstance(files, dict)
            and DATABASE_MEMBERS.get(manifest.get("dialect")) == database.get("file")
            and isinstance(database.get("sha256"), str)
            and all(isinstance(n, str) and isinstance(c, int) for n, c in tables.items())
            and all(isinstance(e, dict) and isinstance(e.get("sha256"), str)
                    for e in files.values()))


class Reader:
    """One pass over an archive: the manifest, then each member copied out and verified."""

    def __init__(self, path: Path):
        try:
            self.tar = tarfile.open(path, mode="r:*")
        except (OSError, tarfile.TarError) as error:
            raise ArchiveError(f"{path} is geen leesbaar back-uparchief ({error}).") from error
        self.manifest = self._read_manifest()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.tar.close()

    def _read_manifest(self) -> dict:
        member = self._next()
        if member is None or member.name != MANIFEST or not member.isfile():
            raise ArchiveError(f"Het archief begint niet met {MANIFEST}.")
        try:
            manifest = json.loads(self.tar.extractfile(member).read())
        except ValueError as error:
            raise ArchiveError(f"{MANIFEST} is geen geldige JSON.") from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
                or manifest.get("format_version") != FORMAT_VERSION:
            raise ArchiveError("Dit is geen kennisnet-back-up in een bekende versie.")
        if not _well_formed(manifest):
            raise ArchiveError(f"{MANIFEST} is onvolledig of heeft een onbekende vorm.")
        return manifest

    def _next(self) -> tarfile.TarInfo | None:
        try:
            return self.tar.next()
        except (OSError, EOFError, tarfile.TarError) as error:
            raise ArchiveError(f"Het archief is beschadigd ({error}).") from error

    def extract(self, database_target: str, upload_target) -> None:
        """Copy the database to `database_target` and each upload to `upload_target(relative)`,
        checking every member against the manifest; raises ArchiveError on any difference."""
        expected = {self.manifest["database"]["file"]: (self.manifest["database"]["sha256"],
                                                        lambda: database_target)}
        for relative, entry in self.manifest["files"].items():
            expected[UPLOADS + relative] = (entry["sha256"],
                                            lambda relative=relative: upload_target(relative))
        while (member := self._next()) is not None:
            if member.name not in expected or not member.isfile():
                raise ArchiveError(f"Onverwacht onderdeel in het archief: {member.name!r}.")
            sha256, target = expected.pop(member.name)
            self._copy_verified(member, target(), sha256)
        if expected:
            raise ArchiveError(f"{len(expected)} onderdelen ontbreken in het archief, "
                               f"bijvoorbeeld {sorted(expected)[0]}.")

    def _copy_verified(self, member: tarfile.TarInfo, target: str, sha256: str) -> None:
        digest = hashlib.sha256()
        try:
            source = self.tar.extractfile(member)
            with open(target, "xb") as handle:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
        except (OSError, EOFError, tarfile.TarError) as error:
            raise ArchiveError(f"{member.name} kon niet gelezen worden ({error}).") from error
        if digest.hexdigest() != sha256:
            os.unlink(target)
            raise ArchiveError(f"{member.name} wijkt af van het manifest (sha256 klopt niet).")
