"""Back-up under write load and restore into a new, empty instance (catalogue R08–R09).

Runs on SQLite, and on PostgreSQL when KENNISNET_TEST_PG_URL is set (restoring into a new
database on the same server). The figures bound the recovery time objective.
"""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_*.py

import hashlib
import io
import json
import re
import tarfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, make_url, select, text

from kennisnet import create_app
from kennisnet.documents.models import DocumentVersion
from kennisnet.extensions import db as _db
from kennisnet.forum.models import Question
from kennisnet.initiatives.models import Membership
from tests.conftest import TEST_PASSWORD
from tests.factories_documents import (
    STATUTEN_A,
    STATUTEN_B,
    document_id,
    make_docx,
    make_odt,
    make_pdf,
    statuten_lines,
)
from tests.factories_events import make_event
from tests.factories_forum import (  # noqa: F401
    ask_via_form,
    forum_app,
    make_answer,
    make_question,
    make_tag,
)
from tests.factories_initiatives import make_network  # noqa: F401

pytest_plugins = ["tests.search_support", "tests.documents_support"]

NEEDLE = "Klompenmakerij"
HASH_PATH = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/([0-9a-f]{64})")
COPIED_SETTINGS = ("TESTING", "SECRET_KEY", "PASSWORD_HASH_METHOD", "MAIL_SERVER", "BASE_URL",
                   "SERVER_NAME", "SQLALCHEMY_ENGINE_OPTIONS")


# ---- helpers ---------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_files(upload_dir: str) -> dict[str, Path]:
    """sha256 name -> path of every stored upload (not temporary files or download logs)."""
    root = Path(upload_dir)
    return {match.group(1): path for path in root.rglob("*")
            if path.is_file() and (match := HASH_PATH.fullmatch(path.relative_to(root).as_posix()))}


def table_counts(names) -> dict[str, int]:
    return {name: _db.session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608
            for name in names}


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        first = tar.next()
        assert first.name == "manifest.json"
        return json.loads(tar.extractfile(first).read())


def log_in(client, csrf_token, email: str) -> None:
    page = client.get("/inloggen")
    response = client.post("/inloggen", data={"csrf_token": csrf_token(page), "email": email,
                                              "password": TEST_PASSWORD})
    assert response.status_code == 302


def upload_form(client, csrf_token, data: bytes, filename: str, title: str):
    page = client.get("/documenten/nieuw")
    assert page.status_code == 200
    return client.post("/documenten/nieuw", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "title": title, "description": "Uit de schrijftest.",
        "doc_type": "jaarverslag", "legal_form": "", "year": "2025", "licence": "cc-by-4.0",
        "tags": "test", "visibility": "openbaar", "organisation_id": "",
        "file": (io.BytesIO(data), filename)})


class Writer(threading.Thread):
    """A member who keeps asking questions and uploading files through HTTP until stopped."""

    def __init__(self, app, email, csrf_token):
        super().__init__(daemon=True)
        self.client, self.email, self.csrf_token = app.test_client(), email, csrf_token
        self.stop = threading.Event()
        self.finished: list[float] = []  # monotonic time at which each write was committed
        self.errors: list[str] = []

    def run(self):
        try:
            log_in(self.client, self.csrf_token, self.email)
            n = 0
            while not self.stop.is_set():
                n += 1
                self._write(n)
                self.finished.append(time.monotonic())
        except Exception as error:  # reported by the test, which fails on any
            self.errors.append(repr(error))

    def _write(self, n: int) -> None:
        if n % 2:
            response = ask_via_form(self.client, title=f"Schrijftest {n}: hoe regelen we vervoer?",
                                    body=f"Vraag nummer {n} tijdens de back-up.")
            assert response.status_code == 302, response.status_code
        else:
            data = f"Verslag {n} van de schrijftest, uniek: {time.time_ns()}.\n".encode() * 200
            response = upload_form(self.client, self.csrf_token, data, f"verslag-{n}.txt",
                                   f"Verslag schrijftest {n}")
            assert response.status_code == 303, response.status_code

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.finished) < count and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.errors, self.errors
        assert len(self.finished) >= count, "the writer stalled"


# ---- fixtures --------------------------------------------------------------------------------

@pytest.fixture
def populated(forum_app, db, client, seeded, make_user, login, upload, extract, drain,
              make_initiative, make_network, make_tag, make_question, make_answer):
    """Content in every domain, with real uploads of each accepted file type."""
    author = make_user()
    initiative = make_initiative(name="Zorgcoöperatie Hoogeloon")
    db.session.add(Membership(user_id=author.id, organisation_id=initiative.id, role="redacteur"))
    make_network(members=[initiative, make_initiative()])
    for day in range(1, 6):
        make_event(initiative, title=f"Spreekuur {day}", starts_at=None)
    tag = make_tag()
    for n in range(12):
        question = make_question(author, title=f"Vraag {n}: hoe vinden we vrijwilligers?",
                                 tags=[tag])
        for m in range(3):
            make_answer(question, make_user(), body=f"Antwoord {m} op vraag {n}.")
    login(author)
    files = {
        "statuten.pdf": make_pdf(statuten_lines(STATUTEN_A, extra=[f"Het {NEEDLE} fonds."]),
                                 pages=3),
        "statuten.docx": make_docx(statuten_lines(STATUTEN_B)),
        "reglement.odt": make_odt(statuten_lines(STATUTEN_A[:3])),
        "notulen.txt": "\n".join(f"Regel {i} van de notulen." for i in range(2000)).encode(),
    }
    ids = {name: document_id(upload(data, name, title=f"Document {name}"))
           for name, data in files.items()}
    extract()
    drain()
    writer = make_user()
    return {"files": files, "ids": ids, "writer": writer}


@pytest.fixture
def empty_instance(app, database_url, tmp_path):
    """Makes new, empty instances: a new SQLite file or a new PostgreSQL database."""
    made: list[tuple[object, str | None]] = []

    def factory(name: str):
        folder = tmp_path / name
        url = _new_database(database_url, folder, name)
        settings = {key: app.config[key] for key in COPIED_SETTINGS}
        instance = create_app({**settings, "SQLALCHEMY_DATABASE_URI": url,
                               "UPLOAD_DIR": str(folder / "uploads"),
                               "SEARCH_INDEX_DIR": str(folder / "search-index"),
                               "MAIL_OUTBOX_DIR": str(folder / "mail"),
                               "PAGE_CACHE_VERSION_FILE": str(folder / "content-version")})
        made.append((instance, url if url.startswith("postgresql") else None))
        return instance

    yield factory
    for instance, pg_url in made:
        with instance.app_context():
            _db.session.remove()
            _db.engine.dispose()
        if pg_url:
            _drop_database(pg_url)


def _new_database(database_url: str, folder: Path, name: str) -> str:
    folder.mkdir(parents=True)
    if not database_url.startswith("postgresql"):
        return "sqlite:///" + str(folder / "kennisnet.sqlite3")
    url = make_url(database_url)
    target = url.set(database=f"{url.database}_{name}")
    _drop_database(target.render_as_string(hide_password=False))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return target.render_as_string(hide_password=False)


def _drop_database(pg_url: str) -> None:
    url = make_url(pg_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def backup(runner, folder: Path) -> tuple[Path, float]:
    started = time.monotonic()
    result = runner.invoke(args=["backup", "--output", str(folder)])
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "Back-up gemaakt" in result.output
    archives = list(folder.iterdir())
    assert len(archives) == 1 and archives[0].name.endswith(".tar.gz"), archives  # no .part
    return archives[0], seconds


def restore(instance, archive: Path, *options: str):
    with instance.app_context():
        return instance.test_cli_runner().invoke(args=["restore", str(archive), *options])


# ---- tests -----------------------------------------------------------------------------------

def test_backup_under_write_load_restores_every_row_and_file(
        app, db, populated, runner, csrf_token, empty_instance, tmp_path, report_figure,
        monkeypatch):
    from kennisnet.backup import database

    dialect = db.engine.dialect.name
    writer = Writer(app, populated["writer"].email, csrf_token)
    real_snapshot = database.snapshot
    paused = []

    def snapshot_amid_writes(engine, destination):
        # A small back-up is quick; waiting here makes sure that writes land during the
        # back-up both before and after the snapshot, on every run. Three more writes hold at
        # least two that began after this point (one may have been in flight): a question
        # and an upload. The pauses are not counted in the reported back-up time.
        pause = time.monotonic()
        writer.wait_for(len(writer.finished) + 3)
        paused.append(time.monotonic() - pause)
        info = real_snapshot(engine, destination)
        pause = time.monotonic()
        writer.wait_for(len(writer.finished) + 3)
        paused.append(time.monotonic() - pause)
        return info

    monkeypatch.setattr(database, "snapshot", snapshot_amid_writes)
    writer.start()
    try:
        writer.wait_for(4)
        db.session.rollback()
        questions_before = db.session.scalar(select(func.count(Question.id)))
        started = time.monotonic()
        archive, backup_seconds = backup(runner, tmp_path / "backups")
        ended = time.monotonic()
        writer.wait_for(len(writer.finished) + 4)  # and it keeps writing afterwards
    finally:
        writer.stop.set()
        writer.join(30)
    assert not writer.errors, writer.errors
    assert any(started < t < ended for t in writer.finished), "no write during the back-up"

    manifest = read_manifest(archive)
    assert manifest["dialect"] == dialect and manifest["format_version"] == 1
    assert manifest["created_at"].endswith("Z") and manifest["app_version"]
    assert manifest["missing_files"] == [] and manifest["damaged_files"] == []
    db.session.rollback()
    live = table_counts(manifest["tables"])
    assert set(manifest["tables"]) >= {"user", "forum_question", "document_version", "event"}
    # The snapshot sits between the start of the back-up and the writes that came after it.
    assert questions_before < manifest["tables"]["forum_question"] < live["forum_question"]
    assert manifest["tables"]["document_version"] < live["document_version"]
    for name in ("guide_page", "tip", "organisation", "forum_answer", "event", "membership"):
        assert manifest["tables"][name] == live[name] > 0, name

    target = empty_instance("hersteld")
    started = time.monotonic()
    result = restore(target, archive)
    restore_seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "zoekindex herbouwd" in result.output

    with target.app_context():
        counts = table_counts(manifest["tables"])
        # The restore checked the outbox too, then applied it to the rebuilt index.
        assert counts.pop("search_outbox") == 0
        assert counts == {k: v for k, v in manifest["tables"].items() if k != "search_outbox"}
        restored = stored_files(target.config["UPLOAD_DIR"])
        assert {f"{h[:2]}/{h[2:4]}/{h}" for h in restored} == set(manifest["files"])
        for relative, entry in manifest["files"].items():
            assert sha256_of(Path(target.config["UPLOAD_DIR"]) / relative) == entry["sha256"]
        # No row without its file and no file without its row.
        named = set(_db.session.scalars(select(DocumentVersion.sha256).distinct()))
        assert named == set(restored)
        _assert_restored_site_works(target, populated)

    again = restore(target, archive)
    assert again.exit_code != 0 and "lege installatie" in again.output

    report_figure(f"backup archive size under write load ({dialect}, bytes)",
                  archive.stat().st_size)
    report_figure(f"backup time under write load ({dialect}, s)",
                  round(backup_seconds - sum(paused), 2))
    report_figure(f"restore time incl. reindex ({dialect}, s)", round(restore_seconds, 2))


def _assert_restored_site_works(target, populated) -> None:
    client = target.test_client()
    pdf_id = populated["ids"]["statuten.pdf"]
    download = client.get(f"/documenten/{pdf_id}/download")
    assert download.status_code == 200
    assert download.data == populated["files"]["statuten.pdf"]
    hits = client.get("/zoeken", query_string={"q": NEEDLE.lower()})
    assert hits.status_code == 200
    assert "Document statuten.pdf" in hits.get_data(as_text=True)
    check = target.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 0, check.output
    assert "Zoekindex en database komen overeen" in check.output
    assert "wachten nog" not in check.output


def test_files_follow_the_snapshot_not_the_folder(app, db, client, make_user, login, upload,
                                                  csrf_token, runner, tmp_path, monkeypatch):
    """Right after the snapshot, one document is deleted (its file unlinked) and another is
    uploaded: the archive still carries the first file and not the second."""
    from kennisnet.backup import database

    login(make_user())
    kept = b"Notulen die vlak na de momentopname verdwijnen.\n" * 50
    kept_id = document_id(upload(kept, "weg.txt", title="Verdwijnt"))
    late = b"Een verslag dat na de momentopname binnenkomt.\n" * 50
    real_snapshot = database.snapshot

    def snapshot_then_write(engine, destination):
        info = real_snapshot(engine, destination)
        page = client.get(f"/documenten/{kept_id}/verwijderen")
        assert client.post(f"/documenten/{kept_id}/verwijderen",
                           data={"csrf_token": csrf_token(page)}).status_code == 303
        document_id(upload(late, "laat.txt", title="Te laat"))
        return info

    monkeypatch.setattr(database, "snapshot", snapshot_then_write)
    archive, _seconds = backup(runner, tmp_path / "backups")
    kept_hash, late_hash = hashlib.sha256(kept).hexdigest(), hashlib.sha256(late).hexdigest()
    assert kept_hash not in stored_files(app.config["UPLOAD_DIR"])  # really gone from disk
    assert late_hash in stored_files(app.config["UPLOAD_DIR"])
    manifest = read_manifest(archive)
    with tarfile.open(archive, "r:gz") as tar:
        names = set(tar.getnames())
    assert f"uploads/{kept_hash[:2]}/{kept_hash[2:4]}/{kept_hash}" in names
    assert not any(late_hash in name for name in names)
    assert manifest["tables"]["document_version"] == 1
    assert not list((Path(app.config["UPLOAD_DIR"]) / "tmp").glob("backup-*"))  # pins released


def test_tampered_archive_is_refused_before_anything_is_restored(
        app, db, make_user, login, upload, runner, empty_instance, tmp_path):
    login(make_user())
    document_id(upload(b"Echte inhoud van het verslag.\n" * 40, "verslag.txt", title="Verslag"))
    archive, _seconds = backup(runner, tmp_path / "backups")
    tampered = tmp_path / "vervalst.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("uploads/"):
                data = data.replace(b"Echte", b"Valse")
            target.addfile(member, io.BytesIO(data))

    instance = empty_instance("vervalst")
    result = restore(instance, tampered)
    assert result.exit_code != 0
    assert "wijkt af van het manifest" in result.output
    with instance.app_context():
        assert inspect(_db.engine).get_table_names() == []
        assert stored_files(instance.config["UPLOAD_DIR"]) == {}
        assert not list((Path(instance.config["UPLOAD_DIR"]) / "tmp").iterdir())


def test_restore_refuses_an_instance_with_data_unless_forced(app, db, make_user, runner,
                                                             tmp_path):
    make_user(display_name="Eerste bewoner")
    archive, _seconds = backup(runner, tmp_path / "backups")
    make_user(display_name="Later lid")
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert db.session.scalar(text('SELECT count(*) FROM "user"')) == 2

    forced = runner.invoke(args=["restore", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
    db.session.remove()
    names = set(db.session.scalars(text('SELECT display_name FROM "user"')))
    assert names == {"Eerste bewoner"}


def test_a_failed_backup_leaves_no_archive_and_no_work_files(app, db, make_user, login, upload,
                                                              runner, tmp_path, monkeypatch):
    login(make_user())
    document_id(upload(b"Een verslag voor de back-up.\n" * 40, "verslag.txt", title="Verslag"))
    real_add = tarfile.TarFile.add

    def add_then_fail(self, name, arcname=None, **options):
        if arcname and arcname.startswith("uploads/"):
            raise OSError(28, "No space left on device")  # the disk fills up mid-archive
        return real_add(self, name, arcname, **options)

    monkeypatch.setattr(tarfile.TarFile, "add", add_then_fail)
    folder = tmp_path / "backups"
    result = runner.invoke(args=["backup", "--output", str(folder)])
    assert result.exit_code == 1 and "geen archief gemaakt" in result.output
    assert list(folder.iterdir()) == []  # no archive, no .part file, no work folder
    assert not list((Path(app.config["UPLOAD_DIR"]) / "tmp").glob("backup-*"))


def test_the_restore_drill_restores_the_newest_backup_beside_the_site(
        app, db, make_user, login, upload, runner, tmp_path, report_figure):
    from kennisnet.backup.drill import SCRATCH_PREFIX, SCRATCH_SUFFIX, newest_archive

    login(make_user(display_name="Bewoner"))
    document_id(upload(b"Verslag van de ledenvergadering.\n" * 40, "verslag.txt", title="Verslag"))
    folder = tmp_path / "backups"
    older, _seconds = backup(runner, folder)
    time.sleep(1.1)  # archive names hold the time to the second
    make_user(display_name="Nieuw lid")
    newer = next(path for path in _second_backup(runner, folder) if path != older)
    assert newest_archive(folder) == newer
    users_before = db.session.scalar(text('SELECT count(*) FROM "user"'))

    result = runner.invoke(args=["restore-drill", str(newer)])
    assert result.exit_code == 0, result.output
    assert "Oefening geslaagd" in result.output and "1 bestanden" in result.output
    assert "0 verschillen met de database" in result.output
    seconds = float(re.search(r"hersteltijd ([\d.]+) s", result.output).group(1))
    report_figure(f"restore drill ({db.engine.dialect.name}): restore + checks", f"{seconds:.2f} s")

    # The site was not touched, and the scratch instance is gone.
    db.session.remove()
    assert db.session.scalar(text('SELECT count(*) FROM "user"')) == users_before
    assert not list(folder.glob(f"{SCRATCH_PREFIX}*"))
    if db.engine.dialect.name == "postgresql":
        scratch = f"{db.engine.url.database}{SCRATCH_SUFFIX}"
        assert not db.session.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                                     {"n": scratch})

    stale = runner.invoke(args=["restore-drill", str(newer), "--max-age-hours", "0"])
    assert stale.exit_code != 0 and "uur oud" in stale.output

    # A file lost before the back-up restores "fine", but the drill says so.
    for stored in stored_files(app.config["UPLOAD_DIR"]).values():
        stored.unlink()
    time.sleep(1.1)
    runner.invoke(args=["backup", "--output", str(folder)])  # fails, and names the file
    damaged = runner.invoke(args=["restore-drill", str(newest_archive(folder))])
    assert damaged.exit_code != 0 and "1 bestanden ontbraken" in damaged.output


def _second_backup(runner, folder: Path) -> list[Path]:
    result = runner.invoke(args=["backup", "--output", str(folder)])
    assert result.exit_code == 0, result.output
    return sorted(folder.glob("*.tar.gz"))
