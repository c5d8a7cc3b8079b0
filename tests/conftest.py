"""Shared fixtures: a real database (SQLite file, or PostgreSQL when KENNISNET_TEST_PG_URL is set),
a fresh schema state per test, a test client, a live server for the browser, and factories."""

import os
import re
import threading
import time
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from kennisnet import create_app
from kennisnet.extensions import db as _db

TEST_PASSWORD = "correct horse battery"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPKENNISNETTESTXYZ"  # base32, 160 bits
PG_URL = os.environ.get("KENNISNET_TEST_PG_URL")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    if not PG_URL:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    if worker_id == "master":
        return PG_URL
    # pytest-xdist: every worker gets a database of its own on the same server.
    name = f"{PG_URL.rsplit('/', 1)[1]}_{worker_id}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create the schema once per run; each test then empties the tables."""
    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.engine.dispose()
    return True


def _test_config(database_url, instance_dir: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-1234567890",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # production uses 600,000
        "MAIL_SERVER": None,
        "MAIL_OUTBOX_DIR": str(instance_dir / "mail"),
        "SEARCH_INDEX_DIR": str(instance_dir / "search-index"),
        "UPLOAD_DIR": str(instance_dir / "uploads"),
        # Per test: the xdist workers run side by side and must not see each other's commits.
        "PAGE_CACHE_VERSION_FILE": str(instance_dir / "content-version"),
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        # On as in production: every test that changes data and reads a page again checks
        # that kept pages are dropped in time.
        "PAGE_CACHE_SECONDS": 60,
    }


def _fresh_request_globals():
    # The test keeps one app context pushed, so requests share `g`; in production every request
    # gets a fresh one. Clearing it keeps test clients from seeing each other's user or CSRF token.
    for name in list(g):
        g.pop(name, None)


@pytest.fixture
def app(database_url, _schema, tmp_path):
    app = create_app(_test_config(database_url, tmp_path))
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    with app.app_context():
        _empty_tables()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _empty_tables():
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    from kennisnet.accounts import services

    counter = iter(range(1, 10_000))

    def factory(email=None, password=TEST_PASSWORD, display_name=None, site_role="member",
                second_factor=None):
        """second_factor: None enrols TEST_TOTP_SECRET for moderators and administrators (who
        need it to moderate), True for anyone, False for nobody."""
        n = next(counter)
        user = services.create_user(display_name or f"Gebruiker {n}",
                                    email or f"gebruiker{n}@example.nl", password,
                                    site_role=site_role)
        _db.session.commit()
        if second_factor or (second_factor is None and site_role in ("moderator", "admin")):
            enrol_totp(user)
        return user

    return factory


def enrol_totp(user, secret=TEST_TOTP_SECRET):
    """A confirmed second factor with a known secret, as if the user had set it up."""
    from kennisnet.database import utcnow
    from kennisnet.twofactor.models import TotpCredential
    from kennisnet.twofactor.services import encrypt_secret

    _db.session.add(TotpCredential(user_id=user.id, secret_encrypted=encrypt_secret(secret),
                                   confirmed_at=utcnow()))
    _db.session.commit()


def totp_code_for(user, secret=TEST_TOTP_SECRET) -> str | None:
    """A code the server accepts now, or None when the user has no second factor. Each step's
    code works once, so after the current step was used this gives the next step's (accepted
    one step early), and waits for a fresh step when both are used."""
    import pyotp
    from sqlalchemy import select

    from kennisnet.twofactor.models import TotpCredential

    _db.session.commit()  # end any open transaction, so a write by a live server is seen
    last_step = _db.session.scalar(select(TotpCredential.last_used_step).where(
        TotpCredential.user_id == user.id, TotpCredential.confirmed_at.is_not(None)))
    if last_step is None:
        return None
    totp = pyotp.TOTP(secret)
    while True:
        now = totp.timecode(time.time())
        for step in (now, now + 1):
            if step > last_step:
                return totp.generate_otp(step)
        time.sleep(totp.interval - time.time() % totp.interval + 0.05)


@pytest.fixture
def make_initiative(app):
    from kennisnet.initiatives.models import Initiative

    counter = iter(range(1, 10_000))

    def factory(**values):
        n = next(counter)
        defaults = dict(slug=f"initiatief-{n}", name=f"Initiatief {n}", kind="zorgcooperatie",
                        legal_form="cooperatie", status="actief", place="Hoogeloon",
                        municipality="Bladel", province="noord-brabant", latitude=51.39,
                        longitude=5.25, description="Een zorgcoöperatie in het dorp.")
        initiative = Initiative(**{**defaults, **values})
        _db.session.add(initiative)
        _db.session.commit()
        return initiative

    return factory


@pytest.fixture
def csrf_token():
    def extract(response) -> str:
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                          response.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        return match.group(1)

    return extract


@pytest.fixture
def login(client, csrf_token):
    """Logs in through the forms, the code step included for users with a second factor."""
    def do_login(user, password=TEST_PASSWORD):
        page = client.get("/inloggen")
        token = csrf_token(page)
        response = client.post("/inloggen", data={
            "csrf_token": token, "email": user.email, "password": password,
        })
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        code = totp_code_for(user)
        if code is not None:
            assert response.headers["Location"].endswith("/inloggen/code")
            response = client.post("/inloggen/code", data={"csrf_token": token, "code": code})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def seeded(app):
    from kennisnet.seed import seed_all

    seed_all()
    _db.session.commit()


@pytest.fixture
def sent_mail(app):
    """The messages written to the development mail folder, oldest first."""
    from email import policy
    from email.parser import BytesParser

    from kennisnet.mail import wait_for_background_mail

    def read_all():
        wait_for_background_mail()  # account mail is delivered in a thread of its own
        folder = Path(app.config["MAIL_OUTBOX_DIR"])
        if not folder.exists():
            return []
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]

    return read_all


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def report_figure(record_property):
    """Record a measured figure; the run's summary prints all of them (also under xdist)."""
    def report(name: str, value) -> None:
        record_property(f"figure:{name}", value)
    return report


def pytest_terminal_summary(terminalreporter):
    figures = sorted(
        (key.removeprefix("figure:"), value)
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for key, value in getattr(report, "user_properties", ())
        if isinstance(key, str) and key.startswith("figure:")
    )
    # "total:" properties are counted per test (even at teardown) and summed over the run.
    totals: dict[str, int] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "teardown":
                continue
            for key, value in getattr(report, "user_properties", ()):
                if isinstance(key, str) and key.startswith("total:"):
                    name = key.removeprefix("total:")
                    totals[name] = totals.get(name, 0) + value
    figures += sorted(totals.items())
    if figures:
        terminalreporter.section("kennisnet figures")
        for name, value in figures:
            terminalreporter.line(f"{name}: {value}")
