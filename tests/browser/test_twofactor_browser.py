"""Tweestapsverificatie in a real Chromium: setting it up and logging in with the keyboard only,
with axe on every page of the way."""

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.keyboard import tab_to, type_into
from tests.conftest import TEST_PASSWORD, totp_code_for


def _log_in_with_keyboard(page: Page, base_url: str, user) -> None:
    page.goto(base_url + "/inloggen")
    type_into(page, "#email", user.email)
    type_into(page, "#password", TEST_PASSWORD)
    page.keyboard.press("Enter")


def test_set_up_and_log_in_with_keyboard_only(page: Page, live_server, make_user, axe_check,
                                              page_errors):
    user = make_user(display_name="Truus van Dam")
    _log_in_with_keyboard(page, live_server, user)
    expect(page.locator(".flash")).to_contain_text("Welkom terug")

    page.goto(live_server + "/profiel")
    tab_to(page, "a[href='/tweestapsverificatie']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Tweestapsverificatie")
    axe_check(page)
    tab_to(page, "main a[href='/tweestapsverificatie/instellen']")
    page.keyboard.press("Enter")
    expect(page.locator("main button[type=submit]")).to_have_text("Beginnen")
    axe_check(page)
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("#sleutel")).to_be_visible()
    qr = page.locator("main img")
    expect(qr).to_have_attribute("alt", "QR-code om kennisnet aan je app toe te voegen")
    # The image loads after the page: wait for it rather than read it mid-download.
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=qr.element_handle(),
                           timeout=10_000)
    axe_check(page)
    secret = page.locator("#sleutel").inner_text().replace(" ", "")
    type_into(page, "#code", pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Je herstelcodes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    axe_check(page)

    tab_to(page, "header button:has-text('Uitloggen')")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("uitgelogd")

    _log_in_with_keyboard(page, live_server, user)
    expect(page.locator("h1")).to_have_text("Code invullen")
    axe_check(page)
    type_into(page, "#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_contain_text("Deze code klopt niet")
    axe_check(page)
    page.locator("#code").fill("")
    type_into(page, "#code", totp_code_for(user, secret))
    page.keyboard.press("Enter")
    expect(page.locator(".flash").first).to_contain_text("Welkom terug, Truus van Dam")
    # The wrong code was answered with 401, which Chromium logs; nothing else may appear.
    assert [e for e in page_errors if "status of 401" not in e] == []
    assert len(page_errors) == 1


def test_moderator_without_second_factor_is_sent_to_setup(page: Page, live_server, make_user,
                                                          axe_check):
    from tests.browser.keyboard import log_in

    log_in(page, live_server, make_user(site_role="moderator", second_factor=False))
    page.goto(live_server + "/forum/moderatie")
    expect(page.locator("h1")).to_have_text("Tweestapsverificatie instellen")
    expect(page.locator(".flash")).to_contain_text("stel je eerst tweestapsverificatie in")
    axe_check(page)
