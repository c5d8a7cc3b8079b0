"""kill -9 in the middle of the work (catalogue R04, R06, Z05; headline figure 4).

A gunicorn worker is killed while it handles a new question and while an upload streams in (at
half the body, and at a random moment after the whole body arrived); the search indexer is killed
in the middle of a batch. gunicorn starts a new worker, the client retries with the same
submission id, a new indexer picks up the outbox. Afterwards: exactly one row per submission,
no partial file in the store, no document version without its file, leftovers swept, and
`kennisnet search check` clean.
"""

import http.client
import io
import multiprocessing
import os
import random
import re
import resource
import signal
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy import text as text_sql

from kennisnet.documents.models import Document
from kennisnet.documents.services import audit_files
from kennisnet.documents.storage import remove_files
from kennisnet.extensions import db
from kennisnet.forum.models import Question
from kennisnet.search.indexer import check, indexed_hashes
from kennisnet.search.models import SearchOutbox
from kennisnet.search.store import ensure_index, open_current
from kennisnet.search.worker import run_worker
from kennisnet.tips.models import Tip
from tests.conftest import TEST_PASSWORD
from tests.index_support import indexer_lock_is_held
from tests.load_client import (
    Client,
    Deployment,
    deployment_env,
    log_in,
    multipart,
    question_form,
    upload_form,
    wait_for_index,
)

INJECTIONS = int(os.environ.get("KENNISNET_TEST_CRASH_INJECTIONS", "20"))
UPLOAD_BYTES = 600 * 1024  # above werkzeug's in-memory limit, so the body is spooled to a file


@pytest.fixture
def deployment(app, tmp_path):
    # One worker, forked from a preloaded master: the worker that handles the request is known,
    # and gunicorn replaces a killed one in a fraction of a second.
    running = Deployment(deployment_env(app.config, tmp_path / "instance"), tmp_path / "logs",
                         workers=1, extraction=False, preload=True)
    try:
        yield running
    finally:
        running.stop()


def _rows(model, title: str) -> int:
    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    return db.session.scalar(select(func.count(model.id)).where(model.title == title))


class Injector:
    """Sends a request by hand so the worker can be killed at a chosen moment."""

    def __init__(self, deployment: Deployment, client: Client, rng: random.Random):
        self.deployment, self.client, self.rng = deployment, client, rng
        self.kills = 0

    def open(self, path: str, body: bytes, content_type: str) -> http.client.HTTPConnection:
        connection = self.client.connection()
        connection.putrequest("POST", path)
        for name, value in self.client.headers({"Content-Type": content_type,
                                                "Content-Length": str(len(body))}).items():
            if name != "Host":
                connection.putheader(name, value)
        connection.endheaders()
        return connection

    def kill_worker(self) -> None:
        (pid,) = self.deployment.worker_pids()
        os.kill(pid, signal.SIGKILL)
        self.kills += 1
        self._wait_for_new_worker(pid)

    def _wait_for_new_worker(self, old: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = self.deployment.worker_pids()
            if pids and old not in pids:
                try:
                    if self.client.get("/inloggen").status in (200, 302):
                        return
                except OSError:
                    pass
            time.sleep(0.02)
        raise AssertionError("gunicorn did not replace the killed worker")

    def outcome(self, connection) -> str:
        """'answered' when the response came out before the kill, else 'cut off'."""
        try:
            connection.sock.settimeout(5)
            status = connection.getresponse().status
            return "answered" if status in (302, 303) else f"status {status}"
        except (OSError, http.client.HTTPException):
            return "cut off"
        finally:
            connection.close()


def _retry(send) -> str:
    response = send()
    assert response.status in (302, 303), response.status
    return response.location


def _kill_during_questions(injector: Injector, count: int, latency: float) -> dict:
    tally = {"committed before the kill": 0, "not committed": 0, "answered": 0}
    client = injector.client
    for _ in range(count):
        fields, sid = question_form(client)
        body = urllib.parse.urlencode(fields).encode()
        connection = injector.open("/forum/vragen/nieuw", body,
                                   "application/x-www-form-urlencoded")
        connection.send(body)
        time.sleep(injector.rng.uniform(0, latency))
        injector.kill_worker()
        if injector.outcome(connection) == "answered":
            tally["answered"] += 1
        title = f"Lastvraag {sid}"
        before = _rows(Question, title)
        tally["committed before the kill" if before else "not committed"] += 1
        first = _retry(lambda f=fields: client.post("/forum/vragen/nieuw", f))
        assert _rows(Question, title) == 1, (sid, before)
        assert _retry(lambda f=fields: client.post("/forum/vragen/nieuw", f)) == first
    return tally


def _kill_during_uploads(injector: Injector, count: int, latency: float, half: bool) -> dict:
    tally = {"committed before the kill": 0, "not committed": 0}
    client = injector.client
    for _ in range(count):
        # Half a large body (spooled to a file) and small whole ones (the kill lands while the
        # worker writes the file and the row, not while it reads the body).
        fields, files, sid = upload_form(client, size=UPLOAD_BYTES if half else 20_000)
        body, content_type = multipart(fields, files)
        connection = injector.open("/documenten/nieuw", body, content_type)
        if half:
            connection.send(body[:len(body) // 2])
            time.sleep(0.05)  # the worker is reading the body now
        else:
            connection.send(body)
            time.sleep(injector.rng.uniform(0, latency))
        injector.kill_worker()
        injector.outcome(connection)
        title = f"Lastdocument {sid}"
        before = _rows(Document, title)
        tally["committed before the kill" if before else "not committed"] += 1
        def send(f=fields, fs=files):
            return client.post_multipart("/documenten/nieuw", f, fs)

        _retry(send)
        assert _rows(Document, title) == 1, (sid, before)
    return tally


def _median_latency(send, times: int = 3) -> float:
    seconds = []
    for _ in range(times):
        start = time.monotonic()
        send()
        seconds.append(time.monotonic() - start)
    return sorted(seconds)[len(seconds) // 2]


@pytest.mark.timeout(600)
def test_killed_web_worker_loses_nothing_and_leaves_no_partial_file(
        app, db, make_user, deployment, report_figure):
    user = make_user()
    deployment.start()
    deployment.indexer.send_signal(signal.SIGTERM)  # the indexer has its own test below
    client = Client(deployment.base)
    log_in(client, user.email, TEST_PASSWORD)
    injector = Injector(deployment, client, random.Random(8))

    ask_latency = _median_latency(lambda: client.post("/forum/vragen/nieuw",
                                                      question_form(client)[0]))
    upload_latency = _median_latency(
        lambda: client.post_multipart("/documenten/nieuw", *upload_form(client, 20_000)[:2]))
    questions = _kill_during_questions(injector, INJECTIONS, ask_latency * 0.8)
    # Twenty upload kills: half of them while the body streams in, half while it is written.
    half = _kill_during_uploads(injector, INJECTIONS // 2, upload_latency, half=True)
    after = _kill_during_uploads(injector, INJECTIONS - INJECTIONS // 2, upload_latency * 0.8,
                                 half=False)
    deployment.stop()

    db.session.rollback()
    audit = audit_files(grace_seconds=0, verify=True)
    leftovers = len(audit.orphans) + len(audit.temporary)
    remove_files(audit.orphans + audit.temporary)  # what `kennisnet documents check --repair` does
    swept = audit_files(grace_seconds=0, verify=True)

    report_figure("crash web-worker kills (question / upload at 50% / upload after body)",
                  f"{INJECTIONS} / {INJECTIONS // 2} / {INJECTIONS - INJECTIONS // 2}")
    report_figure("crash question kills: committed before kill / not", questions)
    report_figure("crash upload-after-body kills: committed before kill / not", after)
    report_figure("crash files: partial in store / rows without file / orphans+temp before sweep",
                  f"{len(audit.damaged)} / {len(audit.missing)} / {leftovers}")
    assert injector.kills == 2 * INJECTIONS
    assert half["committed before the kill"] == 0  # half a body can never make a document
    assert audit.damaged == [] and audit.missing == [], audit
    assert swept.orphans == [] and swept.temporary == [] and swept.problems == 0
    expected_documents = INJECTIONS + 3
    assert db.session.scalar(select(func.count(Document.id))) == expected_documents
    assert db.session.scalar(select(func.count(Question.id))) == INJECTIONS + 3



def _run_indexer() -> None:
    db.engine.dispose(close=False)  # the parent's pooled connections are not ours to use
    run_worker(threading.Event(), poll=0.2)


def _fork_indexer() -> multiprocessing.Process:
    """The worker loop of `kennisnet search worker`, forked from this process: the same code,
    without paying the app's start-up twenty times."""
    process = multiprocessing.get_context("fork").Process(target=_run_indexer, daemon=True)
    process.start()
    return process


TIPS_PER_ROUND = 120


def _queue_tips(start: int, count: int) -> None:
    text = " ".join(["Vrijwilligers rijden mensen naar de huisarts in het dorp."] * 40)
    db.session.execute(insert(Tip), [
        {"slug": f"kill-{n}", "number": n, "phase": "start", "title": f"Killtip {n}",
         "explanation": text} for n in range(start, start + count)])
    db.session.execute(insert(SearchOutbox), [
        {"kind": "tip", "item_id": tip_id} for tip_id in db.session.scalars(
            select(Tip.id).where(Tip.number >= start))])
    db.session.commit()


@pytest.mark.timeout(600)
def test_indexer_killed_mid_batch_leaves_a_consistent_index(app, db, deployment, report_figure):
    root = Path(app.config["SEARCH_INDEX_DIR"])
    ensure_index(root)
    rng = random.Random(4)
    mid_batch = 0
    for round_number in range(INJECTIONS):
        _queue_tips(1000 * (round_number + 1), TIPS_PER_ROUND)
        indexer = _fork_indexer()
        deadline = time.monotonic() + 60
        while not indexer_lock_is_held(root):
            assert indexer.is_alive(), "the indexer stopped by itself"
            assert time.monotonic() < deadline, "the indexer never took the writer"
            time.sleep(0.005)
        # A batch lasts from ~0.1 s (idle machine) to seconds (busy one): kill early in it.
        time.sleep(rng.uniform(0, 0.05))
        mid_batch += indexer_lock_is_held(root)  # still writing: the kill lands inside the batch
        os.kill(indexer.pid, signal.SIGKILL)
        indexer.join()
    open_current(root).close()  # still opens after every kill
    deployment.start_indexer()  # the real `kennisnet search worker` picks up what is left
    seconds, _, report = wait_for_index(timeout=120)
    deployment.indexer.send_signal(signal.SIGTERM)
    deployment.indexer.wait(timeout=30)
    db.session.rollback()
    again = check()

    report_figure("crash indexer kills (while holding the index writer)",
                  f"{INJECTIONS} ({mid_batch})")
    report_figure("crash indexer: seconds until search check clean after restart",
                  seconds and round(seconds, 2))
    assert mid_batch >= INJECTIONS // 2, "most kills must land inside a batch"
    db.session.rollback()
    assert len(indexed_hashes(root)) == INJECTIONS * TIPS_PER_ROUND  # every tip once, none lost
    assert seconds is not None, report
    assert again.differences == 0 and again.pending == 0  # the second check is a no-op


def test_a_retried_upload_makes_one_document(app, db, client, login, make_user, csrf_token):
    """Z05 in-process: the same submission id twice (a double click) gives one document."""
    login(make_user())
    page = client.get("/documenten/nieuw")
    sid = re.search(r'name="submission_id" type="hidden" value="([0-9a-f]{32})"',
                                  page.get_data(as_text=True)).group(1)

    def send():
        return client.post("/documenten/nieuw", content_type="multipart/form-data", data={
            "csrf_token": csrf_token(page), "submission_id": sid, "title": "Ons reglement",
            "doc_type": "huishoudelijk_reglement", "licence": "cc-by-4.0",
            "visibility": "openbaar", "organisation_id": "",
            "file": (io.BytesIO(b"Reglement van de vereniging."), "reglement.txt")})

    first, second = send(), send()
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Document.id))) == 1


@pytest.fixture
def file_size_limit():
    """Let this process write no file beyond `limit` bytes, as a full disk would: writes past it
    fail with EFBIG (SIGXFSZ, which would kill the process, is ignored meanwhile)."""
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def apply(limit: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, previous_limit[1]))

    yield apply
    resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
    signal.signal(signal.SIGXFSZ, previous_handler)


def test_an_upload_onto_a_full_disk_gets_a_friendly_answer(app, db, client, login, make_user,
                                                           csrf_token, file_size_limit):
    """R07: the write fails half-way; the member gets a Dutch message, nothing is left behind."""
    login(make_user())
    page = client.get("/documenten/nieuw")
    fields = {"csrf_token": csrf_token(page), "title": "Ons reglement", "licence": "cc-by-4.0",
              "doc_type": "huishoudelijk_reglement", "visibility": "openbaar",
              "organisation_id": ""}
    text = b"Reglement van de vereniging. " * 14_000  # 400 kB, kept in memory by werkzeug
    file_size_limit(100_000)
    try:
        full = client.post("/documenten/nieuw", content_type="multipart/form-data",
                           data={**fields, "file": (io.BytesIO(text), "reglement.txt")})
    finally:
        file_size_limit(resource.RLIM_INFINITY)
    assert full.status_code == 503
    assert "Probeer het later nog eens" in full.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Document.id))) == 0
    audit = audit_files(grace_seconds=0)
    assert audit.temporary == [] and audit.orphans == [] and audit.missing == []
    again = client.post("/documenten/nieuw", content_type="multipart/form-data",
                        data={**fields, "file": (io.BytesIO(text), "reglement.txt")})
    assert again.status_code == 303  # with room again, the same upload just works
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text_sql("PRAGMA integrity_check")).scalar() == "ok"
