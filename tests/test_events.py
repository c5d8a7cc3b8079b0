"""Agenda: creating and editing events, times in Amsterdam, series, permissions, pages."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kennisnet.events import recurrence
from kennisnet.events.models import Event
from tests.factories_events import local, make_editor, make_event

FORM = {
    "title": "Spreekuur voor starters", "kind": "spreekuur", "description": "Kom **langs**.",
    "start_date": "2027-01-05", "start_time": "19:30", "end_time": "21:00",
    "place": "Austerlitz", "venue_name": "Dorpshuis", "province": "utrecht",
    "is_registration_required": "y", "capacity": "12",
}


def _post_form(client, csrf_token, url, organisation, **changes):
    page = client.get(url)
    data = {"csrf_token": csrf_token(page), "organisation_id": str(organisation.id),
            **FORM, **changes}
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def organisation(make_initiative):
    return make_initiative(name="Austerlitz Zorgt", slug="austerlitz-zorgt", province="utrecht")


@pytest.fixture
def editor(make_user, organisation):
    return make_editor(make_user, organisation)


def test_editor_creates_event_stored_in_utc(client, db, login, csrf_token, organisation, editor):
    login(editor)
    response = _post_form(client, csrf_token, "/agenda/nieuw", organisation)
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.organisation_id == organisation.id
    # 19:30 in January is 18:30 UTC (winter time).
    assert event.starts_at == datetime(2027, 1, 5, 18, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 1, 5, 20, 0, tzinfo=UTC)
    assert event.capacity == 12 and event.created_by_id == editor.id
    assert event.ics_fragment.startswith("BEGIN:VEVENT")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "19:30" in text and "<strong>langs</strong>" in text


def test_summer_time_entry_is_converted_with_the_summer_offset(client, db, login, csrf_token,
                                                                organisation, editor):
    login(editor)
    _post_form(client, csrf_token, "/agenda/nieuw", organisation, start_date="2027-07-06")
    event = db.session.scalar(select(Event))
    assert event.starts_at == datetime(2027, 7, 6, 17, 30, tzinfo=UTC)


def test_time_in_the_spring_gap_is_refused_with_a_clear_message(client, db, login, csrf_token,
                                                                 organisation, editor):
    login(editor)
    # 28 March 2027 is the last Sunday of March: 02:00 jumps to 03:00, so 02:30 does not exist.
    response = _post_form(client, csrf_token, "/agenda/nieuw", organisation,
                          start_date="2027-03-28", start_time="02:30", end_time="04:00")
    assert response.status_code == 422
    assert "klok een uur vooruit" in response.get_data(as_text=True)
    assert 'value="Spreekuur voor starters"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Event)) is None


def test_weekly_series_across_the_spring_gap_follows_rfc5545(organisation):
    # A weekly 02:30 series: on the day of the switch 02:30 does not exist and RFC 5545 reads it
    # with the offset before the gap (01:30 UTC); the week after it is 02:30 summer time again.
    event = make_event(organisation, starts_at=local(2027, 3, 21, 2, 30), recurrence="weekly",
                       repeat_count=3)
    starts = recurrence.series_starts(event)
    assert starts == [datetime(2027, 3, 21, 1, 30, tzinfo=UTC),
                      datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
                      datetime(2027, 4, 4, 0, 30, tzinfo=UTC)]
    assert [s.astimezone(recurrence.AMSTERDAM).hour for s in starts] == [2, 3, 2]


def test_series_keeps_local_time_across_autumn_change(organisation):
    event = make_event(organisation, starts_at=local(2027, 10, 19, 19, 30), recurrence="weekly",
                       repeat_count=3)
    local_times = [o.local_start.strftime("%H:%M") for o in recurrence.occurrences(event)]
    assert local_times == ["19:30", "19:30", "19:30"]
    assert [o.starts_at.hour for o in recurrence.occurrences(event)] == [17, 17, 18]


def test_quarterly_first_tuesday_series(client, db, login, csrf_token, organisation, editor):
    login(editor)
    response = _post_form(client, csrf_token, "/agenda/nieuw", organisation,
                          start_date="2027-01-05", recurrence="quarterly", is_by_weekday="y",
                          repeat_count="4")
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    days = [o.local_start.date().isoformat() for o in recurrence.occurrences(event)]
    # The first Tuesday of January, April, July and October 2027.
    assert days == ["2027-01-05", "2027-04-06", "2027-07-06", "2027-10-05"]
    assert event.last_ends_at == local(2027, 10, 5, 21, 0)
    assert "RRULE:FREQ=MONTHLY;COUNT=4;INTERVAL=3;BYDAY=1TU" in event.ics_fragment


def test_series_with_end_date(organisation):
    event = make_event(organisation, starts_at=local(2027, 1, 4, 10), recurrence="monthly",
                       repeat_until=local(2027, 4, 5))
    assert [o.local_start.month for o in recurrence.occurrences(event)] == [1, 2, 3, 4]


def test_all_day_event(client, db, login, csrf_token, organisation, editor):
    login(editor)
    _post_form(client, csrf_token, "/agenda/nieuw", organisation, is_all_day="y",
               start_time=None, end_time=None, start_date="2027-05-12", end_date="2027-05-13")
    event = db.session.scalar(select(Event))
    assert event.is_all_day
    assert event.starts_at == local(2027, 5, 12) and event.ends_at == local(2027, 5, 14)
    assert "DTSTART;VALUE=DATE:20270512" in event.ics_fragment


def test_online_event_needs_a_link_and_offline_needs_a_place(client, db, login, csrf_token,
                                                              organisation, editor):
    login(editor)
    response = _post_form(client, csrf_token, "/agenda/nieuw", organisation, is_online="y")
    assert response.status_code == 422
    response = _post_form(client, csrf_token, "/agenda/nieuw", organisation, place="")
    assert response.status_code == 422
    assert db.session.scalar(select(Event)) is None


def test_end_before_start_is_refused(client, db, login, csrf_token, organisation, editor):
    login(editor)
    response = _post_form(client, csrf_token, "/agenda/nieuw", organisation, end_time="18:00")
    assert response.status_code == 422
    assert "na het begin" in response.get_data(as_text=True)


@pytest.mark.parametrize("role, site_role, allowed", [
    ("redacteur", "member", True), ("beheerder", "member", True), ("lid", "member", False),
    (None, "member", False), (None, "moderator", True),
])
def test_who_may_create_and_edit(client, db, login, csrf_token, make_user, organisation, role,
                                 site_role, allowed):
    user = make_user(site_role=site_role)
    if role:
        make_editor(lambda **_: user, organisation, role=role)
    event = make_event(organisation)
    login(user)
    assert (client.get(f"/agenda/{event.id}/bewerken").status_code == 200) is allowed
    assert (client.get(f"/agenda/{event.id}/deelnemers").status_code == 200) is allowed
    assert (client.get("/agenda/nieuw").status_code == 200) is allowed


def test_editor_cannot_publish_for_another_organisation(client, db, login, csrf_token,
                                                         make_initiative, editor):
    other = make_initiative(name="Ander dorp")
    login(editor)
    response = _post_form(client, csrf_token, "/agenda/nieuw", other)
    assert response.status_code == 422  # not among the choices
    assert db.session.scalar(select(Event)) is None


def test_edit_raises_sequence_and_mails_participants(client, db, login, csrf_token, make_user,
                                                     organisation, editor, sent_mail):
    from kennisnet.events import mailqueue, services

    event = make_event(organisation, starts_at=local(2027, 2, 2, 19))
    services.register(event, "", make_user(email="deelnemer@example.nl"))
    db.session.commit()
    login(editor)
    response = _post_form(client, csrf_token, f"/agenda/{event.id}/bewerken", organisation,
                          start_date="2027-02-09", start_time="20:00", end_time="21:00")
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.sequence == 1 and event.starts_at == local(2027, 2, 9, 20)
    assert mailqueue.deliver_pending() == 1
    db.session.commit()
    assert sent_mail()[-1]["To"] == "deelnemer@example.nl"
    assert "Gewijzigd" in sent_mail()[-1]["Subject"]


def test_cancel_event_keeps_it_visible_marked_cancelled(client, db, login, csrf_token,
                                                        organisation, editor):
    event = make_event(organisation)
    login(editor)
    page = client.get(f"/agenda/{event.id}")
    response = client.post(f"/agenda/{event.id}/afgelasten", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.is_cancelled and event.sequence == 1
    assert "STATUS:CANCELLED" in event.ics_fragment
    assert "Afgelast" in client.get(f"/agenda/{event.id}").get_data(as_text=True)


def test_change_and_cancel_one_occurrence(client, db, login, csrf_token, organisation, editor):
    event = make_event(organisation, starts_at=local(2027, 1, 5, 19, 30), recurrence="monthly",
                       repeat_count=4)
    second, third = [o.key for o in recurrence.occurrences(event)][1:3]
    login(editor)
    url = f"/agenda/{event.id}/keer/{second}/wijzigen"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, data={"csrf_token": csrf_token(page), "start_date": "2027-02-10",
                                      "start_time": "20:00", "end_time": "22:00",
                                      "note": "Andere zaal"})
    assert response.status_code == 302
    response = client.post(f"/agenda/{event.id}/keer/{third}/afgelasten",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.refresh(event)
    found = recurrence.occurrences(event)
    assert found[1].starts_at == local(2027, 2, 10, 20) and found[1].is_changed
    assert found[2].is_cancelled and not found[0].is_cancelled and not found[3].is_cancelled
    assert event.sequence == 2
    assert "RECURRENCE-ID;TZID=Europe/Amsterdam:20270205T193000" in event.ics_fragment
    assert "EXDATE;TZID=Europe/Amsterdam:20270305T193000" in event.ics_fragment


def test_unknown_occurrence_is_404(client, organisation):
    event = make_event(organisation, recurrence="weekly", repeat_count=2)
    assert client.get(f"/agenda/{event.id}?keer=20990101T000000Z").status_code == 404
    assert client.get(f"/agenda/{event.id}?keer=onzin").status_code == 404
    assert client.get("/agenda/99999").status_code == 404


def test_agenda_lists_upcoming_grouped_by_month_with_filters(client, make_initiative,
                                                             organisation):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    make_event(organisation, starts_at=soon, title="Spreekuur Utrecht")
    other = make_initiative(name="Brabants netwerk", slug="brabant", province="noord-brabant")
    make_event(other, starts_at=soon + timedelta(hours=1), title="Werkbezoek Brabant",
               kind="werkbezoek", province="noord-brabant", place="Hoogeloon")
    make_event(organisation, starts_at=soon + timedelta(hours=2), title="Online avond",
               is_online=True, online_url="https://meet.example/geheim", place="")
    make_event(organisation, starts_at=soon - timedelta(days=30), title="Oude bijeenkomst")
    text = client.get("/agenda").get_data(as_text=True)
    assert "Spreekuur Utrecht" in text and "Werkbezoek Brabant" in text
    assert "Oude bijeenkomst" not in text
    assert "<h2 id=\"maand-" in text
    only = client.get("/agenda?provincie=noord-brabant").get_data(as_text=True)
    assert "Werkbezoek Brabant" in only and "Spreekuur Utrecht" not in only
    only = client.get("/agenda?soort=werkbezoek&organisator=brabant").get_data(as_text=True)
    assert "Werkbezoek Brabant" in only and "Online avond" not in only
    online = client.get("/agenda?vorm=online").get_data(as_text=True)
    assert "Online avond" in online and "Spreekuur Utrecht" not in online
    assert "meet.example" not in online
    assert "Oude bijeenkomst" in client.get("/agenda/archief").get_data(as_text=True)
    for odd in ("provincie=atlantis&vanaf=xx", "vanaf=9999-12", "vanaf=2027-13", "vorm=<b>"):
        assert client.get(f"/agenda?{odd}").status_code == 200


def test_month_view_is_a_table_with_the_events(client, organisation):
    make_event(organisation, starts_at=local(2027, 3, 9, 19), title="Maart-avond")
    response = client.get("/agenda/maand/2027/3")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<table" in text and "<caption>" in text and 'scope="col"' in text
    assert "Maart-avond" in text
    assert "Maart-avond" not in client.get("/agenda/maand/2027/4").get_data(as_text=True)
    assert client.get("/agenda/maand/2027/13").status_code == 404


def test_printable_month_for_a_province(client, make_initiative, organisation):
    make_event(organisation, starts_at=local(2027, 3, 9, 19), title="Utrechtse avond")
    other = make_initiative(name="Brabant")
    make_event(other, starts_at=local(2027, 3, 10, 19), title="Brabantse avond",
               province="noord-brabant")
    text = client.get("/agenda/maand/2027/3?afdrukken=1&provincie=utrecht").get_data(as_text=True)
    assert "Utrechtse avond" in text and "Brabantse avond" not in text
    assert "print-list" in text


def test_events_are_searchable(app, client, db, organisation):
    from kennisnet.search import drain_outbox

    event = make_event(organisation, title="Informatieavond dorpszorg", place="Hoogeloon",
                       kind="informatieavond")
    gone = make_event(organisation, title="Afgelaste dorpszorg", is_cancelled=True)
    drain_outbox()
    text = client.get("/zoeken?q=dorpszorg").get_data(as_text=True)
    assert f"/agenda/{event.id}" in text and "Informatieavond dorpszorg" in text
    assert f"/agenda/{gone.id}" not in text


def test_organiser_profile_lists_its_upcoming_events(client, organisation, make_initiative):
    from kennisnet.database import utcnow
    from kennisnet.events.queries import upcoming_for_organisation

    soon = utcnow().replace(microsecond=0) + timedelta(days=2)
    make_event(organisation, starts_at=soon, title="Eigen spreekuur")
    make_event(make_initiative(), starts_at=soon, title="Van een ander")
    found = upcoming_for_organisation(organisation, utcnow())
    assert [o.event.title for o in found] == ["Eigen spreekuur"]
    html = client.get(f"/initiatieven/{organisation.slug}").get_data(as_text=True)
    assert "Eigen spreekuur" in html and "Van een ander" not in html
