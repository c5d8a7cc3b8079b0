"""Privacy self-service (P01, P05, P07): the export covers every user-linked table and holds no
secret, the privacy pages ask for the password again, and the statement names every cookie."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, insert

from kennisnet.accounts.models import User
from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.privacy import export, services
from tests.conftest import TEST_PASSWORD
from tests.factories_events import make_event
from tests.test_privacy_erasure import uncompressed_pdf

pytest_plugins = ["tests.search_support", "tests.documents_support"]


# --- Export coverage (P01) ------------------------------------------------------------------

def _sample_rows(user, other, organisation, now):
    """One row per user-linked table, tied to `user`. A new table that refers to users needs a
    line here, and then shows up in the export test below."""
    t = db.metadata.tables
    document = db.session.execute(insert(t["document"]).values(
        title="Onze statuten", doc_type="statuten", visibility="openbaar", owner_id=user.id,
        created_at=now, updated_at=now)).inserted_primary_key[0]
    event = make_event(organisation, created_by_id=user.id).id
    question = db.session.execute(insert(t["forum_question"]).values(
        title="Vraag", author_id=user.id, body="b", body_html="b",
        created_at=now, last_activity_at=now)).inserted_primary_key[0]
    answer = db.session.execute(insert(t["forum_answer"]).values(
        question_id=question, author_id=user.id, body="a", body_html="a",
        created_at=now)).inserted_primary_key[0]
    return {
        "document": [],
        "document_version": [dict(document_id=document, number=1, sha256="a" * 64, size=1,
                                  mime="application/pdf", extension="pdf",
                                  original_filename="s.pdf", uploaded_by_id=user.id)],
        "document_report": [dict(document_id=document, user_id=user.id, reason="r")],
        "event": [],
        "event_calendar_token": [dict(user_id=user.id, token="geheim-feed-token")],
        "event_registration": [dict(event_id=event, user_id=user.id),
                               dict(event_id=event, name="Buur", registered_by_id=user.id)],
        "forum_question": [],
        "forum_answer": [],
        "forum_follow": [dict(question_id=question, user_id=user.id)],
        "forum_vote": [dict(answer_id=answer, user_id=user.id)],
        "forum_report": [dict(post_type="answer", post_id=answer, reporter_id=user.id,
                              reason="r")],
        "forum_revision": [dict(post_type="answer", post_id=answer, editor_id=user.id)],
        "forum_submission": [dict(token="geheim-formulier-token", user_id=user.id)],
        "forum_moderation_action": [dict(moderator_id=user.id, action="hide", post_type="answer",
                                         post_id=answer, undone_by_id=user.id, changes=[])],
        "invitation": [dict(organisation_id=organisation.id, email="x@example.nl",
                            token_hash="geheime-hash", invited_by_id=user.id)],
        "join_request": [dict(user_id=user.id, organisation_id=organisation.id)],
        "membership": [dict(user_id=user.id, organisation_id=organisation.id, role="lid")],
        "totp_credential": [dict(user_id=user.id, secret_encrypted="GEHEIM-TOTP-SECRET")],
        "recovery_code": [dict(user_id=user.id, code_hash="geheime-herstelcode-hash")],
    }


def _plant_everything(user, other, organisation):
    samples = _sample_rows(user, other, organisation, utcnow())
    missing = export.user_linked_tables() - samples.keys()
    assert not missing, f"tables that refer to users but have no sample row here: {missing}"
    for name, rows in samples.items():
        for row in rows:
            db.session.execute(insert(db.metadata.tables[name]).values(**row))
    db.session.commit()


def _download(client, csrf_token, password=TEST_PASSWORD):
    page = client.get("/profiel/mijn-gegevens")
    return client.post("/profiel/mijn-gegevens",
                       data={"csrf_token": csrf_token(page), "password": password})


def test_export_holds_every_user_linked_table_and_no_secret(
        app, client, make_user, make_initiative, login, csrf_token, report_figure):
    user, other = make_user(display_name="Exporteur"), make_user()
    _plant_everything(user, other, make_initiative())
    login(user)
    response = _download(client, csrf_token)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data()
    archive = zipfile.ZipFile(io.BytesIO(raw))
    data = json.loads(archive.read("mijn-gegevens.json"))
    assert data["account"]["display_name"] == "Exporteur"
    assert data["account"]["password_hash"] == export.SET
    covered = set()
    for table, column in export.user_foreign_keys():
        rows = data["tabellen"].get(table.name, [])
        if any(row[column.name] == user.id for row in rows):
            covered.add(f"{table.name}.{column.name}")
        assert f"csv/{table.name}.csv" in archive.namelist()
    expected = {f"{t.name}.{c.name}" for t, c in export.user_foreign_keys()}
    assert covered == expected
    assert data["tabellen"]["totp_credential"][0]["secret_encrypted"] == export.SET
    assert data["tabellen"]["event_calendar_token"][0]["token"] == export.SET
    for secret in (b"GEHEIM-TOTP-SECRET", b"geheim-feed-token", b"geheim-formulier-token",
                   b"geheime-hash", b"geheime-herstelcode-hash", b"pbkdf2:sha256"):
        assert secret not in raw and all(secret not in archive.read(n)
                                         for n in archive.namelist())
    tables = export.user_linked_tables()
    report_figure("privacy: user-linked tables exported",
                  f"{len(covered)} of {len(expected)} columns in {len(tables)} tables (100%)")


def test_a_new_user_linked_table_is_exported_and_blocks_erasure_until_decided(app):
    probe = Table("privacy_probe", db.metadata,
                  Column("id", Integer, primary_key=True),
                  Column("user_id", ForeignKey("user.id")))
    try:
        assert "privacy_probe" in export.exported_tables()
        with pytest.raises(services.EraseRuleMissing):
            services.erase_rule("privacy_probe", "user_id")
    finally:
        db.metadata.remove(probe)


def test_every_foreign_key_to_users_has_an_erasure_rule(app):
    for table, column in export.user_foreign_keys():
        assert services.erase_rule(table.name, column.name) in (
            services.KEEP, services.NULL, services.DELETE)
    assert all(reason for _action, reason in services.ON_ERASE.values())
    assert all(reason for reason in export.EXCLUDED_TABLES.values())


def test_export_includes_the_uploaded_file(app, client, make_user, login, csrf_token, upload,
                                           extract):
    user = make_user()
    login(user)
    data = uncompressed_pdf("Onze eigen statuten, artikel 1.")
    assert upload(data, "statuten.pdf").status_code in (302, 303)
    archive = zipfile.ZipFile(io.BytesIO(_download(client, csrf_token).get_data()))
    files = [name for name in archive.namelist() if name.startswith("bestanden/")]
    assert len(files) == 1 and archive.read(files[0]) == data


def test_wrong_password_refuses_and_is_limited(app, client, make_user, login, csrf_token):
    user = make_user()
    login(user)
    statuses = [_download(client, csrf_token, password="fout wachtwoord").status_code
                for _ in range(app.config["LOGIN_LIMIT_PER_ACCOUNT"] + 1)]
    assert statuses[:-1] == [422] * app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    assert statuses[-1] == 429
    page = client.get("/profiel/account-verwijderen")
    assert page.headers["Cache-Control"] == "no-store"
    response = client.post("/profiel/account-verwijderen", data={
        "csrf_token": csrf_token(page), "mode": "anonimiseren", "password": TEST_PASSWORD,
        "confirm": "y"})
    assert response.status_code == 429
    assert db.session.get(User, user.id).is_active


def test_delete_form_errors_are_dutch_and_422(app, client, make_user, login, csrf_token):
    user = make_user()
    login(user)
    page = client.get("/profiel/account-verwijderen")
    response = client.post("/profiel/account-verwijderen",
                           data={"csrf_token": csrf_token(page), "password": TEST_PASSWORD})
    assert response.status_code == 422
    assert "Kies wat er met je berichten moet gebeuren." in response.get_data(as_text=True)
    response = client.post("/profiel/account-verwijderen", data={
        "csrf_token": csrf_token(page), "mode": "weg", "password": TEST_PASSWORD, "confirm": "y"})
    assert response.status_code == 422
    assert db.session.get(User, user.id).is_active


def test_pages_need_login(client):
    for url in ("/profiel/mijn-gegevens", "/profiel/account-verwijderen"):
        assert client.get(url).status_code == 302


def test_export_is_rate_limited(app, client, make_user, login, csrf_token):
    user = make_user()
    login(user)
    for _ in range(services.EXPORTS_PER_HOUR):
        assert _download(client, csrf_token).status_code == 200
    assert _download(client, csrf_token).status_code == 429
    assert services.export_wait(user) <= timedelta(hours=1).total_seconds()


def test_privacy_statement_names_every_cookie_the_site_sets(app, client, make_user, csrf_token):
    statement = client.get("/privacy").get_data(as_text=True)
    user = make_user()
    page = client.get("/inloggen")
    client.post("/inloggen", data={"csrf_token": csrf_token(page), "email": user.email,
                                   "password": TEST_PASSWORD, "remember": "y"})
    client.post("/taal", data={"lang": "en"})
    names = {cookie.key for cookie in client._cookies.values()}
    assert names == {"session", "remember_token"}
    for name in names:
        assert f"‘{name}’" in statement
