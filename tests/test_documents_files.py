"""The byte-level checks and file handling, without the web layer."""

import io
import os
import time
import zipfile

import pytest

from kennisnet.documents import filecheck, services, storage
from kennisnet.documents.filecheck import Refused
from kennisnet.documents.models import Document
from tests.factories_documents import (
    STATUTEN_A,
    document_id,
    docx_with,
    make_docx,
    make_odt,
    make_pdf,
    statuten_lines,
    zip_bytes,
)

pytest_plugins = ["tests.search_support", "tests.documents_support"]


def sniff_bytes(tmp_path, data: bytes, name="f.bin"):
    path = tmp_path / name
    path.write_bytes(data)
    return filecheck.sniff(str(path), name)


def zip_with_info(info: zipfile.ZipInfo, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"x")
        archive.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize("data, code", [
    (docx_with({"/etc/passwd": b"x"}), "zip_path"),
    (docx_with({"word/../../x": b"x"}), "zip_path"),
    (docx_with({"C:/windows/x": b"x"}), "zip_path"),
    (zip_bytes({f"e{n}": b"" for n in range(filecheck.MAX_ZIP_ENTRIES + 1)}), "zip_bomb"),
    (b"PK\x03\x04 truncated", "corrupt"),
    (zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "unknown"),
])
def test_zip_checks(tmp_path, data, code):
    with pytest.raises(Refused) as refused:
        sniff_bytes(tmp_path, data, "x.docx")
    assert refused.value.code == code


def test_duplicate_entries_are_refused(tmp_path):
    import warnings

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we write on purpose
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", b"x")
            archive.writestr("word/document.xml", b"a")
            archive.writestr("word/document.xml", b"b")
    with pytest.raises(Refused) as refused:
        sniff_bytes(tmp_path, buffer.getvalue(), "x.docx")
    assert refused.value.code == "zip_path"


def test_symlink_entries_are_refused(tmp_path):
    info = zipfile.ZipInfo("word/link")
    info.external_attr = (0o120777 << 16)
    with pytest.raises(Refused) as refused:
        sniff_bytes(tmp_path, zip_with_info(info, b"/etc/passwd"), "x.docx")
    assert refused.value.code == "zip_path"


def test_odt_with_macros_is_refused(tmp_path):
    source = zipfile.ZipFile(io.BytesIO(make_odt(["Hallo"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["Basic/Standard/Module1.xml"] = b"<script/>"
    with pytest.raises(Refused) as refused:
        sniff_bytes(tmp_path, zip_bytes(entries), "x.odt")
    assert refused.value.code == "macro"


@pytest.mark.parametrize("name, data, mime", [
    ("a.pdf", make_pdf(["Hallo"]), filecheck.PDF),
    ("a.bin", make_docx(["Hallo"]), filecheck.DOCX),
    ("a.docx", make_odt(["Hallo"]), filecheck.ODT),  # the name lies; the bytes decide
    ("a.pdf", "Gewone tekst met ë".encode(), filecheck.TEXT),
    ("a.md", b"# Kop\n", filecheck.MARKDOWN),
])
def test_type_comes_from_the_bytes(tmp_path, name, data, mime):
    assert sniff_bytes(tmp_path, data, name).mime == mime


@pytest.mark.parametrize("original, extension, expected", [
    ("../../etc/passwd", "txt", "passwd.txt"),
    ("..\\..\\boot.ini", "txt", "boot.txt"),
    ("rapport\u202egpj.exe", "pdf", "rapportgpj.pdf"),
    ("statuten<script>.docx", "docx", "statuten_script.docx"),
    ("...", "pdf", "document.pdf"),
    ("Zorgcoöperatie statuten.pdf", "pdf", "Zorgcoöperatie statuten.pdf"),
    ("a\x00b.pdf", "pdf", "ab.pdf"),
    ('x"; filename=evil.html', "pdf", "x__ filename_evil.pdf"),
    ("<img src=x onerror=alert(1)>.pdf", "pdf", "img src_x onerror_alert(1).pdf"),
    ("a" * 300 + ".pdf", "pdf", "a" * services.FILENAME_MAX + ".pdf"),
])
def test_safe_filename(original, extension, expected):
    assert services.safe_filename(original, extension) == expected


def test_shared_file_survives_deleting_one_document(app, db, client, make_user, login, upload,
                                                    csrf_token):
    login(make_user())
    data = make_pdf(statuten_lines(STATUTEN_A))
    first = document_id(upload(data, "a.pdf", title="Een"))
    document_id(upload(data, "b.pdf", title="Twee"))
    path = storage.path_for(db.session.get(Document, first).versions[0].sha256)
    page = client.get(f"/documenten/{first}/verwijderen")
    client.post(f"/documenten/{first}/verwijderen", data={"csrf_token": csrf_token(page)})
    assert os.path.exists(path)


def test_new_version_replaces_an_unpublished_draft(app, db, client, make_user, login, upload,
                                                   extract, csrf_token):
    login(make_user())
    personal = make_pdf(statuten_lines(STATUTEN_A, extra=["Mail jan@voorbeeld.nl"]))
    doc_id = document_id(upload(personal, "a.pdf"))
    extract()
    draft_path = storage.path_for(db.session.get(Document, doc_id).versions[0].sha256)
    page = client.get(f"/documenten/{doc_id}/nieuwe-versie")
    clean = make_pdf(statuten_lines(STATUTEN_A))
    response = client.post(f"/documenten/{doc_id}/nieuwe-versie", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(clean), "schoon.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    extract()
    db.session.expire_all()
    document = db.session.get(Document, doc_id)
    assert [v.number for v in document.versions] == [2]
    assert document.is_published
    assert not os.path.exists(draft_path)


def test_moderator_sees_reports_on_the_page(app, db, client, make_user, login, upload, extract):
    owner = make_user()
    login(owner)
    doc_id = document_id(upload(make_pdf(statuten_lines(STATUTEN_A)), "a.pdf"))
    extract()
    services.report_document(db.session.get(Document, doc_id), owner, "Klopt niet.")
    db.session.commit()
    assert "Klopt niet." not in client.get(f"/documenten/{doc_id}").get_data(as_text=True)
    client._cookies.clear()
    login(make_user(site_role="moderator"))
    assert "Klopt niet." in client.get(f"/documenten/{doc_id}").get_data(as_text=True)


def test_worker_removes_stale_temporary_files(app, extract):
    folder = os.path.join(app.config["UPLOAD_DIR"], "tmp")
    os.makedirs(folder)
    old, new = os.path.join(folder, "upload-old"), os.path.join(folder, "upload-new")
    for path in (old, new):
        open(path, "wb").close()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    extract()
    assert not os.path.exists(old) and os.path.exists(new)


def test_extraction_child_cannot_use_more_memory_than_allowed():
    import subprocess
    import sys

    from kennisnet.documents import extraction

    done = subprocess.run([sys.executable, "-c", "b = bytearray(1024 ** 3); print('kreeg het')"],
                          preexec_fn=extraction._limit_child, capture_output=True, check=False)
    assert done.returncode != 0
    assert b"MemoryError" in done.stderr and b"kreeg het" not in done.stdout


def test_missing_or_garbage_file_ends_as_failed_not_as_crash(tmp_path):
    from kennisnet.documents import extraction

    garbage = tmp_path / "x.docx"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    assert extraction.extract(str(garbage), filecheck.DOCX).error == "corrupt"
    assert extraction.extract(str(tmp_path / "weg.pdf"), filecheck.PDF).error == "corrupt"
