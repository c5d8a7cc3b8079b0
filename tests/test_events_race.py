"""The last place, taken by several people at the same moment, against gunicorn with several
worker processes: exactly the capacity gets a place, everyone else lands on the waiting list.
Runs on SQLite (BEGIN IMMEDIATE) and, with KENNISNET_TEST_PG_URL, on PostgreSQL (FOR UPDATE)."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import select

from kennisnet.events.models import Registration
from tests.conftest import TEST_PASSWORD
from tests.factories_events import make_event

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path):
    port = _free_port()
    env = {**os.environ, "KENNISNET_DATABASE_URL": database_url,
           "KENNISNET_INSTANCE_PATH": str(tmp_path / "instance"),
           "KENNISNET_SECRET_KEY": "race-test-secret-key-long-enough-1234567890"}
    process = subprocess.Popen([str(GUNICORN), "-w", "4", "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning",
                                "kennisnet:create_app()"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(base: str, process) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped"
        try:
            urllib.request.urlopen(base + "/agenda", timeout=2).read()  # noqa: S310 - http only
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def post(self, path: str, token_page: str, **fields) -> str:
        token = TOKEN.search(self.get(token_page)).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        return self.opener.open(self.base + path, data=data, timeout=60).read().decode()


def test_exactly_capacity_people_get_a_place(app, db, gunicorn, make_user, make_initiative):
    event = make_event(make_initiative(), capacity=2)
    users = [make_user() for _ in range(8)]
    browsers = []
    for user in users:
        browser = Browser(gunicorn)
        browser.post("/inloggen", "/inloggen", email=user.email, password=TEST_PASSWORD)
        browsers.append(browser)
    tokens = [TOKEN.search(b.get(f"/agenda/{event.id}")).group(1) for b in browsers]
    start = threading.Barrier(len(browsers))
    errors, outcomes = [], []

    def sign_up(browser, token):
        data = urllib.parse.urlencode({"csrf_token": token}).encode()
        start.wait()
        try:
            page = browser.opener.open(f"{gunicorn}/agenda/{event.id}/aanmelden", data=data,
                                       timeout=60).read().decode()
            outcomes.append("aangemeld" if "Je bent aangemeld." in page else
                            "wachtlijst" if "op de wachtlijst" in page else page[:2000])
        except OSError as error:  # a 500 would show up here
            errors.append(error)

    threads = [threading.Thread(target=sign_up, args=pair) for pair in zip(browsers, tokens,
                                                                           strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["aangemeld"] * 2 + ["wachtlijst"] * 6
    db.session.rollback()  # end this test's read snapshot to see the workers' commits
    statuses = sorted(db.session.scalars(select(Registration.status)
                                         .where(Registration.event_id == event.id)))
    assert statuses == ["confirmed"] * 2 + ["waiting"] * 6


def test_a_second_sign_up_waits_for_the_first_to_commit(app, db, make_user, make_initiative):
    """Deterministic check of the lock itself: while one transaction holds the last place
    uncommitted, another sign-up must wait, then see it and go on the waiting list."""
    from kennisnet.accounts.models import User
    from kennisnet.database import writing
    from kennisnet.events import services
    from kennisnet.events.models import Event

    event_id = make_event(make_initiative(), capacity=1).id
    first_id, second_id = make_user().id, make_user().id
    holding, release, second_done = threading.Event(), threading.Event(), threading.Event()
    outcome = {}

    def sign_up(user_id, hold):
        with app.app_context(), writing():
            registration = services.register(db.session.get(Event, event_id), "",
                                             db.session.get(User, user_id))
            outcome[user_id] = registration.status
            if hold:
                holding.set()
                release.wait(10)
            db.session.commit()
            db.session.remove()

    first = threading.Thread(target=sign_up, args=(first_id, True))
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=lambda: (sign_up(second_id, False), second_done.set()))
    second.start()
    assert not second_done.wait(1.0), "the second sign-up did not wait for the lock"
    release.set()
    first.join(10)
    second.join(20)
    assert outcome == {first_id: "confirmed", second_id: "waiting"}
