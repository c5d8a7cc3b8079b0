"""Agenda: sign-up, waiting list, promotion, proxy registration, CSV, reminders, mail queue."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kennisnet.events import mailqueue, recurrence, services
from kennisnet.events.models import QueuedMail, Registration
from tests.factories_events import make_editor, make_event


@pytest.fixture
def organisation(make_initiative):
    return make_initiative(name="Austerlitz Zorgt", slug="austerlitz-zorgt")


def _sign_up(client, csrf_token, event, key="", **data):
    page = client.get(f"/agenda/{event.id}" + (f"?keer={key}" if key else ""))
    url = f"/agenda/{event.id}/aanmelden" + (f"?keer={key}" if key else "")
    return client.post(url, data={"csrf_token": csrf_token(page), **data})


def _statuses(db, event):
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .order_by(Registration.id))
    return [(r.user_id, r.status) for r in rows]


def test_member_signs_up_and_sees_the_online_link(client, db, login, csrf_token, make_user,
                                                  organisation):
    event = make_event(organisation, is_online=True, online_url="https://meet.example/kamer-7",
                       place="")
    user = make_user()
    login(user)
    assert "meet.example/kamer-7" not in client.get(f"/agenda/{event.id}").get_data(as_text=True)
    response = _sign_up(client, csrf_token, event, needs="Rolstoelplek")
    assert response.status_code == 302
    assert _statuses(db, event) == [(user.id, "confirmed")]
    assert db.session.scalar(select(Registration.needs)) == "Rolstoelplek"
    assert "meet.example/kamer-7" in client.get(f"/agenda/{event.id}").get_data(as_text=True)
    assert b"meet.example/kamer-7" in client.get(f"/agenda/{event.id}.ics").data


def test_anonymous_visitor_sees_no_link_and_cannot_sign_up(client, db, organisation, csrf_token):
    event = make_event(organisation, is_online=True, online_url="https://meet.example/x", place="")
    page = client.get(f"/agenda/{event.id}")
    assert page.status_code == 200 and b"meet.example" not in page.data
    assert b"meet.example" not in client.get(f"/agenda/{event.id}.ics").data
    # The page has no form to take a token from (it is the same for every visitor); the login
    # page gives this visitor a valid one.
    token = csrf_token(client.get("/inloggen"))
    response = client.post(f"/agenda/{event.id}/aanmelden", data={"csrf_token": token})
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert _statuses(db, event) == []


def test_signing_up_twice_keeps_one_place(client, db, login, csrf_token, make_user, organisation):
    event = make_event(organisation, capacity=5)
    login(make_user())
    _sign_up(client, csrf_token, event)
    _sign_up(client, csrf_token, event)
    assert len(_statuses(db, event)) == 1


def test_full_event_puts_people_on_the_waiting_list_and_promotes_in_order(
        app, db, make_user, organisation, sent_mail):
    event = make_event(organisation, capacity=2)
    first, second, third, fourth = (make_user(email=f"p{n}@example.nl") for n in range(4))
    for user in (first, second, third, fourth):
        services.register(event, "", user)
    db.session.commit()
    assert [s for _, s in _statuses(db, event)] == ["confirmed", "confirmed", "waiting", "waiting"]
    services.cancel_registration(services.registration_of(event.id, "", first))
    db.session.commit()
    assert dict(_statuses(db, event)) == {first.id: "cancelled", second.id: "confirmed",
                                          third.id: "confirmed", fourth.id: "waiting"}
    # The mail waits in the queue (the request never talks to the mail server).
    assert sent_mail() == []
    assert mailqueue.deliver_pending() == 1
    db.session.commit()
    message = sent_mail()[0]
    assert message["To"] == "p2@example.nl" and "plek" in message["Subject"]


def test_cancelling_through_the_page(client, db, login, csrf_token, make_user, organisation):
    event = make_event(organisation, capacity=1)
    waiting = make_user()
    services.register(event, "", make_user())
    services.register(event, "", waiting)
    db.session.commit()
    login(waiting)
    page = client.get(f"/agenda/{event.id}")
    assert "op de wachtlijst (plek 1)" in page.get_data(as_text=True)
    response = client.post(f"/agenda/{event.id}/afmelden", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert _statuses(db, event)[1] == (waiting.id, "cancelled")
    assert client.post(f"/agenda/{event.id}/afmelden",
                       data={"csrf_token": csrf_token(page)}).status_code == 404


def test_raising_capacity_promotes_waiting_people(client, db, login, csrf_token, make_user,
                                                  organisation):
    from tests.test_events import FORM

    event = make_event(organisation, capacity=1)
    services.register(event, "", make_user())
    services.register(event, "", make_user())
    db.session.commit()
    editor = make_editor(make_user, organisation)
    login(editor)
    page = client.get(f"/agenda/{event.id}/bewerken")
    data = {**FORM, "csrf_token": csrf_token(page), "organisation_id": organisation.id,
            "capacity": "2"}
    assert client.post(f"/agenda/{event.id}/bewerken", data=data).status_code == 302
    assert [s for _, s in _statuses(db, event)] == ["confirmed", "confirmed"]


def test_places_are_per_occurrence_in_a_series(client, db, login, csrf_token, make_user,
                                               organisation):
    event = make_event(organisation, capacity=1, recurrence="monthly", repeat_count=3)
    first, second = [o.key for o in recurrence.occurrences(event)][:2]
    services.register(event, first, make_user())
    db.session.commit()
    login(make_user())
    _sign_up(client, csrf_token, event, first)
    _sign_up(client, csrf_token, event, second)
    rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [(r.occurrence, r.status) for r in rows] == [
        (first, "confirmed"), (first, "waiting"), (second, "confirmed")]


def test_cannot_sign_up_for_a_cancelled_occurrence(client, db, login, csrf_token, make_user,
                                                   organisation):
    event = make_event(organisation, recurrence="weekly", repeat_count=3)
    occurrence = recurrence.occurrences(event)[1]
    services.cancel_occurrence(event, occurrence)
    db.session.commit()
    login(make_user())
    _sign_up(client, csrf_token, event, occurrence.key)
    assert _statuses(db, event) == []


def test_organiser_registers_a_villager_by_name_and_exports_csv(client, db, login, csrf_token,
                                                                make_user, organisation):
    event = make_event(organisation, capacity=1, offers_transport=True)
    services.register(event, "", make_user(display_name="Anna de Vries"))
    db.session.commit()
    login(make_editor(make_user, organisation))
    page = client.get(f"/agenda/{event.id}/deelnemers")
    response = client.post(f"/agenda/{event.id}/deelnemers", data={
        "csrf_token": csrf_token(page), "name": "=Jan Jansen", "phone": "0499-123456",
        "needs": "Komt met rollator", "needs_transport": "y"})
    assert response.status_code == 302
    row = db.session.scalar(select(Registration).where(Registration.name == "=Jan Jansen"))
    assert row.user_id is None and row.status == "waiting" and row.needs_transport
    text = client.get(f"/agenda/{event.id}/deelnemers").get_data(as_text=True)
    assert "Anna de Vries" in text and "Komt met rollator" in text
    export = client.get(f"/agenda/{event.id}/deelnemers.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[1][0] == "Anna de Vries" and rows[1][3] == "aangemeld"
    # A leading '=' is neutralised so a spreadsheet does not run it as a formula.
    assert rows[2][0] == "'=Jan Jansen" and rows[2][3] == "wachtlijst" and rows[2][4] == "ja"


def test_proxy_form_without_name_rerenders_with_422(client, login, csrf_token, make_user,
                                                    organisation):
    event = make_event(organisation)
    login(make_editor(make_user, organisation))
    page = client.get(f"/agenda/{event.id}/deelnemers")
    response = client.post(f"/agenda/{event.id}/deelnemers",
                           data={"csrf_token": csrf_token(page), "phone": "0612345678"})
    assert response.status_code == 422 and 'value="0612345678"' in response.get_data(as_text=True)


def test_member_cannot_see_participants(client, login, make_user, organisation):
    event = make_event(organisation)
    login(make_user())
    assert client.get(f"/agenda/{event.id}/deelnemers").status_code == 403
    assert client.get(f"/agenda/{event.id}/deelnemers.csv").status_code == 403


def test_reminders_are_sent_once(app, db, runner, make_user, organisation, sent_mail):
    now = datetime.now(UTC)
    tomorrow = make_event(organisation, starts_at=now + timedelta(hours=20), title="Morgen")
    later = make_event(organisation, starts_at=now + timedelta(days=5), title="Later")
    user = make_user(email="herinner@example.nl")
    services.register(tomorrow, "", user)
    services.register(later, "", user)
    services.register_by_name(tomorrow, "", user, {"name": "Zonder mail"})
    db.session.commit()
    result = runner.invoke(args=["events", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in sent_mail()] == ["herinner@example.nl"]
    assert "Morgen" in sent_mail()[0]["Subject"]
    again = runner.invoke(args=["events", "send-reminders"])
    assert again.exit_code == 0 and len(sent_mail()) == 1


def test_cancelled_event_mails_participants(client, db, login, csrf_token, make_user,
                                            organisation, sent_mail, runner):
    event = make_event(organisation)
    services.register(event, "", make_user(email="a@example.nl"))
    db.session.commit()
    login(make_editor(make_user, organisation))
    page = client.get(f"/agenda/{event.id}")
    client.post(f"/agenda/{event.id}/afgelasten", data={"csrf_token": csrf_token(page)})
    assert runner.invoke(args=["events", "send-mail"]).exit_code == 0
    assert [(m["To"], "Afgelast" in m["Subject"]) for m in sent_mail()] == [
        ("a@example.nl", True)]


def test_failing_mail_is_retried_later_and_never_breaks_the_request(app, db, make_user,
                                                                    organisation):
    event = make_event(organisation, capacity=1)
    first = make_user()
    services.register(event, "", first)
    services.register(event, "", make_user())
    db.session.commit()
    # A mail server that cannot be reached: the outbox folder is a file, so writing fails.
    blocker = app.config["MAIL_OUTBOX_DIR"]
    open(blocker, "w").close()
    services.cancel_registration(services.registration_of(event.id, "", first))
    db.session.commit()
    assert mailqueue.deliver_pending() == 0
    db.session.commit()
    mail = db.session.scalar(select(QueuedMail))
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    assert mail.next_attempt_at > datetime.now(UTC)


def test_moving_a_whole_series_keeps_sign_ups_and_changes(db, make_user, organisation):
    from tests.factories_events import local

    event = make_event(organisation, starts_at=local(2027, 1, 5, 19, 30), recurrence="monthly",
                       repeat_count=3)
    second, third = recurrence.occurrences(event)[1:]
    user = make_user()
    services.register(event, second.key, user)
    services.cancel_occurrence(event, third)
    db.session.commit()
    services.update_event(event, {"starts_at": local(2027, 1, 5, 20), "ends_at": local(2027, 1, 5,
                                                                                        22)})
    db.session.commit()
    found = recurrence.occurrences(event)
    registration = services.registration_of(event.id, found[1].key, user)
    assert registration is not None and found[1].local_start.hour == 20
    assert found[2].is_cancelled and not found[1].is_cancelled
