"""A corpus of hostile files, generated on the spot (no binary fixtures in the repository).

Each Hostile names the file, makes its bytes, and says what kennisnet must do with it:
"refused" (a Dutch 4xx, with the refusal code whose message must show) or "neutralised"
(stored, but only ever served as a sandboxed attachment; `extraction` says how reading it ends).
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from tests.factories_documents import docx_with, make_docx, make_odt, make_pdf, zip_bytes

# Split so that no virus scanner takes this source file for the test file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MB = 1024 * 1024


@dataclass(frozen=True)
class Hostile:
    filename: str
    make: Callable[[], bytes]
    outcome: str  # "refused" or "neutralised"
    code: str = ""  # refusal code (services.REFUSALS) when refused
    extraction: str = ""  # "klaar" or "mislukt" when neutralised; "" = either
    extraction_error: str = ""
    category: str = ""
    message: str = ""  # the Dutch text to expect when the refusal is not one of REFUSALS


# --- PDF, written by hand so every byte is under our control -----------------------------------

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
PAGE_TEXT = b"BT /F1 12 Tf 50 800 Td (Statuten van de vereniging) Tj ET"


def stream(data: bytes, extra: bytes = b"", length: int | None = None) -> bytes:
    size = len(data) if length is None else length
    return b"<< /Length %d %s >>\nstream\n" % (size, extra) + data + b"\nendstream"


def raw_pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table; objects are numbered from 1."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, trailer_extra, xref))
    return out.getvalue()


def simple_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", more=(),
               content: bytes = PAGE_TEXT) -> bytes:
    """Catalog 1, pages 2, page 3, content 4, font 5; `more` become objects 6, 7, ..."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog_extra,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> %s >>" % page_extra,
        stream(content), FONT, *more,
    ])


def pdf_openaction_javascript() -> bytes:
    return simple_pdf(b"/OpenAction 6 0 R",
                      more=[b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"])


def pdf_launch() -> bytes:
    return simple_pdf(b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>")


def pdf_hex_escaped_javascript() -> bytes:
    return simple_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")


def pdf_names_javascript() -> bytes:
    return simple_pdf(b"/Names << /JavaScript << /Names [(a) 6 0 R] >> >>",
                      more=[b"<< /S /JavaScript /JS (this.print\\(\\)) >>"])


def pdf_embedded_exe() -> bytes:
    return simple_pdf(b"/Names << /EmbeddedFiles << /Names [(factuur.exe) 6 0 R] >> >>",
                      more=[b"<< /Type /Filespec /F (factuur.exe) /EF << /F 7 0 R >> >>",
                            stream(b"MZ\x90\x00", b"/Type /EmbeddedFile")])


def pdf_link_annotation_javascript() -> bytes:
    return simple_pdf(page_extra=b"/Annots [<< /Type /Annot /Subtype /Link "
                      b"/Rect [0 0 595 842] /A << /S /JavaScript /JS (app.alert\\(1\\)) >> >>]")


def pdf_javascript_in_object_stream() -> bytes:
    """The action sits compressed in an object stream, where no byte scan can read it."""
    action = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"6 0 "
    packed = zlib.compress(header + action)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(PAGE_TEXT), FONT,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(objects, start=1):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    offsets[7] = out.tell()
    out.write(b"7 0 obj\n" + stream(packed, b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode"
                                    % len(header)) + b"\nendobj\n")
    offsets[8] = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, 9):
        if number == 6:
            rows.append(struct.pack(">BIH", 2, 7, 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    table = b"".join(rows)
    out.write(b"8 0 obj\n" + stream(table, b"/Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R")
              + b"\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[8])
    return out.getvalue()


def pdf_nested_flate_bomb() -> bytes:
    """Three layers of FlateDecode around 256 MiB of zeros: a few hundred bytes on disk."""
    packer = zlib.compressobj(9)
    zeros = b"\0" * MB
    inner = b"".join(packer.compress(zeros) for _ in range(256)) + packer.flush()
    data = zlib.compress(zlib.compress(inner, 9), 9)
    return simple_pdf(more=[], content=PAGE_TEXT).replace(
        stream(PAGE_TEXT),
        stream(data, b"/Filter [/FlateDecode /FlateDecode /FlateDecode]"))


def pdf_huge_length() -> bytes:
    return simple_pdf().replace(stream(PAGE_TEXT), stream(PAGE_TEXT, length=10**12))


def pdf_page_tree_loop() -> bytes:
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(PAGE_TEXT), FONT,
    ])


def pdf_ten_thousand_pages(declared: int | None = None) -> bytes:
    """10,000 pages; `declared` makes the page tree lie about how many there are."""
    count = 10_000
    kids = b" ".join(b"%d 0 R" % (6 + n) for n in range(count))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 5 0 R >> >> >>"] * count
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, declared or count),
                    b"<< /Type /Null >>", stream(PAGE_TEXT), FONT, *pages])


def pdf_deep_nesting() -> bytes:
    depth = 50_000
    return simple_pdf(page_extra=b"/Annots " + b"[" * depth + b"]" * depth)


def pdf_with_html() -> bytes:
    return b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def pdf_zip_polyglot() -> bytes:
    return make_pdf(["Statuten"]) + zip_bytes({"index.html": b"<script>alert(1)</script>"})


def pdf_with_eicar() -> bytes:
    # In a comment line: a valid PDF that carries the test string byte for byte.
    return simple_pdf().replace(b"%PDF-1.7\n", b"%PDF-1.7\n%" + EICAR + b"\n", 1)


# --- ZIP-based formats ------------------------------------------------------------------


def _patch_sizes(data: bytes, entry: bytes, size: int, local: bool = True) -> bytes:
    """Rewrite the uncompressed size an entry declares, in the central directory (and the
    local header), as a forger would."""
    out = bytearray(data)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46:central + 46 + name_length]) == entry:
            struct.pack_into("<I", out, central + 24, size)
            header = struct.unpack_from("<I", out, central + 42)[0]
            if local:
                struct.pack_into("<I", out, header + 22, size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def docx_ratio_bomb() -> bytes:
    return docx_with({"word/media/nul.bin": b"\0" * (8 * MB)})


def docx_declared_huge() -> bytes:
    return _patch_sizes(docx_with({"word/media/a.bin": b"x" * 1000}), b"word/media/a.bin",
                        0xFFFFFF00)


def docx_forged_small_size() -> bytes:
    """Declares 1,000 bytes; really inflates to 30 MiB. zipfile stops at the declared size
    and the CRC no longer matches."""
    return _patch_sizes(docx_with({"word/media/a.bin": b"\0" * (30 * MB)}), b"word/media/a.bin",
                        1000)


def odt_many_entries() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(make_odt(["Hallo"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries.update({f"Pictures/{n}.png": b"" for n in range(1500)})
    return zip_bytes(entries)


def odt_ratio_bomb() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(make_odt(["Hallo"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["content.xml"] = entries["content.xml"] + b" " * (20 * MB)
    return zip_bytes(entries)


def docx_nested_bomb() -> bytes:
    inner = zip_bytes({"sheet.xml": b"\0" * (10 * MB)})
    return docx_with({"word/embeddings/Werkblad.xlsx": inner})


def docx_nested_twice() -> bytes:
    innermost = zip_bytes({"a.txt": b"hallo"})
    return docx_with({"word/embeddings/a.zip": zip_bytes({"b.zip": innermost})})


def odt_mimetype_not_first() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(make_odt(["Hallo"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    mimetype = entries.pop("mimetype")
    return zip_bytes({**entries, "mimetype": mimetype})


def docx_absolute_entry() -> bytes:
    return docx_with({"/etc/cron.d/evil": b"* * * * * root sh"})


def docx_symlink_entry() -> bytes:
    buffer = io.BytesIO(docx_with({}))
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo("word/media/link")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, b"/etc/passwd")
    return buffer.getvalue()


def docx_encrypted_flag() -> bytes:
    """Sets the "encrypted" bit of one entry (zipfile itself cannot write encrypted zips)."""
    out = bytearray(docx_with({"word/geheim.xml": b"versleuteld"}))
    central = out.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46:central + 46 + name_length]) == b"word/geheim.xml":
            out[central + 8] |= 0x1
            out[struct.unpack_from("<I", out, central + 42)[0] + 6] |= 0x1
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def office_encrypted_ole() -> bytes:
    # Word saves password-protected files as OLE compound documents, not zips.
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"EncryptedPackage" * 32


XXE_DOCTYPE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;")
                                                     * 10) for n in range(1, 10))
          + b"]>\n")
DOCX_BODY = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
             b'main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>')


def docx_xxe() -> bytes:
    return docx_with({"word/document.xml": XXE_DOCTYPE + DOCX_BODY % b"&xxe;"})


def docx_billion_laughs() -> bytes:
    return docx_with({"word/document.xml": LAUGHS + DOCX_BODY % b"&lol9;"})


def docx_xxe_after_long_comment() -> bytes:
    """The DTD comes after 100 kB of comment, past the upload check's look-ahead: the parser
    in the extraction child must still not resolve it."""
    comment = b"<!--" + b"x" * 100_000 + b"-->\n"
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n' + comment
            + b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            + DOCX_BODY % b"Statuten &xxe;")
    return docx_with({"word/document.xml": body})


def _odt_content(prefix: bytes, text: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(make_odt(["Hallo"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["content.xml"] = prefix + (
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        b"<office:text><text:p>%s</text:p></office:text></office:body>"
        b"</office:document-content>" % text)
    return zip_bytes(entries)


def odt_xxe() -> bytes:
    return _odt_content(XXE_DOCTYPE.replace(b"w:document", b"office:document-content"), b"&xxe;")


def odt_billion_laughs() -> bytes:
    return _odt_content(LAUGHS, b"&lol9;")


def docm_renamed() -> bytes:
    from tests.factories_documents import macro_docx

    return macro_docx()


def xlsm_renamed() -> bytes:
    types = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             b'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
             b'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>')
    return zip_bytes({"[Content_Types].xml": types, "xl/workbook.xml": b"<workbook/>",
                      "xl/vbaProject.bin": b"Attribute VB_Name = \"Module1\""})


def docx_hidden_vba() -> bytes:
    return docx_with({"word/vbaProject.bin": b"Attribute VB_Name"})


def odt_basic_macro() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(make_odt(["Hallo"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["Basic/Standard/Module1.xml"] = b"<script:module/>"
    return zip_bytes(entries)


def docx_with_eicar() -> bytes:
    return docx_with({"word/document.xml": DOCX_BODY % EICAR.replace(b"&", b"&amp;")
                      .replace(b"<", b"&lt;")})


def pixel_flood_png() -> bytes:
    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + zlib.compress(b"\0" * 1000))


CLEAN_PDF = None


def clean_pdf() -> bytes:
    global CLEAN_PDF
    if CLEAN_PDF is None:
        CLEAN_PDF = make_pdf(["Statuten van de vereniging", "Artikel 1. Naam"])
    return CLEAN_PDF


def _named(filename: str) -> Hostile:
    return Hostile(filename, clean_pdf, "neutralised", extraction="klaar", category="filename")


CORPUS: list[Hostile] = [
    # Zip bombs dressed as DOCX and ODT
    Hostile("bom-verhouding.docx", docx_ratio_bomb, "refused", "zip_bomb", category="zip bomb"),
    Hostile("bom-opgegeven.docx", docx_declared_huge, "refused", "zip_bomb", category="zip bomb"),
    Hostile("bom-vervalst.docx", docx_forged_small_size, "refused", "corrupt",
            category="zip bomb"),
    Hostile("bom-entries.odt", odt_many_entries, "refused", "zip_bomb", category="zip bomb"),
    Hostile("bom-verhouding.odt", odt_ratio_bomb, "refused", "zip_bomb", category="zip bomb"),
    Hostile("bom-genest.docx", docx_nested_bomb, "refused", "zip_bomb", category="zip bomb"),
    Hostile("dubbel-genest.docx", docx_nested_twice, "refused", "zip_bomb", category="zip bomb"),
    # Zip structure
    Hostile("pad.docx", lambda: docx_with({"../../etc/cron.d/evil": b"x"}), "refused",
            "zip_path", category="zip path"),
    Hostile("absoluut.docx", docx_absolute_entry, "refused", "zip_path", category="zip path"),
    Hostile("symlink.docx", docx_symlink_entry, "refused", "zip_path", category="zip path"),
    Hostile("odt-zonder-mimetype-vooraan.odt", odt_mimetype_not_first, "refused", "unknown",
            category="magic"),
    # PDF bombs and exhaustion: stored, reading fails inside the sandbox
    Hostile("bom-flate.pdf", pdf_nested_flate_bomb, "neutralised", extraction="",
            category="pdf bomb"),
    Hostile("lengte.pdf", pdf_huge_length, "neutralised", category="pdf bomb"),
    Hostile("paginalus.pdf", pdf_page_tree_loop, "neutralised", category="pdf bomb"),
    Hostile("tienduizend-paginas.pdf", pdf_ten_thousand_pages, "neutralised",
            extraction="mislukt", extraction_error="too_many_pages", category="pdf bomb"),
    Hostile("telt-verkeerd.pdf", lambda: pdf_ten_thousand_pages(declared=1), "neutralised",
            category="pdf bomb"),
    Hostile("diep.pdf", pdf_deep_nesting, "neutralised", extraction="mislukt",
            category="pdf bomb"),
    # PDF active content
    Hostile("openaction.pdf", pdf_openaction_javascript, "refused", "active_content",
            category="pdf active"),
    Hostile("launch.pdf", pdf_launch, "refused", "active_content", category="pdf active"),
    Hostile("verstopt.pdf", pdf_hex_escaped_javascript, "refused", "active_content",
            category="pdf active"),
    Hostile("namen-js.pdf", pdf_names_javascript, "refused", "active_content",
            category="pdf active"),
    Hostile("bijlage-exe.pdf", pdf_embedded_exe, "refused", "active_content",
            category="pdf active"),
    Hostile("link-js.pdf", pdf_link_annotation_javascript, "refused", "active_content",
            category="pdf active"),
    Hostile("objectstream-js.pdf", pdf_javascript_in_object_stream, "neutralised",
            extraction="mislukt", extraction_error="active_content", category="pdf active"),
    # Polyglots
    Hostile("html-als.pdf", pdf_with_html, "neutralised", extraction="mislukt",
            category="polyglot"),
    Hostile("pdf-en-zip.pdf", pdf_zip_polyglot, "neutralised", extraction="klaar",
            category="polyglot"),
    Hostile("gif.gif", lambda: b"GIF89a=1;alert(document.domain)//", "neutralised",
            extraction="klaar", category="polyglot"),
    Hostile("pagina.pdf", lambda: b"<!DOCTYPE html><html><script>alert(1)</script>", "refused",
            "markup", category="polyglot"),
    Hostile("bom-html.txt", lambda: b"\xef\xbb\xbf  <HTML><BODY onload=alert(1)>", "refused",
            "markup", category="polyglot"),
    Hostile("shell.php.pdf", lambda: b"<?php system($_GET['c']); ?>", "refused", "script",
            category="polyglot"),
    # SVG
    Hostile("tekening.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" '
            b'onload="alert(1)"/>', "refused", "markup", category="svg"),
    Hostile("commentaar.svg", lambda: b'<!-- hoi --><svg><script>alert(1)</script></svg>',
            "refused", "markup", category="svg"),
    Hostile("foreign.svg", lambda: b'<?xml version="1.0"?><svg><foreignObject><iframe '
            b'src="javascript:alert(1)"/></foreignObject></svg>', "refused", "markup",
            category="svg"),
    # XML entities
    Hostile("xxe.docx", docx_xxe, "refused", "xml_entities", category="xml"),
    Hostile("lachen.docx", docx_billion_laughs, "refused", "xml_entities", category="xml"),
    Hostile("xxe.odt", odt_xxe, "refused", "xml_entities", category="xml"),
    Hostile("lachen.odt", odt_billion_laughs, "refused", "xml_entities", category="xml"),
    Hostile("xxe-laat.docx", docx_xxe_after_long_comment, "neutralised", category="xml"),
    # Macros
    Hostile("macro.docx", docm_renamed, "refused", "macro", category="macro"),
    Hostile("rekenblad.docx", xlsm_renamed, "refused", "macro", category="macro"),
    Hostile("stil-vba.docx", docx_hidden_vba, "refused", "macro", category="macro"),
    Hostile("basic.odt", odt_basic_macro, "refused", "macro", category="macro"),
    # EICAR
    Hostile("eicar.txt", lambda: EICAR, "refused", "malware", category="eicar"),
    Hostile("eicar.pdf", pdf_with_eicar, "refused", "malware", category="eicar"),
    Hostile("eicar.docx", docx_with_eicar, "refused", "malware", category="eicar"),
    # Encrypted
    Hostile("geheim.pdf", lambda: make_pdf(["Geheim"], encrypt_password="geheim"),
            "neutralised", extraction="mislukt", extraction_error="encrypted",
            category="encrypted"),
    Hostile("geheim.docx", docx_encrypted_flag, "refused", "zip_path", category="encrypted"),
    Hostile("wachtwoord.docx", office_encrypted_ole, "refused", "unknown", category="encrypted"),
    # Truncated and corrupt
    Hostile("half.docx", lambda: make_docx(["Hallo"])[:1500], "refused", "corrupt",
            category="corrupt"),
    Hostile("half.pdf", lambda: make_pdf(["Hallo"])[:300], "neutralised", extraction="mislukt",
            category="corrupt"),
    Hostile("ruis.pdf", lambda: bytes(range(256)) * 40, "refused", "unknown", category="corrupt"),
    # Wrong extension for the magic bytes
    Hostile("foto.docx", pixel_flood_png, "refused", "unknown", category="magic"),
    Hostile("pixelvloed.png", pixel_flood_png, "refused", "unknown", category="image"),
    Hostile("programma.pdf", lambda: b"MZ\x90\x00" + b"\0" * 200, "refused", "executable",
            category="magic"),
    Hostile("linux.odt", lambda: b"\x7fELF\x02\x01\x01" + b"\0" * 200, "refused", "executable",
            category="magic"),
    Hostile("eigenlijk-word.pdf", lambda: make_docx(["Statuten"]), "neutralised",
            extraction="klaar", category="magic"),
    Hostile("leeg.pdf", lambda: b"", "refused", "empty", category="empty"),
    # Hostile names on a harmless file
    _named("../../etc/passwd.pdf"),
    _named("/etc/shadow.pdf"),
    _named("C:\\Windows\\System32\\evil.pdf"),
    _named("a\x00.pdf.exe"),
    _named("factuur\u202efdp.exe"),
    _named("CON.pdf"),
    _named("nul.txt.pdf"),
    _named("LPT1"),
    _named("x" * 1000 + ".pdf"),
    _named('x"; filename=evil.html'),
    _named("<img src=x onerror=alert(1)>.pdf"),
    _named("\u2067statuten\u2069.pdf"),
    # A line break ends the multipart header: the form then has no file, and says so.
    Hostile("statuten.pdf\r\nX-Header: 1", clean_pdf, "refused", message="Kies een bestand.",
            category="filename"),
]


def pdf_memory_eater() -> bytes:
    """One page whose contents are the same 70 MiB stream twelve times over: each stream stays
    under pypdf's per-stream limit, the page as a whole does not fit in the child's memory."""
    spaces = zlib.compress(b" " * (70 * MB), 1)
    contents = b"[" + b" 4 0 R" * 12 + b"]"
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %s "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % contents,
        stream(spaces, b"/Filter /FlateDecode"), FONT,
    ])


CORPUS.append(Hostile("geheugenvreter.pdf", pdf_memory_eater, "neutralised",
                      extraction="mislukt", category="pdf bomb"))
