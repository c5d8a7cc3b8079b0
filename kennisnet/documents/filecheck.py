"""Decide a file's type from its bytes and refuse anything unsafe.

Standard library only: the extraction child process imports this module without the app.
"""

import io
import mmap
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
MARKDOWN = "text/markdown"

MAX_ZIP_ENTRIES = 1000
MAX_ENTRY_SIZE = 100 * 1024 * 1024
MAX_TOTAL_SIZE = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # small entries may compress well without being a bomb
SNIFF_BYTES = 4096
XML_HEAD = 64 * 1024
MAX_NESTED_SIZE = 20 * 1024 * 1024

DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe|<!--)", re.I)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_SCRIPT_MAGIC = (b"#!", b"<?php", b"<%")
_PDF_STREAM_OR_NAME = re.compile(rb"stream\r?\n.*?endstream|/([^\s/<>\[\]()%{}]{2,64})", re.S)
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
ACTIVE_PDF_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles",
                              b"RichMedia", b"ImportData"})
# Split so that no scanner takes this source file for the test file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa", b"\xca\xfe\xba\xbe")


class Refused(Exception):
    """The file is not accepted; `code` names the reason (the web layer words it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class FileKind:
    mime: str
    extension: str


def sniff(path: str, filename: str = "") -> FileKind:
    """The type of the file at `path`, decided from its bytes; raises Refused."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise Refused("empty")
    _check_raw_bytes(path)
    if head.startswith(b"%PDF-"):
        check_pdf_names(path)
        return FileKind(PDF, "pdf")
    if head.startswith(b"PK\x03\x04"):
        return check_zip(path)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise Refused("executable")
    if head.lstrip().startswith(_SCRIPT_MAGIC):
        raise Refused("script")
    if _MARKUP.match(_strip_bom(head)) or b"<svg" in head.lower():
        raise Refused("markup")
    _check_text(path)
    is_markdown = os.path.splitext(filename.lower())[1] in (".md", ".markdown")
    return FileKind(MARKDOWN, "md") if is_markdown else FileKind(TEXT, "txt")


def _mapped(path: str):
    handle = open(path, "rb")
    try:
        return handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except BaseException:
        handle.close()
        raise


def _check_raw_bytes(path: str) -> None:
    # The EICAR test string stands in for malware: no scanner daemon runs beside kennisnet,
    # but the standard test file must never end up in the library.
    handle, data = _mapped(path)
    with handle, data:
        if data.find(EICAR) != -1:
            raise Refused("malware")


def check_pdf_names(path: str) -> None:
    """Refuse PDFs that name JavaScript, launch actions or embedded files outside their
    streams; names may be written with #xx escapes (/J#61vaScript), so decode them. Stream
    data is skipped (compressed bytes would give false alarms); what hides in compressed
    object streams the extraction child finds (extract_child.py)."""
    handle, data = _mapped(path)
    with handle, data:
        for match in _PDF_STREAM_OR_NAME.finditer(data):
            raw = match.group(1)
            if raw and _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw) in (
                    ACTIVE_PDF_NAMES):
                raise Refused("active_content")


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _check_text(path: str) -> None:
    """Plain text must be UTF-8 without control bytes; anything else is a binary we do not know."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        while chunk := handle.read(64 * 1024):
            if b"\x00" in chunk:
                raise Refused("unknown")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise Refused("unknown") from error
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise Refused("unknown") from error


def check_zip(path: str) -> FileKind:
    """DOCX or ODT after the zip checks; raises Refused for bombs, odd paths and macros."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_entries(infos)
            names = {info.filename for info in infos}
            if "mimetype" in names:
                kind = _odf_kind(archive, infos, names)
            elif "[Content_Types].xml" in names:
                kind = _ooxml_kind(archive, names)
            else:
                raise Refused("unknown")
            _scan_entries(archive, infos)
            return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError,
            ValueError) as error:
        raise Refused("corrupt") from error


def _scan_entries(archive: zipfile.ZipFile, infos, depth: int = 0) -> None:
    """Read every entry once (the size checks above bound the work): no EICAR, no DTD or
    entity declarations in the XML (Word and LibreOffice never write them; XXE and
    billion-laughs files do), and archives inside archives only one level deep and small."""
    for info in infos:
        if info.is_dir():
            continue
        with archive.open(info) as handle:
            head = handle.read(XML_HEAD)
            if info.filename.lower().endswith((".xml", ".rels")) and _DTD.search(head):
                raise Refused("xml_entities")
            if head.startswith(b"PK\x03\x04"):
                _check_nested(archive, info, depth)
            tail, data = b"", head
            while data:
                if EICAR in tail + data:
                    raise Refused("malware")
                tail, data = data[-len(EICAR):], handle.read(1024 * 1024)


def _check_nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo, depth: int) -> None:
    # A chart in a Word file is a small spreadsheet, itself a zip; a bomb is something else.
    if depth >= 1 or info.file_size > MAX_NESTED_SIZE:
        raise Refused("zip_bomb")
    with zipfile.ZipFile(io.BytesIO(archive.read(info))) as inner:
        inner_infos = inner.infolist()
        _check_entries(inner_infos)
        _scan_entries(inner, inner_infos, depth + 1)


def _check_entries(infos) -> None:
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Refused("zip_bomb")
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
            raise Refused("zip_path")
        if name in seen or info.flag_bits & 0x1:  # duplicate entries hide content; 0x1: encrypted
            raise Refused("zip_path")
        seen.add(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Refused("zip_path")
        total += info.file_size
        if info.file_size > MAX_ENTRY_SIZE or total > MAX_TOTAL_SIZE:
            raise Refused("zip_bomb")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise Refused("zip_bomb")


def _odf_kind(archive: zipfile.ZipFile, infos, names: set[str]) -> FileKind:
    # ODF requires the mimetype entry first, so the type can be read without unzipping.
    if infos[0].filename != "mimetype" or infos[0].file_size > 100:
        raise Refused("unknown")
    if archive.read("mimetype").strip() != ODT.encode():
        raise Refused("unknown")
    if any(n.startswith(("Basic/", "Scripts/")) for n in names):
        raise Refused("macro")
    return FileKind(ODT, "odt")


def _ooxml_kind(archive: zipfile.ZipFile, names: set[str]) -> FileKind:
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > 1024 * 1024:
        raise Refused("zip_bomb")
    types = archive.read(info)
    if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused("macro")
    if DOCX_MAIN not in types:
        raise Refused("unknown")
    return FileKind(DOCX, "docx")
