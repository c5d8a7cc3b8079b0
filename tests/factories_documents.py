"""Files for the document tests, generated on the spot: real PDF, DOCX and ODT; hostile ones."""

import io
import re
import zipfile

STATUTEN_A = [
    ("Naam en zetel", "De vereniging draagt de naam Zorgcoöperatie Hoogeloon en is gevestigd "
                      "in de gemeente Bladel."),
    ("Doel", "De vereniging heeft ten doel de zorg en het welzijn van de inwoners te bevorderen."),
    ("Contributie", "De leden betalen een jaarlijkse contributie van twintig euro."),
    ("Ledenvergadering", "De algemene ledenvergadering komt ten minste eenmaal per jaar bijeen."),
    ("Aansprakelijkheid", "De leden zijn niet aansprakelijk voor de schulden van de vereniging."),
]
STATUTEN_B = [
    ("Naam en zetel", "De coöperatie draagt de naam Austerlitz Zorgt en is gevestigd in de "
                      "gemeente Zeist."),
    ("Doel", "De coöperatie heeft ten doel de zorg en het welzijn van de inwoners te "
             "bevorderen."),
    ("Ledenvergadering", "De algemene ledenvergadering komt ten minste tweemaal per jaar bijeen."),
    ("Contributie", "De leden betalen een jaarlijkse contributie van vijftien euro per "
                    "huishouden."),
]


def statuten_lines(articles, extra=()) -> list[str]:
    lines = ["STATUTEN", ""]
    for number, (heading, body) in enumerate(articles, start=1):
        lines += [f"Artikel {number}. {heading}", body, ""]
    return lines + list(extra)


def make_pdf(lines, pages: int = 1, encrypt_password: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt_password)
    for page in range(pages):
        y = 800
        for line in lines:
            pdf.drawString(50, y, line if pages == 1 else f"{line}")
            y -= 16
            if y < 50:
                pdf.showPage()
                y = 800
        if page < pages - 1 or pages == 1:
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_docx(lines) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_odt(lines) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for line in lines:
        document.text.addElement(P(text=line))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_with(extra: dict[str, bytes], content_types: bytes | None = None) -> bytes:
    """A real DOCX with extra or replaced entries."""
    source = zipfile.ZipFile(io.BytesIO(make_docx(["Hallo"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    if content_types is not None:
        entries["[Content_Types].xml"] = content_types
    entries.update(extra)
    return zip_bytes(entries)


def zip_bomb_docx() -> bytes:
    return docx_with({"word/media/bom.bin": b"\0" * (150 * 1024 * 1024)})


def traversal_docx() -> bytes:
    return docx_with({"../../etc/cron.d/evil": b"* * * * * root rm -rf /"})


def macro_docx() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(make_docx(["Hallo"])))
    types = source.read("[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    return docx_with({"word/vbaProject.bin": b"Attribute VB_Name"}, content_types=types)


def document_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    return int(re.search(r"/documenten/(\d+)$", response.headers["Location"]).group(1))
