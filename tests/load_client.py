"""A deployment harness and a bounded load client, shared by the concurrency and crash-safety
tests and by `make soak` (bench/soak.py).

Deployment runs what production runs, on 127.0.0.1: gunicorn with several worker processes, the
search indexer and the text extraction worker, each logging to a file. The client is plain
http.client in threads (no outside service, no extra dependency): every simulated member logs
in, asks and answers questions, uploads small documents, signs up for one event and searches.
Every form that creates something carries a submission id; the client remembers each id and
whether the server acknowledged it, so the database can be audited for lost and duplicated rows.
"""

import base64
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCK_ERROR = re.compile(r"database is locked", re.IGNORECASE)
HIDDEN = r'name="{name}" (?:type="hidden" )?value="([^"]*)"'
SEARCH_WORDS = ["vervoer", "statuten", "vrijwilligers", "zorg", "dorp", "reglement", "last"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def deployment_env(app_config: dict, instance_dir: Path) -> dict:
    """The environment for a deployment that shares the test app's database, index and uploads.

    Forum anti-spam limits are lifted: twenty members posting for minutes from one address
    would otherwise be (rightly) slowed down, and that is not what this load measures.
    """
    return {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "KENNISNET_ENV": "development",
        "KENNISNET_SECRET_KEY": app_config["SECRET_KEY"],
        "KENNISNET_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "KENNISNET_INSTANCE_PATH": str(instance_dir),
        "KENNISNET_SEARCH_INDEX_DIR": app_config["SEARCH_INDEX_DIR"],
        "KENNISNET_UPLOAD_DIR": app_config["UPLOAD_DIR"],
        "KENNISNET_PASSWORD_HASH_METHOD": app_config["PASSWORD_HASH_METHOD"],
        "KENNISNET_PAGE_CACHE_SECONDS": str(app_config["PAGE_CACHE_SECONDS"]),  # as deployed
        # The test's own commits must drop the deployment's kept pages.
        "KENNISNET_PAGE_CACHE_VERSION_FILE": app_config["PAGE_CACHE_VERSION_FILE"],
        "KENNISNET_FORUM_POST_LIMIT": "1000000",
        "KENNISNET_FORUM_MIN_FILL_SECONDS": "0",
        "KENNISNET_FORUM_APPROVALS_BEFORE_TRUSTED": "0",
        "KENNISNET_LOGIN_LIMIT_PER_IP": "1000",
        "KENNISNET_LOGIN_LIMIT_PER_IP_PER_MINUTE": "1000",
    }


class Deployment:
    """gunicorn plus the background workers, started and stopped by the caller."""

    def __init__(self, env: dict, logdir: Path, workers: int = 4, extraction: bool = True,
                 preload: bool = False):
        self.env, self.logdir, self.workers = env, Path(logdir), workers
        self.extraction, self.preload = extraction, preload
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.gunicorn: subprocess.Popen | None = None
        self.indexer: subprocess.Popen | None = None
        self.extractor: subprocess.Popen | None = None
        self.logdir.mkdir(parents=True, exist_ok=True)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        try:
            return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT)
        finally:
            log.close()

    def start(self) -> "Deployment":
        args = [str(BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
                "--timeout", "120", "--log-level", "warning"]
        if self.preload:
            args.append("--preload")
        self.gunicorn = self._spawn("gunicorn", [*args, "kennisnet:create_app()"])
        self.start_indexer()
        if self.extraction:
            self.extractor = self._spawn("extractor", [str(BIN / "kennisnet"), "documents",
                                                       "extract", "--watch", "--poll", "0.3"])
        self.wait_until_up()
        return self

    def start_indexer(self) -> subprocess.Popen:
        self.indexer = self._spawn("indexer", [str(BIN / "kennisnet"), "search", "worker",
                                               "--poll", "0.2"])
        return self.indexer

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.gunicorn.poll() is None, "gunicorn stopped:\n" + self.log("gunicorn")
            try:
                if Client(self.base).get("/forum").status == 200 and \
                        len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start:\n" + self.log("gunicorn"))

    def worker_pids(self) -> list[int]:
        try:
            return [child.pid for child in psutil.Process(self.gunicorn.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def processes(self, extractor: bool = False) -> list[psutil.Process]:
        """gunicorn's master and workers and the indexer; with the extraction worker if asked."""
        pids = [self.gunicorn.pid, *self.worker_pids()]
        helpers = (self.indexer, self.extractor) if extractor else (self.indexer,)
        pids += [p.pid for p in helpers if p and p.poll() is None]
        found = []
        for pid in pids:
            try:
                found.append(psutil.Process(pid))
            except psutil.NoSuchProcess:
                pass
        return found

    def memory_mb(self, extractor: bool = False) -> dict:
        """RSS summed over the processes (counts pages forked workers share once per worker)
        and PSS (shares them out: what the deployment really takes from the machine)."""
        rss = pss = 0
        for process in self.processes(extractor):
            try:
                info = process.memory_full_info()
            except psutil.NoSuchProcess:
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        return {"rss_mb": round(rss / 2**20, 1), "pss_mb": round(pss / 2**20, 1)}

    def log(self, name: str) -> str:
        path = self.logdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def lock_errors(self) -> int:
        return sum(len(LOCK_ERROR.findall(self.log(name)))
                   for name in ("gunicorn", "indexer", "extractor"))

    def tracebacks(self) -> int:
        return sum(self.log(name).count("Traceback") for name in ("gunicorn", "indexer",
                                                                   "extractor"))

    def stop(self) -> None:
        for process in (self.extractor, self.indexer, self.gunicorn):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.extractor, self.indexer, self.gunicorn):
            if process is None:
                continue
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- HTTP ---------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict
    text: str

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path


class Client:
    """One visitor: its own cookies, one connection per request (gunicorn's sync workers close
    the connection after each response anyway)."""

    def __init__(self, base: str, timeout: float = 60, stats: "Stats | None" = None):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.cookies: dict[str, str] = {}
        self.stats = stats  # when given, every request is counted and timed there

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> Response:
        connection = self.connection()
        start = time.monotonic()
        label = f"{method} /{path.split('/')[1].split('?')[0]}"
        try:
            connection.request(method, path, body=body, headers=self.headers(headers))
            response = self.read(connection.getresponse())
        except (OSError, http.client.HTTPException) as error:
            if self.stats is not None:
                self.stats.record(label, None, time.monotonic() - start, error)
            raise
        finally:
            connection.close()
        if self.stats is not None:
            self.stats.record(label, response, time.monotonic() - start)
        return response

    def read(self, raw: http.client.HTTPResponse) -> Response:
        text = raw.read().decode("utf-8", errors="replace")
        for header in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return Response(raw.status, {k.lower(): v for k, v in raw.headers.items()}, text)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, fields: dict) -> Response:
        return self.request("POST", path, urllib.parse.urlencode(fields, doseq=True).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, fields: dict, files: dict) -> Response:
        body, content_type = multipart(fields, files)
        return self.request("POST", path, body, {"Content-Type": content_type})


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """files: {name: (filename, bytes, mimetype)}."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f'{value}\r\n'.encode())
    for name, (filename, data, mime) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def hidden(html: str, name: str) -> str:
    match = re.search(HIDDEN.format(name=name), html)
    if not match:
        raise AssertionError(f"no hidden field {name} on the page")
    return match.group(1)


def submission_in(form_token: str) -> str:
    """The submission id inside the forum's signed form token (the payload is plain JSON)."""
    payload = form_token.split(".", 1)[0]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def log_in(client: Client, email: str, password: str) -> None:
    page = client.get("/inloggen")
    response = client.post("/inloggen", {"csrf_token": hidden(page.text, "csrf_token"),
                                         "email": email, "password": password})
    assert response.status == 302, f"login of {email} failed: {response.status}"


# --- what a member does -------------------------------------------------------------------

def question_form(client: Client) -> tuple[dict, str]:
    page = client.get("/forum/vragen/nieuw")
    token = hidden(page.text, "form_token")
    sid = submission_in(token)
    return {"csrf_token": hidden(page.text, "csrf_token"), "form_token": token, "website": "",
            "title": f"Lastvraag {sid}", "body": f"Hoe regelen jullie vervoer in het dorp? {sid}",
            "tip": "", "organisation": ""}, sid


def answer_form(client: Client, question_path: str) -> tuple[dict, str]:
    page = client.get(question_path)
    token = hidden(page.text, "form_token")
    sid = submission_in(token)
    return {"csrf_token": hidden(page.text, "csrf_token"), "form_token": token, "website": "",
            "body": f"Lastantwoord {sid}: begin klein met vrijwilligers."}, sid


def upload_form(client: Client, size: int = 2000) -> tuple[dict, dict, str]:
    page = client.get("/documenten/nieuw")
    sid = hidden(page.text, "submission_id")
    fields = {"csrf_token": hidden(page.text, "csrf_token"), "submission_id": sid,
              "title": f"Lastdocument {sid}", "description": "Reglement voor vrijwilligers.",
              "doc_type": "huishoudelijk_reglement", "legal_form": "vereniging", "year": "2024",
              "licence": "cc-by-4.0", "tags": "last", "visibility": "openbaar",
              "organisation_id": ""}
    line = f"Huishoudelijk reglement {sid}. De vrijwilligers rijden naar de huisarts.\n"
    text = (line * (size // len(line) + 1))[:size].encode()
    return fields, {"file": (f"reglement-{sid[:8]}.txt", text, "text/plain")}, sid


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    finished: float = 0.0
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)
    client_errors: list = field(default_factory=list)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    # kind -> {submission id: acknowledged url or ""}
    submissions: dict = field(default_factory=lambda: defaultdict(dict))
    refused: list = field(default_factory=list)
    double_submits: int = 0
    double_mismatches: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    rsvp_statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, action: str, response: Response | None, seconds: float, error=None):
        with self.lock:
            self.requests += 1
            self.latencies[action].append(seconds)
            if response is None:
                self.client_errors.append((action, repr(error)))
                return
            self.statuses[response.status] += 1
            if response.status >= 500:
                self.server_errors.append((action, response.status))

    def p95(self, action: str) -> float:
        values = sorted(self.latencies.get(action) or [0.0])
        return values[min(len(values) - 1, int(len(values) * 0.95))]

    def summary(self) -> dict:
        seconds = (self.finished or time.monotonic()) - self.started
        return {"requests": self.requests, "seconds": round(seconds, 1),
                "req_per_s": round(self.requests / max(seconds, 0.001), 1),
                "server_errors": len(self.server_errors),
                "client_errors": len(self.client_errors),
                "refused": len(self.refused),
                "acknowledged": {k: sum(1 for url in v.values() if url)
                                 for k, v in self.submissions.items()},
                "double_submits": self.double_submits,
                "p95_create_s": round(max(self.p95(a) for a in ("ask", "answer", "upload")), 3)}


class Member:
    """One simulated member; every request goes through `call` so it is counted and timed."""

    def __init__(self, base: str, email: str, password: str, stats: Stats, seed: int):
        self.client = Client(base, stats=stats)
        self.email, self.password, self.stats = email, password, stats
        self.rng = random.Random(seed)

    def call(self, action: str, send):
        """Send one request; None after a connection error (already counted by the client)."""
        start = time.monotonic()
        try:
            response = send()
        except (OSError, http.client.HTTPException):
            return None
        with self.stats.lock:
            self.stats.latencies[action].append(time.monotonic() - start)
        return response

    def submit(self, kind: str, sid: str, send) -> str:
        """POST a create form, retrying with the same id after an error; double-submits one in
        ten, as an impatient double click would. Returns the acknowledged address or ""."""
        self.stats.submissions[kind].setdefault(sid, "")
        url = ""
        for _attempt in range(3):
            response = self.call(kind, send)
            if response is not None and response.status in (302, 303):
                url = response.location
                break
            if response is not None and response.status < 500:
                with self.stats.lock:  # refused (a 4xx): nothing was made, nothing to retry
                    self.stats.refused.append((kind, response.status))
                return ""
        if url and self.rng.random() < 0.1:
            again = self.call(kind, send)
            with self.stats.lock:
                self.stats.double_submits += 1
                if again is None or again.location != url:
                    self.stats.double_mismatches.append((kind, sid, url, again and again.status))
        self.stats.submissions[kind][sid] = url
        return url

    def ask(self) -> None:
        fields, sid = question_form(self.client)
        url = self.submit("ask", sid, lambda: self.client.post("/forum/vragen/nieuw", fields))
        if url.startswith("/forum/vraag/"):
            with self.stats.lock:
                self.stats.questions.append(url)

    def answer(self) -> None:
        with self.stats.lock:
            questions = list(self.stats.questions)
        if not questions:
            self.ask()
            return
        path = self.rng.choice(questions)
        fields, sid = answer_form(self.client, path)
        self.submit("answer", sid, lambda: self.client.post(path + "/antwoord", fields))

    def upload(self) -> None:
        fields, files, sid = upload_form(self.client)
        self.submit("upload", sid,
                    lambda: self.client.post_multipart("/documenten/nieuw", fields, files))

    def search(self) -> None:
        word = self.rng.choice(SEARCH_WORDS)
        self.call("search", lambda: self.client.get(f"/zoeken?q={word}"))

    def browse(self) -> None:
        with self.stats.lock:
            questions = list(self.stats.questions[-50:])
        path = self.rng.choice(["/forum", "/documenten", "/agenda", *questions[-3:]])
        self.call("browse", lambda: self.client.get(path))

    def rsvp(self, event_id: int) -> None:
        page = self.client.get(f"/agenda/{event_id}")
        fields = {"csrf_token": hidden(page.text, "csrf_token"), "needs": ""}
        response = self.call("rsvp", lambda: self.client.post(f"/agenda/{event_id}/aanmelden",
                                                              fields))
        with self.stats.lock:
            self.stats.rsvp_statuses[response.status if response else "error"] += 1

    ACTIONS = (("ask", 15), ("answer", 25), ("upload", 10), ("search", 25), ("browse", 25))

    def run(self, deadline: float, think: float, event_id: int | None,
            barrier: threading.Barrier | None) -> None:
        try:
            log_in(self.client, self.email, self.password)
        except (OSError, http.client.HTTPException, AssertionError) as error:
            with self.stats.lock:
                self.stats.client_errors.append(("login", repr(error)))  # may count twice
            if barrier is not None:
                barrier.abort()
            return
        if barrier is not None:
            try:
                barrier.wait(timeout=120)  # everyone takes the event's places at one moment
            except threading.BrokenBarrierError:
                return  # another member could not log in; the test fails on that error
        if event_id is not None:
            self.rsvp(event_id)
        names = [name for name, _ in self.ACTIONS]
        weights = [weight for _, weight in self.ACTIONS]
        while time.monotonic() < deadline:
            action = self.rng.choices(names, weights)[0]
            try:
                getattr(self, action)()
            except (OSError, http.client.HTTPException):
                pass  # a connection error, already counted; the member carries on
            except AssertionError as error:  # a form page without its form
                with self.stats.lock:
                    self.stats.client_errors.append((action, repr(error)))
            time.sleep(self.rng.uniform(0, 2 * think))


def run_load(base: str, accounts: list[tuple[str, str]], seconds: float, think: float = 0.3,
             event_id: int | None = None, stats: Stats | None = None) -> Stats:
    """Run every account as a member in its own thread for `seconds`; returns the stats."""
    stats = stats or Stats()
    deadline = time.monotonic() + seconds
    barrier = threading.Barrier(len(accounts)) if event_id is not None else None
    threads = [threading.Thread(target=Member(base, email, password, stats, seed=n).run,
                                args=(deadline, think, event_id, barrier), daemon=True)
               for n, (email, password) in enumerate(accounts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    stats.finished = time.monotonic()
    return stats


# --- checks against the database (call inside an app context) -----------------------------

def audit_submissions(stats: Stats) -> dict:
    """Compare what the client was told with what the database holds.

    lost: acknowledged, but no row; duplicated: one submission id, more than one row.
    """
    from kennisnet.documents.models import Document
    from kennisnet.extensions import db
    from kennisnet.forum.models import Answer, Question

    db.session.rollback()  # a fresh snapshot, not one from before the load
    titles = Counter(t.split(" ", 1)[1] for t in db.session.scalars(
        db.select(Question.title).where(Question.title.like("Lastvraag %"))))
    answers = Counter(b.split(" ", 1)[1].split(":", 1)[0] for b in db.session.scalars(
        db.select(Answer.body).where(Answer.body.like("Lastantwoord %"))))
    documents = Counter(t.split(" ", 1)[1] for t in db.session.scalars(
        db.select(Document.title).where(Document.title.like("Lastdocument %"))))
    found = {"ask": titles, "answer": answers, "upload": documents}
    lost, duplicated, sent = [], [], 0
    for kind, rows in found.items():
        for sid, url in stats.submissions.get(kind, {}).items():
            sent += 1
            if url and rows[sid] == 0:
                lost.append((kind, sid))
        duplicated += [(kind, sid) for sid, count in rows.items() if count > 1]
    return {"sent": sent, "lost": lost, "duplicated": duplicated,
            "rows": {kind: sum(rows.values()) for kind, rows in found.items()}}


def wait_for_index(timeout: float = 60.0) -> tuple[float | None, float | None, object]:
    """(seconds until the outbox was empty, seconds `kennisnet search check` then took, its
    report), once the check finds no difference. The indexer deletes outbox rows only after
    its index commit, so an empty outbox means the index holds every committed change; the
    check proves it (and on a loaded machine takes seconds of its own)."""
    from kennisnet.extensions import db
    from kennisnet.search.indexer import check, pending_count

    start = time.monotonic()
    report = None
    while time.monotonic() - start < timeout:
        db.session.rollback()
        if pending_count() == 0:
            drained = time.monotonic() - start
            report = check()
            if not report.differences and not report.pending:
                return drained, time.monotonic() - start - drained, report
        time.sleep(0.1)
    return None, None, report


def wait_for_extraction(timeout: float = 60.0) -> float | None:
    """Seconds until the text extraction worker has read every uploaded version."""
    from kennisnet.documents.models import DocumentVersion
    from kennisnet.documents.vocab import PENDING
    from kennisnet.extensions import db

    start = time.monotonic()
    while time.monotonic() - start < timeout:
        db.session.rollback()
        waiting = db.session.scalar(db.select(db.func.count(DocumentVersion.id)).where(
            DocumentVersion.extraction_status == PENDING))
        if not waiting:
            return time.monotonic() - start
        time.sleep(0.1)
    return None
