"""S05 and WCAG 2.2.1 in a real Chromium: a member who does nothing is warned before being
logged out, can stay with one key press, and gets back what they typed after logging in."""

from playwright.sync_api import Page, expect

from tests.browser.keyboard import log_in, type_into
from tests.conftest import TEST_PASSWORD


def test_warned_before_logout_stays_with_one_key_and_keeps_typed_text(
        page: Page, live_server, app, make_user, page_errors, axe_check):
    # The warning opens halfway (4 s), the page gives up 2 s after the server's limit (10 s).
    app.config["SESSION_IDLE_SECONDS"] = 8
    app.config["SESSION_IDLE_WARNING_SECONDS"] = 5
    user = make_user(display_name="Gerda")
    log_in(page, live_server, user)
    page.goto(live_server + "/forum/vragen/nieuw")
    type_into(page, "#title", "Wie rijdt er mee naar de huisarts?")

    dialog = page.locator("#sessie-waarschuwing")
    expect(dialog).to_be_visible(timeout=8000)
    expect(dialog).to_contain_text("Ben je er nog?")
    expect(page.locator("[data-stay]")).to_be_focused()
    axe_check(page)
    with page.expect_response("**/sessie/verlengen") as stayed:
        page.keyboard.press("Enter")
    assert stayed.value.status == 204
    expect(dialog).to_be_hidden()

    # Nothing more: the warning comes back, then the page asks the server, which logs out.
    page.wait_for_url(lambda url: "/inloggen?next=/forum/vragen/nieuw" in url, timeout=20000)
    expect(page.locator(".flash")).to_contain_text("Daarom ben je uitgelogd")
    page.fill("#email", user.email)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(lambda url: url.split("?")[0].endswith("/forum/vragen/nieuw"))
    expect(page.locator("#title")).to_have_value("Wie rijdt er mee naar de huisarts?")
    expect(page.locator(".draft-restored")).to_contain_text("teruggezet")
    axe_check(page)
    assert page_errors == []
