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


MAX_PAGES = 500  # read for text and checked for actions
MAX_DECLARED_PAGES = 2000  # more, and the page tree alone costs seconds: not read at all
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/GoToE"}
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia"}
ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}


class ActiveContent(Exception):
    pass


class TooManyPages(Exception):
    pass


def extract_pdf(path: str) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        raise PermissionError("encrypted")
    # The declared /Count, read before pypdf builds the whole page tree (which costs seconds
    # for 10,000 pages); a tree that lies about its size meets the CPU limit instead.
    declared = reader.trailer["/Root"].get_object()["/Pages"].get_object().get("/Count", 0)
    if not isinstance(declared, int) or declared > MAX_DECLARED_PAGES:
        raise TooManyPages
    check_pdf_actions(reader)
    parts, size = [], 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES or size > MAX_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return "\n\n".join(parts)


def check_pdf_actions(reader) -> None:
    """JavaScript, launch actions and embedded files where a PDF reader would run or open
    them: the catalogue, its name tree, and every page's actions and annotations. This sees
    into compressed object streams, which the upload check (filecheck.py) cannot."""
    root = reader.trailer["/Root"].get_object()
    _check_action_holder(root)
    names = root.get("/Names")
    if names is not None and ACTIVE_KEYS & set(names.get_object().keys()):
        raise ActiveContent
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES:
            break
        _check_action_holder(page)
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") in ACTIVE_ANNOTATIONS:
                raise ActiveContent
            _check_action_holder(annotation)


def _check_action_holder(holder) -> None:
    _check_action(holder.get("/OpenAction"))
    _check_action(holder.get("/A"))
    additional = holder.get("/AA")
    if additional is not None:
        for action in additional.get_object().values():
            _check_action(action)


def _check_action(action, depth: int = 0) -> None:
    """An action and the chain of /Next actions after it (bounded: chains may loop)."""
    if action is None or depth > 20:
        return
    action = action.get_object()
    if not hasattr(action, "keys"):
        return  # an /OpenAction may be a plain destination array: harmless
    if action.get("/S") in ACTIVE_ACTIONS or ACTIVE_KEYS & set(action.keys()):
        raise ActiveContent
    following = action.get("/Next")
    for item in (following if isinstance(following, list) else [following]):
        _check_action(item, depth + 1)


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
    except ActiveContent:
        return {"error": "active_content"}
    except TooManyPages:
        return {"error": "too_many_pages"}
    except filecheck.Refused as refused:
        return {"error": refused.code}
    except MemoryError:
        return {"error": "too_big"}
    except Exception as error:  # every parser fails differently on broken input (see notes)
        name = type(error).__name__
        return {"error": "encrypted" if "Decrypt" in name or "Dependency" in name else "corrupt"}
    return {"text": text[:MAX_CHARS]}


def peak_memory() -> int:
    """This process's peak resident memory in bytes since exec (VmHWM; getrusage would also
    count the pages of the parent this process was forked from)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    outcome = main(sys.argv[1], sys.argv[2])
    outcome["peak_rss"] = peak_memory()
    json.dump(outcome, sys.stdout, ensure_ascii=False)
