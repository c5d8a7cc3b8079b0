"""Agenda in a real Chromium: a quarterly spreekuur created, a keyboard-only sign-up, the .ics
download, zero axe violations on every agenda page and no sideways scrolling at 320 px."""

import icalendar
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from kennisnet.events import recurrence, services
from kennisnet.events.models import Event, Registration
from tests.browser.keyboard import log_in, log_out, tab_to
from tests.factories_events import local, make_editor, make_event


def test_quarterly_spreekuur_keyboard_sign_up_and_ics(page: Page, live_server, db, make_user,
                                                      make_initiative, page_errors, tmp_path):
    organisation = make_initiative(name="Austerlitz Zorgt", slug="austerlitz-zorgt")
    editor = make_editor(make_user, organisation)
    member = make_user(display_name="Truus van Dam")

    log_in(page, live_server, editor)
    page.goto(live_server + "/agenda/nieuw")
    page.fill("#title", "Spreekuur voor starters")
    page.select_option("#kind", "spreekuur")
    page.fill("#start_date", "2027-01-05")
    page.fill("#start_time", "19:30")
    page.fill("#end_time", "21:00")
    page.select_option("#recurrence", "quarterly")
    page.check("#is_by_weekday")
    page.fill("#repeat_count", "4")
    page.fill("#venue_name", "Dorpshuis De Schakel")
    page.fill("#place", "Austerlitz")
    page.select_option("#province", "utrecht")
    page.fill("#capacity", "10")
    page.check("#is_wheelchair_accessible")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("staat in de agenda")
    expect(page.locator("h1")).to_have_text("Spreekuur voor starters")
    db.session.rollback()  # see what the live server committed
    event = db.session.scalar(select(Event))
    assert [o.local_start.month for o in recurrence.occurrences(event)] == [1, 4, 7, 10]
    log_out(page)

    log_in(page, live_server, member)
    page.goto(f"{live_server}/agenda/{event.id}")
    tab_to(page, "#needs")
    page.keyboard.type("Ik kom met de rolstoel")
    tab_to(page, "form[action*='aanmelden'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Je bent aangemeld.")
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert registration.user_id == member.id and registration.status == "confirmed"
    assert registration.needs == "Ik kom met de rolstoel"

    with page.expect_download() as download_info:
        tab_to(page, f"a[href='/agenda/{event.id}.ics']")
        page.keyboard.press("Enter")
    path = tmp_path / "spreekuur.ics"
    download_info.value.save_as(path)
    parsed = icalendar.Calendar.from_ical(path.read_bytes())
    [vevent] = parsed.walk("VEVENT")
    assert vevent["RRULE"].to_ical() == b"FREQ=MONTHLY;COUNT=4;INTERVAL=3;BYDAY=1TU"
    assert page_errors == []


@pytest.fixture
def agenda_data(db, make_user, make_initiative):
    organisation = make_initiative(name="Austerlitz Zorgt", slug="austerlitz-zorgt")
    editor = make_editor(make_user, organisation)
    series = make_event(organisation, starts_at=local(2027, 1, 5, 19, 30), recurrence="quarterly",
                        is_by_weekday=True, repeat_count=4, capacity=1,
                        title="Een spreekuur met een heel lange titel voor smalle schermen")
    services.cancel_occurrence(series, recurrence.occurrences(series)[1])
    single = make_event(organisation, title="Werkbezoek", kind="werkbezoek")
    services.register(single, "", make_user())
    services.register_by_name(single, "", editor, {"name": "Jan", "needs": "Vervoer"})
    db.session.commit()
    return editor, series, single


def test_every_agenda_page_passes_axe(page: Page, live_server, agenda_data, axe_check,
                                      page_errors):
    editor, series, single = agenda_data
    key = recurrence.occurrences(series)[0].key
    public_pages = ["/agenda", "/agenda/archief", "/agenda/maand/2027/1",
                    "/agenda/maand/2027/1?afdrukken=1&provincie=utrecht",
                    f"/agenda/{series.id}", f"/agenda/{single.id}"]
    for path in public_pages:
        page.goto(live_server + path)
        expect(page.locator("h1")).to_have_count(1)
        axe_check(page)
    log_in(page, live_server, editor)
    for path in ["/agenda/nieuw", f"/agenda/{single.id}", f"/agenda/{single.id}/bewerken",
                 f"/agenda/{single.id}/deelnemers", f"/agenda/{series.id}/keer/{key}/wijzigen",
                 "/agenda/mijn"]:
        page.goto(live_server + path)
        expect(page.locator("h1")).to_have_count(1)
        axe_check(page)
    page.goto(live_server + "/agenda/nieuw")
    page.click("main form button[type=submit]")  # empty form: errors shown
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    # The browser logs the form's deliberate 422 as a failed resource; nothing else may appear.
    assert [error for error in page_errors if "422" not in error] == []


def test_no_sideways_scrolling_at_320px(page: Page, live_server, agenda_data):
    page.set_viewport_size({"width": 320, "height": 800})
    _, series, single = agenda_data
    for path in ["/agenda", "/agenda/maand/2027/1", f"/agenda/{series.id}"]:
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
