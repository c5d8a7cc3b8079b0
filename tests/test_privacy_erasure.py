"""Account erasure with planted markers (P02): after either choice nothing of the person is left
in the database (rows and, on SQLite, the file), the search index or the upload folder."""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_forum.py

import io
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy import cast as sql_cast

from kennisnet.accounts.models import RateLimitHit, User
from kennisnet.events import services as event_services
from kennisnet.events.models import Registration
from kennisnet.extensions import db
from kennisnet.forum.models import Answer, Question, Vote
from kennisnet.initiatives.models import Invitation, JoinRequest, Membership
from kennisnet.privacy import services
from tests.conftest import TEST_PASSWORD
from tests.factories_documents import document_id
from tests.factories_events import make_event
from tests.factories_forum import forum_app, make_answer, make_question  # noqa: F401

pytest_plugins = ["tests.search_support", "tests.documents_support"]

MARK = {
    "name": "Mrkvnaamqzx", "email": "mrkvmailqzx@example.nl", "bio": "mrkvbioqzx",
    "join": "mrkvjoinqzx", "needs": "mrkvneedsqzx", "report": "mrkvreportqzx",
    "question": "mrkvvraagqzx", "answer": "mrkvantwoordqzx", "doctitle": "mrkvdoctitelqzx",
    "file": "mrkvbestandqzx", "kept": "mrkvblijftqzx",
}
PERSONAL = ("name", "email", "bio", "join", "needs", "report")
CONTENT = ("question", "answer", "doctitle", "file")


def uncompressed_pdf(text: str) -> bytes:
    # Uncompressed, so the marker is readable in the stored file's bytes.
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    pdf.drawString(50, 800, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table, column


def database_hits(marker: str) -> int:
    total = 0
    for table, column in text_columns():
        value = sql_cast(column, Text) if isinstance(column.type, JSON) else column
        total += db.session.scalar(select(func.count()).select_from(table).where(
            func.lower(value).contains(marker.lower()))) or 0
    return total


def folder_hits(folder: str, marker: str) -> int:
    needle = marker.lower().encode()
    root = Path(folder)
    if not root.exists():
        return 0
    return sum(path.read_bytes().lower().count(needle)
               for path in root.rglob("*") if path.is_file())


def file_hits(app, marker: str) -> int:
    """On SQLite also the bytes of the database file and its write-ahead log, where deleted
    text lingers in free pages and old page images unless erasure wipes them."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        return 0
    needle = marker.lower().encode()
    path = Path(uri.removeprefix("sqlite:///"))
    return sum(p.read_bytes().lower().count(needle)
               for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def hits(app, marker: str) -> dict:
    db.session.commit()  # end this test's read, so the counts see every commit
    return {"database": database_hits(marker), "database file": file_hits(app, marker),
            "index": folder_hits(app.config["SEARCH_INDEX_DIR"], marker),
            "uploads": folder_hits(app.config["UPLOAD_DIR"], marker)}


NONE = {"database": 0, "database file": 0, "index": 0, "uploads": 0}


@pytest.fixture
def planted(app, client, make_user, make_initiative, make_question, make_answer, login,
            csrf_token, upload, extract, drain):
    """A member with marker text in every kind of place, seen by a second member."""
    victim = make_user(display_name=f"Lid {MARK['name']}", email=MARK["email"])
    victim.bio = f"Ik ben {MARK['bio']}."
    other = make_user(display_name="Buurvrouw")
    organisation = make_initiative()
    db.session.add_all([
        Membership(user_id=victim.id, organisation_id=organisation.id, role="beheerder"),
        JoinRequest(user_id=victim.id, organisation_id=make_initiative().id,
                    message=f"Graag lid {MARK['join']}"),
        Invitation(organisation_id=organisation.id, email=MARK["email"], token_hash="h" * 64)])
    own = make_question(victim, title=f"Vervoer {MARK['question']}", body="Wie weet raad?")
    kept = make_question(victim, title=f"Subsidie {MARK['kept']}", body="Wie weet het?")
    theirs = make_question(other, title="Vrijwilligers vinden")
    reply = make_answer(theirs, victim, body=f"Wij deden {MARK['answer']} zo.")
    others_answer = make_answer(kept, other, body="Vraag het de gemeente.")
    db.session.add(Vote(answer_id=others_answer.id, user_id=victim.id))
    others_answer.vote_count = 1
    db.session.commit()
    event = make_event(organisation, capacity=1)
    event_services.register(event, "", victim, needs=f"Rolstoel {MARK['needs']}")
    event_services.register(event, "", other)
    db.session.commit()
    login(victim)
    stranger = app.test_client()  # a failed login elsewhere is counted under the address
    page = stranger.get("/inloggen")
    assert stranger.post("/inloggen", data={"csrf_token": csrf_token(page),
                                            "email": MARK["email"],
                                            "password": "verkeerd"}).status_code == 401
    page = client.get(f"/forum/antwoord/{others_answer.id}/melden")
    client.post(f"/forum/antwoord/{others_answer.id}/melden",
                data={"csrf_token": csrf_token(page), "reason": f"Klopt niet {MARK['report']}"})
    doc = document_id(upload(uncompressed_pdf(f"Artikel 1 {MARK['file']}"), "statuten.pdf",
                             title=f"Statuten {MARK['doctitle']}"))
    extract()
    drain()
    return dict(victim=victim, other=other, own=own.id, kept=kept.id, reply=reply.id,
                others_answer=others_answer.id, document=doc, event=event.id)


def _erase(client, csrf_token, mode):
    page = client.get("/profiel/account-verwijderen")
    assert page.status_code == 200
    return client.post("/profiel/account-verwijderen", data={
        "csrf_token": csrf_token(page), "mode": mode, "password": TEST_PASSWORD,
        "confirm": "y"})


@pytest.mark.parametrize("mode", ["anonimiseren", "verwijderen"])
def test_erasure_leaves_no_marker(app, client, planted, csrf_token, drain, report_figure, mode):
    victim_id = planted["victim"].id
    before = {key: hits(app, marker) for key, marker in MARK.items()}
    for key in (*PERSONAL, "question", "answer", "doctitle", "kept"):
        assert before[key]["database"] > 0, (key, before)
    assert db.session.scalar(select(func.count()).select_from(RateLimitHit).where(
        RateLimitHit.key == f"login-account:{MARK['email']}")) == 1
    for key in ("question", "answer", "doctitle", "file"):
        assert before[key]["index"] > 0, key  # the grep of the index can find words
    assert before["file"]["uploads"] > 0

    response = _erase(client, csrf_token, mode)
    assert response.status_code == 303
    drain()
    db.session.expire_all()
    after = {key: hits(app, marker) for key, marker in MARK.items()}

    for key in PERSONAL:
        assert after[key] == NONE, (key, after[key])
    if mode == "verwijderen":
        for key in CONTENT:
            assert after[key] == NONE, (key, after[key])
    else:  # anonymising keeps what the member shared, without their name
        for key in CONTENT:
            assert after[key]["database"] > 0, key
    assert after["kept"]["database"] > 0  # others answered it: kept in both modes

    gone = sum(after[k][store] for k in PERSONAL for store in after[k])
    planted_before = sum(before[k][store] for k in PERSONAL for store in before[k])
    content_after = sum(after[k][store] for k in CONTENT for store in after[k])
    content_before = sum(before[k][store] for k in CONTENT for store in before[k])
    report_figure(f"privacy: marker hits after erasure ({mode})",
                  f"personal {planted_before} -> {gone}; content {content_before} -> "
                  f"{content_after} (database rows and file, index, uploads)")

    victim = db.session.get(User, victim_id)
    assert victim.display_name == services.ANONYMOUS_NAME and not victim.is_active
    assert client.get("/profiel").status_code == 302  # this session is gone


def test_after_erasure_the_forum_stays_consistent(app, client, planted, csrf_token, login,
                                                  make_user):
    other = planted["other"]
    assert _erase(client, csrf_token, "verwijderen").status_code == 303
    db.session.expire_all()
    assert db.session.get(Question, planted["own"]) is None
    assert db.session.get(Answer, planted["reply"]) is None
    kept = db.session.get(Question, planted["kept"])
    others_answer = db.session.get(Answer, planted["others_answer"])
    assert kept is not None and others_answer.vote_count == 0
    page = client.get(f"/forum/vraag/{kept.id}").get_data(as_text=True)
    assert services.ANONYMOUS_NAME in page and "Vraag het de gemeente." in page
    # The place on the agenda went to the first on the waiting list.
    statuses = db.session.execute(select(Registration.user_id, Registration.status).where(
        Registration.event_id == planted["event"])).all()
    assert statuses == [(other.id, "confirmed")]


def test_erased_account_cannot_log_in_and_the_address_can_register_again(
        app, client, planted, csrf_token, sent_mail):
    assert _erase(client, csrf_token, "anonimiseren").status_code == 303
    page = client.get("/inloggen")
    response = client.post("/inloggen", data={"csrf_token": csrf_token(page),
                                              "email": MARK["email"], "password": TEST_PASSWORD})
    assert response.status_code == 401
    page = client.get("/aanmelden")
    response = client.post("/aanmelden", data={
        "csrf_token": csrf_token(page), "display_name": "Nieuw", "email": MARK["email"],
        "password": TEST_PASSWORD, "password_again": TEST_PASSWORD})
    assert response.status_code == 302
    fresh = db.session.scalar(select(User).where(User.email == MARK["email"]))
    assert fresh is not None and fresh.id != planted["victim"].id


def test_erasure_ends_sessions_on_other_devices(app, planted, csrf_token, login, client):
    other_device = app.test_client()
    page = other_device.get("/inloggen")
    other_device.post("/inloggen", data={"csrf_token": csrf_token(page), "email": MARK["email"],
                                         "password": TEST_PASSWORD})
    assert other_device.get("/profiel").status_code == 200
    assert _erase(client, csrf_token, "anonimiseren").status_code == 303
    assert other_device.get("/profiel").status_code == 302
