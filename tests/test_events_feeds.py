"""Agenda feeds: valid RFC 5545 (checked with icalendar and vobject), filters, caching, tokens."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from dateutil.rrule import rrulestr

from kennisnet.events import recurrence, services
from kennisnet.events.models import CalendarToken
from tests.factories_events import local, make_event


@pytest.fixture
def organisation(make_initiative):
    return make_initiative(name="Austerlitz Zorgt", slug="austerlitz-zorgt")


def _both_parsers(data: bytes):
    """Parse with icalendar and with vobject, an independent implementation."""
    text = data.decode()
    assert "\r\n" in text
    parsed = icalendar.Calendar.from_ical(data)
    other = vobject.readOne(text)
    assert other.name == "VCALENDAR"
    return parsed, other


def _series_with_changes(db, organisation):
    event = make_event(organisation, starts_at=local(2027, 1, 5, 19, 30), recurrence="quarterly",
                       is_by_weekday=True, repeat_count=4, title="Spreekuur")
    found = recurrence.occurrences(event)
    services.change_occurrence(event, found[1], local(2027, 4, 7, 20), local(2027, 4, 7, 21), "")
    services.cancel_occurrence(event, found[2])
    db.session.commit()
    return event


def test_event_ics_is_valid_and_expands_to_the_right_dates(client, db, organisation):
    event = _series_with_changes(db, organisation)
    response = client.get(f"/agenda/{event.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    parsed, other = _both_parsers(response.data)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    master, moved = parsed.walk("VEVENT")
    assert master["UID"] == moved["UID"] == f"event-{event.id}@agenda.kennisnet"
    assert master["SEQUENCE"] == 2
    assert moved["RECURRENCE-ID"].dt == datetime(2027, 4, 6, 19, 30, tzinfo=recurrence.AMSTERDAM)
    # vobject expands the series itself: RRULE minus EXDATE, with moved instance separately.
    vevent = [c for c in other.contents["vevent"] if "recurrence_id" not in c.contents][0]
    starts = [d.astimezone(UTC) for d in vevent.getrruleset()]
    assert starts == [local(2027, 1, 5, 19, 30), local(2027, 4, 6, 19, 30),
                      local(2027, 10, 5, 19, 30)]


def test_feed_expansion_matches_our_own_occurrences_across_dst(client, db, organisation):
    event = make_event(organisation, starts_at=local(2027, 3, 16, 19, 30), recurrence="weekly",
                       repeat_count=4)
    parsed, _ = _both_parsers(client.get(f"/agenda/{event.id}.ics").data)
    vevent = parsed.walk("VEVENT")[0]
    rule = rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=vevent.start)
    expanded = [d.astimezone(UTC) for d in rule]
    assert expanded == [o.starts_at for o in recurrence.occurrences(event)]
    assert [d.hour for d in expanded] == [18, 18, 17, 17]  # 19:30 winter, then summer time


def test_all_day_and_cancelled_events_in_the_feed(client, db, organisation):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    make_event(organisation, title="Dagje", is_all_day=True, starts_at=local(2027, 5, 12),
               hours=24)
    gone = make_event(organisation, title="Afgelast", starts_at=soon)
    services.cancel_event(gone)
    db.session.commit()
    parsed, other = _both_parsers(client.get("/agenda.ics").data)
    by_title = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    assert by_title["Dagje"].decoded("DTSTART").isoformat() == "2027-05-12"
    assert by_title["Afgelast"]["STATUS"] == "CANCELLED"
    assert by_title["Afgelast"]["SEQUENCE"] == 1
    assert len(other.contents["vevent"]) == 2


def test_uid_is_stable_and_sequence_rises(client, db, organisation):
    event = make_event(organisation, starts_at=local(2027, 6, 1, 10))
    services.store_feed_text(event)
    db.session.commit()
    before = icalendar.Calendar.from_ical(client.get(f"/agenda/{event.id}.ics").data)
    services.update_event(event, {"title": "Nieuwe titel"})
    db.session.commit()
    after = icalendar.Calendar.from_ical(client.get(f"/agenda/{event.id}.ics").data)
    old, new = before.walk("VEVENT")[0], after.walk("VEVENT")[0]
    assert old["UID"] == new["UID"]
    assert new["SEQUENCE"] == old["SEQUENCE"] + 1


def test_filtered_feeds(client, db, make_initiative, organisation):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    make_event(organisation, starts_at=soon, title="Utrecht spreekuur", province="utrecht")
    brabant = make_initiative(name="Brabant", slug="brabant-netwerk")
    make_event(brabant, starts_at=soon, title="Brabant spreekuur", province="noord-brabant")
    make_event(brabant, starts_at=soon, title="Brabant werkbezoek", province="noord-brabant",
               kind="werkbezoek")
    make_event(organisation, starts_at=soon - timedelta(days=400), title="Heel oud")

    def titles(url):
        parsed, _ = _both_parsers(client.get(url).data)
        return sorted(str(e["SUMMARY"]) for e in parsed.walk("VEVENT"))

    assert titles("/agenda.ics") == ["Brabant spreekuur", "Brabant werkbezoek",
                                     "Utrecht spreekuur"]
    assert titles("/agenda.ics?provincie=noord-brabant&soort=spreekuur") == ["Brabant spreekuur"]
    assert titles("/agenda.ics?organisator=brabant-netwerk") == ["Brabant spreekuur",
                                                                 "Brabant werkbezoek"]
    assert titles("/agenda.ics?provincie=onbekend") == titles("/agenda.ics")


def test_feed_answers_304_until_something_changes(client, db, organisation):
    event = make_event(organisation)
    first = client.get("/agenda.ics?provincie=utrecht")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.status_code == 200 and etag
    again = client.get("/agenda.ics?provincie=utrecht", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/agenda.ics?provincie=utrecht", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other_filter = client.get("/agenda.ics?provincie=limburg", headers={"If-None-Match": etag})
    assert other_filter.status_code == 200
    services.update_event(event, {"title": "Gewijzigd"})
    db.session.commit()
    changed = client.get("/agenda.ics?provincie=utrecht", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Gewijzigd" in changed.data
    assert changed.headers["ETag"] != etag


def test_personal_feed_behind_a_renewable_token(client, db, login, csrf_token, make_user,
                                                organisation):
    mine = make_event(organisation, title="Mijn avond", is_online=True,
                      online_url="https://meet.example/kamer", place="")
    make_event(organisation, title="Andere avond")
    user = make_user()
    services.register(mine, "", user)
    db.session.commit()
    login(user)
    page = client.get("/agenda/mijn")
    assert page.status_code == 200 and db.session.get(CalendarToken, user.id) is None
    client.post("/agenda/mijn/link", data={"csrf_token": csrf_token(page)})
    token = db.session.get(CalendarToken, user.id).token
    feed = client.get(f"/agenda/mijn/{token}.ics")
    assert feed.status_code == 200 and "private" in feed.headers["Cache-Control"]
    parsed, _ = _both_parsers(feed.data)
    assert [str(e["SUMMARY"]) for e in parsed.walk("VEVENT")] == ["Mijn avond"]
    assert b"meet.example/kamer" in feed.data
    client.post("/agenda/mijn/link", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert client.get(f"/agenda/mijn/{token}.ics").status_code == 404
    fresh = db.session.get(CalendarToken, user.id).token
    assert fresh != token
    anonymous = client.application.test_client()
    assert anonymous.get(f"/agenda/mijn/{fresh}.ics").status_code == 200
    assert anonymous.get("/agenda/mijn/geraden.ics").status_code == 404


def test_public_feed_hides_online_links(client, db, organisation):
    make_event(organisation, is_online=True, online_url="https://meet.example/geheim", place="")
    data = client.get("/agenda.ics").data
    assert b"meet.example" not in data and b"LOCATION:Online" in data


def test_personal_feed_holds_only_the_chosen_occurrence_of_a_series(client, db, make_user,
                                                                    organisation):
    series = make_event(organisation, starts_at=local(2027, 1, 5, 19, 30), recurrence="quarterly",
                        is_by_weekday=True, repeat_count=4, title="Spreekuur")
    chosen = recurrence.occurrences(series)[2]
    user = make_user()
    services.register(series, chosen.key, user)
    token = services.calendar_token(user).token
    db.session.commit()
    parsed, other = _both_parsers(client.get(f"/agenda/mijn/{token}.ics").data)
    [vevent] = parsed.walk("VEVENT")
    assert "RRULE" not in vevent
    assert vevent.start == datetime(2027, 7, 6, 19, 30, tzinfo=recurrence.AMSTERDAM)
    assert vevent["UID"] == f"event-{series.id}-{chosen.key}@agenda.kennisnet"
    assert other.vevent.dtstart.value.astimezone(UTC) == chosen.starts_at


def test_rebuild_feeds_command_refreshes_stored_text(app, db, runner, organisation):
    event = make_event(organisation)
    assert event.ics_fragment == ""
    app.config["BASE_URL"] = "https://kennisnet.example"
    result = runner.invoke(args=["events", "rebuild-feeds"])
    assert result.exit_code == 0, result.output
    db.session.refresh(event)
    assert "URL:https://kennisnet.example/agenda/" in event.ics_fragment
