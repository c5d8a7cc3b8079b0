"""Document library benchmarks.

    .venv/bin/python bench/documents.py            # SQLite in a temporary folder
    KENNISNET_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/documents.py

1. A 20 MB upload to a real server in its own process: how much its peak memory (VmHWM) grows,
   and how long the request takes on loopback.
2. Text extraction of a 40-page text PDF, in the limited child process (process start included).
3. The library's first page with 10,000 documents, server time through Flask.
"""

import http.client
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from werkzeug.serving import make_server  # noqa: E402

from kennisnet import create_app  # noqa: E402
from kennisnet.database import utcnow  # noqa: E402
from kennisnet.extensions import db  # noqa: E402

PASSWORD = "benchmark password 123"
UPLOAD_MB = 20
DOCUMENTS = 10_000


def vm_hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1))


class Browser:
    """Just enough of a browser over http.client: a cookie jar and a streamed multipart POST."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def _connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def _headers(self, extra=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**({"Cookie": cookie} if cookie else {}), **(extra or {})}

    def _keep_cookies(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]

    def request(self, method, path, body=None, headers=None):
        connection = self._connection()
        connection.request(method, path, body=body, headers=self._headers(headers))
        response = connection.getresponse()
        data = response.read()
        self._keep_cookies(response)
        connection.close()
        return response.status, data.decode("utf-8", "replace")

    def token(self, path) -> str:
        _status, html = self.request("GET", path)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    def upload(self, path, fields: dict, file_path: str, filename: str):
        boundary = uuid.uuid4().hex
        head = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                       for k, v in fields.items())
        head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n')
        tail = f"\r\n--{boundary}--\r\n".encode()
        size = len(head.encode()) + os.path.getsize(file_path) + len(tail)

        def body():
            yield head.encode()
            with open(file_path, "rb") as handle:
                while chunk := handle.read(256 * 1024):
                    yield chunk
            yield tail

        connection = self._connection()
        connection.putrequest("POST", path)
        for key, value in self._headers({
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(size)}).items():
            connection.putheader(key, value)
        connection.endheaders()
        for chunk in body():
            connection.send(chunk)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status


def _serve(app, port_queue):
    server = make_server("127.0.0.1", 0, app)
    port_queue.put(server.server_port)
    server.serve_forever()


def bench_upload(app) -> None:
    from kennisnet.accounts import services

    with app.app_context():
        user = services.create_user("Bench", "bench@example.nl", PASSWORD)
        db.session.commit()
        email = user.email
        db.engine.dispose()
    queue = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_serve, args=(app, queue))
    process.start()
    try:
        browser = Browser(queue.get(timeout=10))
        token = browser.token("/inloggen")
        browser.request("POST", "/inloggen", body=f"csrf_token={token}&email={email}&password="
                        + PASSWORD.replace(" ", "+"),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        fields = {"title": "Groot", "doc_type": "anders", "licence": "cc-by-4.0",
                  "visibility": "openbaar", "organisation_id": "", "legal_form": ""}
        with tempfile.TemporaryDirectory() as folder:
            small, large = os.path.join(folder, "klein.txt"), os.path.join(folder, "groot.txt")
            with open(small, "wb") as handle:
                handle.write(b"warm up\n" * 1000)
            with open(large, "wb") as handle:
                line = b"De leden betalen een jaarlijkse contributie aan de vereniging.\n"
                handle.write((line * (UPLOAD_MB * 2**20 // len(line) + 1))[:UPLOAD_MB * 2**20])
            status = browser.upload("/documenten/nieuw",
                                    {**fields, "csrf_token": browser.token("/documenten/nieuw")},
                                    small, "klein.txt")
            assert status == 303, status
            token = browser.token("/documenten/nieuw")
            before = vm_hwm_kb(process.pid)
            started = time.perf_counter()
            status = browser.upload("/documenten/nieuw", {**fields, "csrf_token": token},
                                    large, "groot.txt")
            elapsed = time.perf_counter() - started
            after = vm_hwm_kb(process.pid)
        assert status == 303, status
        print(f"upload {UPLOAD_MB} MB: {elapsed * 1000:.0f} ms until the 303, "
              f"server peak memory +{(after - before) / 1024:.1f} MB "
              f"(VmHWM {before / 1024:.1f} -> {after / 1024:.1f} MB)")
    finally:
        process.terminate()
        process.join()


def bench_extraction() -> None:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from kennisnet.documents import extraction

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(40):
        for row in range(48):
            pdf.drawString(40, 800 - row * 16, f"Artikel {page + 1}.{row}: de zorgcoöperatie "
                           "regelt de contributie, de ledenvergadering en de aansprakelijkheid.")
        pdf.showPage()
    pdf.save()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(buffer.getvalue())
        handle.flush()
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            result = extraction.extract(handle.name, "application/pdf")
            timings.append(time.perf_counter() - started)
            assert result.text and "Artikel 40.47" in result.text, result.error
    print(f"extract 40-page PDF ({len(buffer.getvalue()) // 1024} kB, {len(result.text)} chars): "
          f"median {statistics.median(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms")


def fill_library(app) -> None:
    from kennisnet.accounts.models import User
    from kennisnet.documents.models import Document, DocumentTag, DocumentVersion

    with app.app_context():
        owner = db.session.scalar(db.select(User))
        types = ["statuten", "huishoudelijk_reglement", "nieuwsbrief", "jaarverslag", "anders"]
        now = utcnow()
        documents = [dict(title=f"Document {n}", description="Voorbeeld", doc_type=types[n % 5],
                          legal_form=["vereniging", "stichting", "cooperatie", None][n % 4],
                          licence="cc-by-4.0", visibility=["openbaar", "leden"][n % 2],
                          owner_id=owner.id, created_at=now - timedelta(minutes=n),
                          updated_at=now, published_at=now - timedelta(minutes=n),
                          is_hidden=False, download_count=n % 97) for n in range(DOCUMENTS)]
        db.session.execute(db.insert(Document), documents)
        ids = db.session.scalars(db.select(Document.id).where(
            Document.title.like("Document %"))).all()
        db.session.execute(db.insert(DocumentVersion), [
            dict(document_id=i, number=1, sha256="0" * 64, size=1, mime="text/plain",
                 extension="txt", original_filename="a.txt", extraction_status="klaar",
                 pii_json="[]", extraction_error="", created_at=now, published_at=now)
            for i in ids])
        db.session.execute(db.insert(DocumentTag), [
            dict(document_id=i, tag=["leden", "contributie", "zorg"][i % 3]) for i in ids])
        db.session.commit()


def bench_library(app) -> None:
    fill_library(app)
    with app.app_context():
        anonymous, member = app.test_client(), app.test_client()
        page = member.get("/inloggen").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        assert member.post("/inloggen", data={"csrf_token": token, "email": "bench@example.nl",
                                              "password": PASSWORD}).status_code == 302
        for who, client in (("anonymous", anonymous), ("member", member)):
            for label, query in (("first page", ""), ("statuten, by downloads",
                                                      "?soort=statuten&sorteer=downloads"),
                                 ("tag filter", "?trefwoord=zorg")):
                _time_page(client, who, label, query)


def _time_page(client, who: str, label: str, query: str) -> None:
    # Wall time suffers from whatever else runs on the machine; this thread's CPU time does not
    # (it includes SQLite's work, not a PostgreSQL server's).
    timings, cpu = [], []
    for _ in range(20):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get("/documenten" + query)
        timings.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
        assert response.status_code == 200
    print(f"library {label} with {DOCUMENTS} documents ({who}): median "
          f"{statistics.median(timings) * 1000:.1f} ms, worst {max(timings) * 1000:.1f} ms, "
          f"CPU median {statistics.median(cpu) * 1000:.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as instance:
        database = os.environ.get("KENNISNET_DATABASE_URL") or (
            "sqlite:///" + os.path.join(instance, "bench.sqlite3"))
        app = create_app({"SQLALCHEMY_DATABASE_URI": database,
                          "UPLOAD_DIR": os.path.join(instance, "uploads"),
                          "SEARCH_INDEX_DIR": os.path.join(instance, "index"),
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "MAIL_OUTBOX_DIR": os.path.join(instance, "mail")})
        with app.app_context():
            db.drop_all()
            db.create_all()
        bench_upload(app)
        bench_extraction()
        bench_library(app)


if __name__ == "__main__":
    main()
