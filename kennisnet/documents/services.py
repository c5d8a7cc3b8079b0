"""Changes to the library. Services flush, never commit; files are moved into place only after
every check passed, so a refused upload leaves neither a file nor a row."""

import logging
import os
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from kennisnet.database import utcnow
from kennisnet.documents import storage
from kennisnet.documents.filecheck import FileKind, Refused, sniff
from kennisnet.documents.forms import parse_tags
from kennisnet.documents.models import Document, DocumentReport, DocumentVersion
from kennisnet.extensions import db

log = logging.getLogger(__name__)

REFUSALS = {
    "empty": _l("Het bestand is leeg."),
    "markup": _l("HTML- en SVG-bestanden kunnen we niet opnemen. Sla het op als PDF."),
    "script": _l("Scripts en programma's kunnen we niet opnemen."),
    "executable": _l("Scripts en programma's kunnen we niet opnemen."),
    "macro": _l("Dit bestand bevat macro's. Sla het op als gewoon Word- of PDF-bestand "
                "zonder macro's."),
    "zip_bomb": _l("Dit bestand pakt uit tot iets veel groters dan het lijkt. Dat vertrouwen we "
                   "niet. Sla het opnieuw op als PDF."),
    "zip_path": _l("In dit bestand zitten onderdelen met een vreemde plek (zoals ../). Dat "
                   "vertrouwen we niet."),
    "corrupt": _l("Dit bestand is beschadigd of onvolledig."),
    "malware": _l("Onze controle vond een virus in dit bestand. We nemen het niet op."),
    "active_content": _l("In deze PDF zit iets dat de computer kan laten uitvoeren, zoals "
                         "JavaScript of een bijgevoegd bestand. Sla het opnieuw op met "
                         "'Afdrukken als PDF'."),
    "xml_entities": _l("Dit bestand zit op een vreemde manier in elkaar. Dat vertrouwen we "
                       "niet. Sla het opnieuw op, of kies PDF."),
    "unknown": _l("Dit soort bestand kunnen we niet opnemen. Kies een PDF, DOCX, ODT, TXT of "
                  "Markdown-bestand."),
}
NOT_STORED = _l("We kunnen het bestand nu niet bewaren. Er is iets mis met de opslag van "
                "kennisnet. Probeer het later nog eens.")
FILENAME_MAX = 120
# Names Windows reserves for devices: "CON.pdf" cannot be saved there, "NUL" swallows data.
_RESERVED_STEMS = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                   *(f"LPT{n}" for n in range(1, 10))}
_UNSAFE_NAME = re.compile(r"[^\w .()+,-]", re.UNICODE)


class UploadRefused(Exception):
    def __init__(self, message, status: int = 422):
        super().__init__(str(message))
        self.message = message
        self.status = status


def too_large_message(limit: int):
    return _l("Het bestand is te groot. Het mag hoogstens %(mb)d MB zijn.",
              mb=max(1, limit // (1024 * 1024)))


def quota_message():
    config = current_app.config
    return _l("Je ruimte voor bestanden is vol: elk lid mag in totaal hoogstens %(files)d "
              "bestanden en %(mb)d MB delen. Verwijder eerst een oud document of een versie "
              "die niet meer nodig is.", files=config["UPLOAD_QUOTA_FILES"],
              mb=config["UPLOAD_QUOTA_BYTES"] // (1024 * 1024))


@dataclass
class Allowance:
    """What a member may still upload: files and bytes."""
    files: int
    bytes: int

    @property
    def mb(self) -> int:
        return max(0, self.bytes) // (1024 * 1024)


def upload_allowance(user) -> Allowance:
    files, size = db.session.execute(
        select(func.count(DocumentVersion.id), func.coalesce(func.sum(DocumentVersion.size), 0))
        .where(DocumentVersion.uploaded_by_id == user.id)).one()
    config = current_app.config
    return Allowance(config["UPLOAD_QUOTA_FILES"] - files, config["UPLOAD_QUOTA_BYTES"] - size)


def safe_filename(original: str, extension: str) -> str:
    """The name to offer on download: no folders, no control or bidi characters, the real
    extension of the sniffed type (so "evil.pdf.exe" cannot pass for something it is not)."""
    name = unicodedata.normalize("NFC", original or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(name)[0]
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._")[:FILENAME_MAX] or "document"
    if stem.split(".")[0].upper() in _RESERVED_STEMS:
        stem = f"_{stem}"
    return f"{stem}.{extension}"


def receive_upload(file_storage, limit: int, user) -> tuple[storage.Received, FileKind]:
    """Stream an uploaded file to disk and decide its type; raises UploadRefused (no file left).

    The member's quota is checked as well. Two uploads at the same moment may both pass it:
    the quota keeps a disk from filling up, it is not a bill.
    """
    allowance = upload_allowance(user)
    if allowance.files <= 0 or allowance.bytes <= 0:
        raise UploadRefused(quota_message(), 413)
    try:
        received = storage.receive(file_storage.stream, min(limit, allowance.bytes))
    except storage.TooLarge as error:
        message = quota_message() if allowance.bytes < limit else too_large_message(limit)
        raise UploadRefused(message, 413) from error
    except OSError as error:  # disk full, read-only or over quota: not the member's doing
        log.error("upload could not be written: %s", error)
        raise UploadRefused(NOT_STORED, 503) from error
    try:
        kind = sniff(received.temp_path, file_storage.filename or "")
    except Refused as refused:
        received.discard()
        raise UploadRefused(REFUSALS.get(refused.code, REFUSALS["unknown"])) from refused
    return received, kind


def add_version(document: Document, user, received: storage.Received, kind: FileKind,
                filename: str) -> list[str]:
    """Store the file and add it as the document's newest version (extraction comes later).

    Unpublished versions it replaces (say, one with personal data in it) are dropped; returns
    their file hashes, to clean up once this is committed.
    """
    storage.store(received)
    number = (document.versions[-1].number + 1) if document.versions else 1
    drafts = [v for v in document.versions if v.published_at is None]
    for draft in drafts:
        document.versions.remove(draft)
    version = DocumentVersion(
        number=number, sha256=received.sha256, size=received.size, mime=kind.mime,
        extension=kind.extension, original_filename=safe_filename(filename, kind.extension),
        uploaded_by_id=user.id,
    )
    document.versions.append(version)
    db.session.flush()
    return [draft.sha256 for draft in drafts]


def apply_metadata(document: Document, data: dict) -> None:
    document.title = data["title"].strip()
    document.description = (data.get("description") or "").strip()
    document.doc_type = data["doc_type"]
    document.legal_form = data.get("legal_form") or None
    document.year = data.get("year")
    document.licence = data["licence"]
    document.visibility = data["visibility"]
    organisation_id = data.get("organisation_id")
    document.organisation_id = int(organisation_id) if organisation_id else None
    document.set_tags(parse_tags(data.get("tags") or ""))


def create_document(user, data: dict, received, kind, filename: str) -> Document:
    document = Document(owner_id=user.id)
    apply_metadata(document, data)
    db.session.add(document)
    add_version(document, user, received, kind, filename)
    return document


def publish_version(version: DocumentVersion) -> None:
    now = utcnow()
    version.published_at = now
    document = version.document
    if document.published_at is None:
        document.published_at = now
    document.updated_at = now
    db.session.flush()


def delete_document(document: Document) -> list[str]:
    """Delete the rows; returns the file hashes to clean up once the deletion is committed."""
    hashes = [version.sha256 for version in document.versions]
    db.session.delete(document)
    db.session.flush()
    return hashes


def hash_in_use(sha256: str) -> bool:
    return bool(db.session.scalar(select(exists().where(DocumentVersion.sha256 == sha256))))


def report_document(document: Document, user, reason: str) -> DocumentReport:
    report = DocumentReport(document_id=document.id, user_id=user.id, reason=reason.strip())
    db.session.add(report)
    db.session.flush()
    return report


def set_hidden(document: Document, hidden: bool) -> None:
    document.is_hidden = hidden
    db.session.flush()


def audit_files(grace_seconds: float, verify: bool = False) -> storage.Audit:
    """Compare the upload store with the versions in the database (see storage.audit)."""
    used = set(db.session.scalars(select(DocumentVersion.sha256).distinct()))
    return storage.audit(used, grace_seconds, verify=verify)
