"""Foundation pages in a real Chromium: keyboard-only account flow, axe, small screens."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.keyboard import tab_to, type_into
from tests.conftest import TEST_PASSWORD


def test_account_flow_with_keyboard_only(page: Page, live_server, sent_mail, page_errors):
    page.goto(live_server + "/")
    tab_to(page, "a[href='/aanmelden']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Account maken")
    type_into(page, "#display_name", "Truus van Dam")
    type_into(page, "#email", "truus@example.nl")
    type_into(page, "#password", TEST_PASSWORD)
    type_into(page, "#password_again", TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Kijk in je e-mail")

    [message] = sent_mail()
    link = re.search(r"http://\S+", message.get_content()).group(0)
    page.goto(link)
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("bevestigd")

    expect(page.locator("h1")).to_have_text("Inloggen")
    type_into(page, "#email", "truus@example.nl")
    type_into(page, "#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Welkom terug, Truus van Dam")

    tab_to(page, "a[href='/profiel']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Mijn profiel")
    tab_to(page, "#field_role")
    page.keyboard.press("ArrowDown")  # selects the first role from the list
    type_into(page, "#bio", "Ik kook op dinsdag.")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Je profiel is opgeslagen.")
    expect(page.locator("#bio")).to_have_value("Ik kook op dinsdag.")
    assert page.locator("#field_role").input_value() != ""

    tab_to(page, "header button:has-text('Uitloggen')")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Je bent uitgelogd")
    expect(page.locator("header a[href='/aanmelden']")).to_be_visible()
    assert page_errors == []


def test_skip_link_is_first_and_moves_focus(page: Page, live_server, seeded):
    page.goto(live_server + "/tips")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


@pytest.mark.parametrize("path", [
    "/", "/gids", "/gids/wat-is-het", "/gids/wie-doet-mee", "/tips", "/tips?fase=groei",
    "/kennisbronnen", "/inloggen", "/aanmelden", "/wachtwoord-vergeten", "/toegankelijkheid",
    "/privacy", "/bestaat-niet",
])
def test_pages_pass_axe(page: Page, live_server, seeded, axe_check, path, page_errors):
    response = page.goto(live_server + path)
    axe_check(page)
    if response.status == 404:  # the browser logs the 404 of the page itself
        page_errors = [e for e in page_errors if "status of 404" not in e]
    assert page_errors == []


def test_tip_detail_and_profile_pass_axe(page: Page, live_server, seeded, axe_check, make_user):
    page.goto(live_server + "/tips")
    page.locator("main h3 a").first.click()
    axe_check(page)
    user = make_user()
    page.goto(live_server + "/inloggen")
    page.fill("#email", user.email)
    page.fill("#password", "fout")
    page.locator("main form button[type=submit]").click()
    axe_check(page)  # the page with error messages
    page.fill("#password", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(live_server + "/profiel")
    axe_check(page)


@pytest.mark.parametrize("path", ["/", "/gids/wie-doet-mee", "/tips", "/kennisbronnen",
                                  "/aanmelden"])
def test_no_horizontal_scroll_at_320px(page: Page, live_server, seeded, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"


def test_body_text_is_large_enough(page: Page, live_server, seeded):
    page.goto(live_server + "/gids/wat-is-het")
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert size >= 18


def test_no_request_leaves_the_site(page: Page, live_server, seeded):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server)
            else None)
    for path in ("/", "/gids/waarom", "/tips", "/kennisbronnen", "/aanmelden"):
        page.goto(live_server + path)
    assert outside == []
