"""Upload → extraction → search → download for each accepted type; refused and hostile files."""

import os
from pathlib import Path

import pytest

from kennisnet.documents.models import Document, DocumentVersion
from tests.factories_documents import (
    STATUTEN_A,
    document_id,
    macro_docx,
    make_docx,
    make_odt,
    make_pdf,
    statuten_lines,
    traversal_docx,
    zip_bomb_docx,
)

pytest_plugins = ["tests.search_support", "tests.documents_support"]

NEEDLE = "Klompenmakerij"
LINES = statuten_lines(STATUTEN_A, extra=[f"Het {NEEDLE} fonds betaalt de opstartkosten."])


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and "downloads" not in p.parts]


@pytest.mark.parametrize("filename, make, mime", [
    ("statuten.pdf", lambda: make_pdf(LINES), "application/pdf"),
    ("statuten.docx", lambda: make_docx(LINES),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("statuten.odt", lambda: make_odt(LINES), "application/vnd.oasis.opendocument.text"),
    ("statuten.txt", lambda: "\n".join(LINES).encode(), "text/plain; charset=utf-8"),
    ("statuten.md", lambda: ("# Statuten\n\n" + "\n".join(LINES)).encode(),
     "text/markdown; charset=utf-8"),
])
def test_accepted_type_end_to_end(app, db, client, make_user, login, upload, extract, drain,
                                  found, filename, make, mime):
    data = make()
    login(make_user())
    new_id = document_id(upload(data, filename, title=f"Statuten {filename}"))
    detail = client.get(f"/documenten/{new_id}")
    assert "Tekst wordt verwerkt" in detail.get_data(as_text=True)

    assert extract() == 1
    version = db.session.get(Document, new_id).current_version
    assert version.extraction_status == "klaar"
    assert NEEDLE in version.extracted_text
    drain()
    assert f"Statuten {filename}" in found(NEEDLE.lower())

    page = client.get(f"/documenten/{new_id}").get_data(as_text=True)
    assert "Tekst doorzoekbaar" in page
    assert 'id="artikel-3"' in page and "Contributie" in page

    response = client.get(f"/documenten/{new_id}/download")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == mime
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_results_show_a_files_words_without_reading_its_text(app, db, client, make_user, login,
                                                             upload, extract, drain):
    from sqlalchemy import inspect

    login(make_user())
    new_id = document_id(upload("\n".join(LINES).encode(), "statuten.txt", title="Statuten"))
    assert extract() == 1
    drain()
    page = client.get("/zoeken", query_string={"q": NEEDLE}).get_data(as_text=True)
    assert f'<a href="/documenten/{new_id}">Statuten</a>' in page  # found by a word of the file
    with app.test_request_context():
        db.session.expunge_all()
        document, = Document.search_result_load(db.session, [new_id])
        assert document.search_result_document().title == "Statuten"
        assert "extracted_text" in inspect(document.current_version).unloaded
        db.session.expunge_all()
        document, = Document.search_load(db.session, [new_id])  # the indexer reads it
        indexed = document.search_document()
        assert NEEDLE in indexed.body + indexed.extra_text


def test_identical_files_are_stored_once(app, db, make_user, login, upload, extract):
    login(make_user())
    data = make_pdf(LINES)
    document_id(upload(data, "a.pdf", title="Eerste"))
    document_id(upload(data, "b.pdf", title="Tweede"))
    assert db.session.query(DocumentVersion).count() == 2
    assert len(stored_files(app)) == 1


HOSTILE = [
    ("html-als.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
    ("tekening.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ("plaatje.pdf", b'  <svg onload="alert(1)"></svg>', "SVG"),
    ("script.txt", b"#!/bin/sh\nrm -rf /\n", "Scripts"),
    ("programma.pdf", b"MZ\x90\x00" + b"\x00" * 100, "programma"),
    ("bom.docx", zip_bomb_docx(), "veel groters"),
    ("pad.docx", traversal_docx(), "../"),
    ("macro.docm", macro_docx(), "macro"),
    ("leeg.pdf", b"", "leeg"),
    ("binair.txt", b"\x00\x01\x02\x03" * 10, "Dit soort bestand"),
    ("los.zip", None, "Dit soort bestand"),
]


@pytest.mark.parametrize("filename, data, message", HOSTILE)
def test_refused_files_leave_no_file_and_no_row(app, db, make_user, login, upload, filename,
                                                data, message):
    if data is None:
        from tests.factories_documents import zip_bytes
        data = zip_bytes({"readme.txt": b"hallo"})
    login(make_user())
    response = upload(data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "Statuten van ons initiatief" in response.get_data(as_text=True)  # kept what was typed
    assert db.session.query(Document).count() == 0
    assert stored_files(app) == []


def test_a_nul_character_is_refused_before_the_form(app, db, make_user, login, upload):
    # No keyboard types NUL and PostgreSQL cannot hold it: every route refuses it with a 400.
    login(make_user())
    response = upload(make_pdf(LINES), "s.pdf", title="Statuten\x00")
    assert response.status_code == 400
    assert db.session.query(Document).count() == 0
    assert stored_files(app) == []


def test_one_byte_over_the_limit_is_413_and_leaves_nothing(app, db, make_user, login, upload):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    login(make_user())
    exact = b"a" * (1024 * 1024)
    assert upload(exact, "precies.txt").status_code == 303
    response = upload(b"b" * (1024 * 1024 + 1), "te-groot.txt")
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)
    assert db.session.query(Document).count() == 1
    assert len(stored_files(app)) == 1


def test_far_too_large_body_is_refused_before_reading(app, db, make_user, login, upload):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    login(make_user())
    response = upload(b"c" * (2 * 1024 * 1024), "enorm.txt")
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)
    assert db.session.query(Document).count() == 0


def test_the_file_quota_refuses_the_next_file_and_keeps_what_was_typed(app, db, make_user,
                                                                       login, upload):
    app.config["UPLOAD_QUOTA_FILES"] = 2
    login(make_user())
    page = app.test_client().get("/documenten/nieuw")  # not logged in: no quota shown
    assert page.status_code in (302, 403)
    for number in range(2):
        assert upload(f"Reglement {number}".encode(), f"reglement-{number}.txt").status_code == 303
    response = upload(b"Nog een reglement", "derde.txt", title="Ons derde reglement")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Je ruimte voor bestanden is vol" in html and "hoogstens 2" in html
    assert 'value="Ons derde reglement"' in html
    assert db.session.query(DocumentVersion).count() == 2
    assert len(stored_files(app)) == 2


def test_the_byte_quota_counts_every_version_a_member_uploaded(app, db, make_user, login,
                                                               upload, client):
    app.config["UPLOAD_QUOTA_BYTES"] = 3 * 1024 * 1024
    login(make_user())
    assert "Je kunt nog 100 bestanden delen, samen hoogstens 3 MB." in \
        client.get("/documenten/nieuw").get_data(as_text=True)
    assert upload(b"a" * (2 * 1024 * 1024), "groot.txt").status_code == 303
    assert "Je kunt nog 99 bestanden delen, samen hoogstens 1 MB." in \
        client.get("/documenten/nieuw").get_data(as_text=True)
    response = upload(b"b" * (1024 * 1024 + 1), "te-veel.txt")
    assert response.status_code == 413
    assert "Je ruimte voor bestanden is vol" in response.get_data(as_text=True)
    assert upload(b"c" * (1024 * 1024 - 10), "past-nog.txt").status_code == 303
    assert len(stored_files(app)) == 2
    other = make_user()  # a quota is per member
    for cookie in ("session", "remember_token"):
        client.delete_cookie(cookie)
    login(other)
    assert upload(b"d" * (2 * 1024 * 1024), "van-een-ander.txt").status_code == 303


@pytest.mark.parametrize("make, error", [
    (lambda: make_pdf(["Geheime statuten"], encrypt_password="geheim"), "encrypted"),
    (lambda: make_pdf(LINES)[:-400], "corrupt"),
    (lambda: make_pdf(LINES)[:300], "corrupt"),
])
def test_unreadable_pdfs_end_as_not_searchable(app, db, client, make_user, login, upload, extract,
                                               make, error):
    login(make_user())
    new_id = document_id(upload(make(), "kapot.pdf"))
    assert extract() == 1
    version = db.session.get(Document, new_id).versions[0]
    assert version.extraction_status == "mislukt"
    assert version.extraction_error == error
    page = client.get(f"/documenten/{new_id}")
    assert page.status_code == 200
    assert "Alleen titel en beschrijving doorzoekbaar" in page.get_data(as_text=True)


@pytest.mark.parametrize("original, expected_start", [
    ("../../etc/passwd.pdf", 'attachment; filename=passwd.pdf'),
    # the multipart header parser already drops backslash escapes; no folder survives either way
    ("..\\..\\windows\\evil.pdf", "attachment; filename=windowsevil.pdf"),
    ("factuur\u202efdp.exe.pdf", "attachment; filename=factuurfdp.exe.pdf"),
    ("statuten zorgcoöperatie.pdf", "attachment; filename="),
])
def test_download_filenames_are_sanitised(app, db, client, make_user, login, upload, extract,
                                          original, expected_start):
    login(make_user())
    new_id = document_id(upload(make_pdf(LINES), original))
    extract()
    disposition = client.get(f"/documenten/{new_id}/download").headers["Content-Disposition"]
    assert disposition.startswith(expected_start)
    name = disposition.split("filename=")[1].split(";")[0]
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert "\u202e" not in disposition and "%E2%80%AE" not in disposition
    if "coöperatie" in original:
        assert "filename*=UTF-8''statuten%20zorgco%C3%B6peratie.pdf" in disposition


def test_download_supports_etag_and_range(app, client, make_user, login, upload, extract):
    login(make_user())
    data = make_pdf(LINES)
    new_id = document_id(upload(data, "s.pdf"))
    extract()
    first = client.get(f"/documenten/{new_id}/download")
    etag = first.headers["ETag"]
    assert client.get(f"/documenten/{new_id}/download",
                      headers={"If-None-Match": etag}).status_code == 304
    part = client.get(f"/documenten/{new_id}/download", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.data == data[:10]
    assert first.headers["Cache-Control"].startswith("public")


def test_temp_folder_is_empty_after_uploads(app, make_user, login, upload):
    login(make_user())
    upload(make_pdf(LINES), "a.pdf")
    upload(b"<html></html>", "b.pdf")
    temp = os.path.join(app.config["UPLOAD_DIR"], "tmp")
    assert os.listdir(temp) == []


@pytest.mark.parametrize("field, value", [("title", "Statuten\x01"), ("tags", "a\u202eb"),
                                          ("description", "regel\x07")])
def test_control_characters_in_fields_are_refused(app, db, make_user, login, upload, field,
                                                  value):
    login(make_user())
    response = upload(make_pdf(LINES), "s.pdf", **{field: value})
    assert response.status_code == 422
    assert "onzichtbare of ongeldige tekens" in response.get_data(as_text=True)
    assert db.session.query(Document).count() == 0
    assert stored_files(app) == []
