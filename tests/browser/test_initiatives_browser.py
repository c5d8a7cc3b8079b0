"""The directory in a real Chromium: keyboard-only map and list, axe, small screens, no outside
requests, no CSP errors."""

import re

import pytest
from playwright.sync_api import Page, expect

from kennisnet.extensions import db
from kennisnet.initiatives import services
from kennisnet.initiatives.models import Initiative, Membership
from tests.browser.keyboard import log_in, tab_to

HOOGELOON = "Zorgcoöperatie Hoogeloon"
KOEPEL = "Coöperatie Koepel Zorgcoöperaties Zuid Nederland"




def _watch_outside(page: Page, live_server: str) -> list[str]:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(live_server) and not r.url.startswith("data:") else None)
    return outside


def test_find_an_initiative_on_the_map_with_the_keyboard(page: Page, live_server, seeded,
                                                         page_errors):
    outside = _watch_outside(page, live_server)
    page.goto(live_server + "/initiatieven?q=Hoogeloon")
    marker = page.locator(f".leaflet-marker-icon[title='{HOOGELOON}']")
    expect(marker).to_be_visible()
    expect(page.locator("#kaart path.leaflet-interactive, #kaart svg path")).not_to_have_count(0)
    tab_to(page, f".leaflet-marker-icon[title='{HOOGELOON}']")
    page.keyboard.press("Enter")
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(HOOGELOON)

    tab_to(page, "a[href='/netwerken/koepel-zorgcooperaties-zuid-nederland']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(KOEPEL)
    assert outside == []
    assert page_errors == []


def test_find_an_initiative_in_the_list_with_the_keyboard(page: Page, live_server, seeded,
                                                          page_errors):
    page.goto(live_server + "/initiatieven")
    tab_to(page, "#provincie")
    page.keyboard.type("Noord-B")  # a closed select jumps to the option typed
    expect(page.locator("#provincie")).to_have_value("noord-brabant")
    tab_to(page, "#q")
    page.keyboard.type("zorgcoöperatie")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"provincie=noord-brabant"))
    link = "main .card a[href='/initiatieven/zorgcooperatie-hoogeloon']"
    expect(page.locator(link)).to_be_visible()
    assert page.locator("main .directory-list .card").count() >= 1
    for name in page.locator("main .directory-list .card .meta").all_inner_texts():
        assert "Noord-Brabant" in name
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(HOOGELOON)
    expect(page.locator("#buurt-kop")).to_be_visible()
    tab_to(page, "a[href='/netwerken/koepel-zorgcooperaties-zuid-nederland']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(KOEPEL)
    assert page_errors == []


@pytest.mark.parametrize("path", [
    "/initiatieven", "/initiatieven?provincie=utrecht&dienst=informatie_advies",
    "/initiatieven?provincie=mars", "/initiatieven/zorgcooperatie-hoogeloon",
    "/initiatieven/austerlitz-zorgt", "/netwerken",
    "/netwerken/koepel-zorgcooperaties-zuid-nederland", "/initiatieven/cijfers",
])
def test_directory_pages_pass_axe(page: Page, live_server, seeded, axe_check, path,
                                  page_errors):
    outside = _watch_outside(page, live_server)
    response = page.goto(live_server + path)
    if page.locator("#kaart").count():
        expect(page.locator("#kaart .leaflet-marker-icon").first).to_be_visible()
    axe_check(page)
    assert outside == []
    if response.status == 400:
        page_errors = [e for e in page_errors if "status of 400" not in e]
    assert page_errors == []




def test_member_and_moderator_pages_pass_axe(page: Page, live_server, seeded, axe_check,
                                             make_user, app, page_errors):
    admin, moderator = make_user(), make_user(site_role="moderator")
    hoogeloon = db.session.query(Initiative).filter_by(slug="zorgcooperatie-hoogeloon").one()
    db.session.add(Membership(user_id=admin.id, organisation_id=hoogeloon.id, role="beheerder"))
    db.session.add(Membership(user_id=make_user().id, organisation_id=hoogeloon.id))
    with app.test_request_context():
        services.request_membership(make_user(), hoogeloon, "Mag ik meedoen?")
        services.invite(hoogeloon, "nieuw@example.nl", admin)
        token = services.make_confirm_token(hoogeloon)
    db.session.commit()
    page.goto(live_server + f"/initiatieven/zorgcooperatie-hoogeloon/bevestigen/{token}")
    axe_check(page)

    log_in(page, live_server, admin)
    for path in ("/initiatieven/zorgcooperatie-hoogeloon",
                 "/initiatieven/zorgcooperatie-hoogeloon/leden",
                 "/initiatieven/zorgcooperatie-hoogeloon/bewerken", "/initiatieven/aanmelden"):
        page.goto(live_server + path)
        axe_check(page)
    page.fill("#name", "")
    page.fill("#latitude", "40")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)  # the form with its error messages

    page.goto(live_server + "/initiatieven/austerlitz-zorgt")
    axe_check(page)  # with the "ask to join" form
    page.locator("header button:has-text('Uitloggen')").click()
    log_in(page, live_server, moderator)
    for path in ("/initiatieven/beoordelen", "/initiatieven/verouderd"):
        page.goto(live_server + path)
        axe_check(page)
    assert [e for e in page_errors if "status of 422" not in e] == []


@pytest.mark.parametrize("path", ["/initiatieven", "/initiatieven/zorgcooperatie-hoogeloon",
                                  "/netwerken/koepel-zorgcooperaties-zuid-nederland",
                                  "/initiatieven/cijfers"])
def test_no_horizontal_scroll_at_320px(page: Page, live_server, seeded, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"


def test_directory_works_without_javascript(browser, live_server, seeded):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/initiatieven?provincie=utrecht")
    expect(page.locator(".map-fallback")).to_be_visible()
    expect(page.locator("main .directory-list .card").first).to_be_visible()
    context.close()
