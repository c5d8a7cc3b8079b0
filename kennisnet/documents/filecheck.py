"""Decide a file's type from its bytes and refuse anything unsafe.

Standard library only: the extraction child process imports this module without the app.
"""

import os
import re
import stat
import zipfile
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

DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<head|<body|<iframe|<!--)", re.I)
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
    if head.startswith(b"%PDF-"):
        return FileKind(PDF, "pdf")
    if head.startswith(b"PK\x03\x04"):
        return check_zip(path)
    if head.startswith(_EXECUTABLE_MAGIC):
        raise Refused("executable")
    if head.lstrip().startswith(b"#!"):
        raise Refused("script")
    if _MARKUP.match(_strip_bom(head)) or b"<svg" in head.lower():
        raise Refused("markup")
    _check_text(path)
    is_markdown = os.path.splitext(filename.lower())[1] in (".md", ".markdown")
    return FileKind(MARKDOWN, "md") if is_markdown else FileKind(TEXT, "txt")


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
                return _odf_kind(archive, names)
            if "[Content_Types].xml" in names:
                return _ooxml_kind(archive, names)
    except zipfile.BadZipFile as error:
        raise Refused("corrupt") from error
    raise Refused("unknown")


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


def _odf_kind(archive: zipfile.ZipFile, names: set[str]) -> FileKind:
    if archive.read("mimetype")[:100].strip() != ODT.encode():
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
