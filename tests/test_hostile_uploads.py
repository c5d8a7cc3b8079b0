"""Hostile uploads (catalogue U01-U16, headline figure 6): every file of a generated corpus is
refused with a Dutch message or neutralised (stored, read only in the sandboxed child, served
as an attachment that a browser never renders), and reading stays inside its budgets."""

import html
import logging
import re
import time
import unicodedata
from pathlib import Path

import pytest

from kennisnet.documents import extraction, storage
from kennisnet.documents.models import Document
from kennisnet.documents.services import FILENAME_MAX, REFUSALS
from tests.factories_documents import document_id, make_pdf
from tests.hostile_files import CORPUS, Hostile

pytest_plugins = ["tests.search_support", "tests.documents_support"]

CHECK_SECONDS = 15
SERVED_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "text/plain; charset=utf-8",
    "text/markdown; charset=utf-8",
}
RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\.|$)", re.I)
PEAK = re.compile(r"peak memory (\d+) MiB")


def files_in_upload_folder(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and "downloads" not in p.parts]


def check_refused(app, db, response, item: Hostile, expected: str) -> None:
    assert response.status_code in (413, 422), response.status_code
    page = html.unescape(response.get_data(as_text=True))
    assert expected in page
    assert db.session.query(Document).count() == 0
    # Nothing half-written stays behind: no stored file, no temporary file.
    assert files_in_upload_folder(app) == []


def check_download_name(disposition: str) -> None:
    assert disposition.startswith("attachment;")
    plain = re.search(r'filename="?([^";]+)"?', disposition).group(1)
    assert "/" not in plain and "\\" not in plain and not plain.startswith(".")
    assert not any(unicodedata.category(ch)[0] == "C" for ch in disposition)
    assert "%E2%80%AE" not in disposition and "%E2%81%A7" not in disposition
    stem, _, extension = plain.rpartition(".")
    assert extension in {"pdf", "docx", "odt", "txt", "md"}
    assert len(stem) <= FILENAME_MAX
    assert not RESERVED.match(plain), plain


def check_neutralised(app, db, client, response, item: Hostile, extract) -> str:
    new_id = document_id(response)
    assert extract() == 1
    db.session.expire_all()
    version = db.session.get(Document, new_id).versions[0]
    assert version.extraction_status in ("klaar", "mislukt")
    if item.extraction:
        assert version.extraction_status == item.extraction, version.extraction_error
    if item.extraction_error:
        assert version.extraction_error == item.extraction_error
    assert "root:x:0:0" not in (version.extracted_text or "")  # no XXE file read
    # Stored under its hash, outside static/, nothing left in the temporary folder.
    assert [p.name for p in files_in_upload_folder(app)] == [version.sha256]
    assert Path(storage.path_for(version.sha256)).exists()

    page = client.get(f"/documenten/{new_id}")
    assert page.status_code == 200
    if version.extraction_status == "mislukt":
        assert "Alleen titel en beschrijving doorzoekbaar" in page.get_data(as_text=True)

    download = client.get(f"/documenten/{new_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Type"] in SERVED_TYPES
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    csp = download.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    check_download_name(download.headers["Content-Disposition"])
    return version.extraction_status


def test_hostile_corpus_is_refused_or_neutralised(app, db, client, make_user, login, upload,
                                                  extract, caplog, report_figure):
    caplog.set_level(logging.INFO, logger="kennisnet.documents.worker")
    login(make_user())
    outcomes, timings, failures = {}, {}, []
    for item in CORPUS:
        data = item.make()
        with app.test_request_context():
            expected = str(REFUSALS[item.code]) if item.code else item.message
        started = time.monotonic()
        try:
            response = upload(data, item.filename)
            if item.outcome == "refused":
                check_refused(app, db, response, item, expected)
                outcomes[item.filename] = "refused"
            else:
                outcomes[item.filename] = check_neutralised(app, db, client, response, item,
                                                             extract)
        except AssertionError as error:
            failures.append(f"{item.filename!r} ({item.category}): {error}")
        timings[item.filename] = time.monotonic() - started
        _remove_documents(app, db)

    peaks = [int(m.group(1)) for m in map(PEAK.search, caplog.messages) if m]
    slowest = max(timings, key=timings.get)
    handled = len(CORPUS) - len(failures)
    report_figure("uploads.hostile_corpus_size", len(CORPUS))
    report_figure("uploads.refused_or_neutralised_pct", round(100 * handled / len(CORPUS), 1))
    report_figure("uploads.refused", sum(v == "refused" for v in outcomes.values()))
    report_figure("uploads.neutralised", sum(v != "refused" for v in outcomes.values()))
    report_figure("uploads.extraction_child_peak_rss_mib", max(peaks))
    report_figure("uploads.slowest_check_s", f"{timings[slowest]:.2f} ({slowest[:40]!r})")
    assert not failures, "\n".join(failures)
    assert len(CORPUS) >= 30
    assert max(peaks) * 2**20 < extraction.MEMORY_LIMIT
    assert len(peaks) == sum(v != "refused" for v in outcomes.values())
    assert timings[slowest] < CHECK_SECONDS


def _remove_documents(app, db) -> None:
    """Start each file from an empty library, so "nothing left behind" means this file."""
    from kennisnet.documents import services

    for document in db.session.query(Document).all():
        for sha256 in services.delete_document(document):
            Path(storage.path_for(sha256)).unlink(missing_ok=True)
    db.session.commit()


def test_every_corpus_category_is_present():
    categories = {item.category for item in CORPUS}
    assert {"zip bomb", "pdf bomb", "pdf active", "polyglot", "svg", "xml", "macro", "eicar",
            "encrypted", "corrupt", "magic", "empty", "filename", "image"} <= categories


def test_oversized_file_is_413_and_leaves_nothing(app, db, make_user, login, upload):
    login(make_user())
    response = upload(b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1), "groot.txt")
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)
    assert db.session.query(Document).count() == 0
    assert files_in_upload_folder(app) == []


def test_harmless_open_action_is_not_mistaken_for_active_content(app, db, make_user, login,
                                                                 upload, extract):
    """Word and LibreOffice write /OpenAction [page /Fit] to set the first view: that stays."""
    from tests.hostile_files import simple_pdf

    login(make_user())
    new_id = document_id(upload(simple_pdf(b"/OpenAction [3 0 R /Fit]"), "gewoon.pdf"))
    extract()
    version = db.session.get(Document, new_id).versions[0]
    assert version.extraction_status == "klaar"
    assert "Statuten van de vereniging" in version.extracted_text


def test_real_pdfs_with_many_pages_are_read_up_to_the_page_cap(app, db, make_user, login, upload,
                                                                extract):
    from kennisnet.documents.extract_child import MAX_PAGES

    login(make_user())
    lines = [f"Regel {n}" for n in range(45)]
    new_id = document_id(upload(make_pdf(lines, pages=MAX_PAGES + 20), "lang.pdf"))
    extract()
    version = db.session.get(Document, new_id).versions[0]
    assert version.extraction_status == "klaar"
    assert version.extracted_text.count("Regel 0") == MAX_PAGES


def test_active_content_warning_is_shown_on_the_page(app, db, client, make_user, login, upload,
                                                     extract):
    from tests.hostile_files import pdf_javascript_in_object_stream

    login(make_user())
    new_id = document_id(upload(pdf_javascript_in_object_stream(), "verstopt.pdf"))
    extract()
    page = html.unescape(client.get(f"/documenten/{new_id}").get_data(as_text=True))
    assert "zoals JavaScript" in page


@pytest.mark.parametrize("name", ["/documenten/../kennisnet/__init__.py",
                                  "/static/../instance/kennisnet.sqlite3",
                                  "/uploads/", "/instance/uploads/"])
def test_uploads_and_code_are_not_reachable_by_path(client, name):
    assert client.get(name).status_code == 404
