"""Text extraction, run as a separate process with resource limits (see extraction.py).

Usage: python -I extract_child.py PATH MIME. Prints one JSON object: {"text": ...} or
{"error": code}. Imports nothing from the app, so a hostile file meets as little code as possible.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import filecheck  # noqa: E402 - needs the path above

MAX_CHARS = 2_000_000


def extract_pdf(path: str) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        raise PermissionError("encrypted")
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_CHARS:
            break
    return "\n\n".join(parts)


def extract_docx(path: str) -> str:
    import docx

    filecheck.check_zip(path)
    document = docx.Document(path)
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def extract_odt(path: str) -> str:
    from odf import teletype
    from odf.opendocument import load

    filecheck.check_zip(path)
    document = load(path)
    # Walk the body rather than getElementsByType, which groups all headings first.
    return "\n".join(teletype.extractText(node) for node in _walk(document.text))


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_H, _P = (_TEXT_NS, "h"), (_TEXT_NS, "p")


def _walk(node):
    for child in node.childNodes:
        if getattr(child, "qname", None) in (_H, _P):
            yield child
        else:
            yield from _walk(child)


def extract_text_file(path: str) -> str:
    with open(path, encoding="utf-8-sig") as handle:
        return handle.read(MAX_CHARS)


EXTRACTORS = {
    filecheck.PDF: extract_pdf,
    filecheck.DOCX: extract_docx,
    filecheck.ODT: extract_odt,
    filecheck.TEXT: extract_text_file,
    filecheck.MARKDOWN: extract_text_file,
}


def main(path: str, mime: str) -> dict:
    try:
        text = EXTRACTORS[mime](path)
    except PermissionError:
        return {"error": "encrypted"}
    except filecheck.Refused as refused:
        return {"error": refused.code}
    except MemoryError:
        return {"error": "too_big"}
    except Exception as error:  # every parser fails differently on broken input (see notes)
        name = type(error).__name__
        return {"error": "encrypted" if "Decrypt" in name or "Dependency" in name else "corrupt"}
    return {"text": text[:MAX_CHARS]}


if __name__ == "__main__":
    json.dump(main(sys.argv[1], sys.argv[2]), sys.stdout, ensure_ascii=False)
