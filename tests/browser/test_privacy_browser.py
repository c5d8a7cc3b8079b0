"""Privacy self-service in a real Chromium, with the keyboard only: download my data, then
delete my account; axe on every privacy page, and the statements reachable from the footer."""

import io
import json
import zipfile

from playwright.sync_api import Page, expect

from kennisnet.accounts.models import User
from kennisnet.extensions import db
from tests.browser.keyboard import log_in, tab_to, type_into
from tests.conftest import TEST_PASSWORD


def test_download_and_delete_with_the_keyboard(page: Page, live_server, make_user, axe_check,
                                               page_errors):
    user = make_user(display_name="Toetsenbord Tineke")
    log_in(page, live_server, user)

    page.goto(live_server + "/profiel")
    tab_to(page, "main a[href='/profiel/mijn-gegevens']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Mijn gegevens downloaden")
    axe_check(page)
    type_into(page, "#password", "niet mijn wachtwoord")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)  # the page with the error message
    type_into(page, "#password", TEST_PASSWORD)
    with page.expect_download() as download_info:
        tab_to(page, "main form button[type=submit]")
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.startswith("kennisnet-mijn-gegevens-")
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    assert json.loads(archive.read("mijn-gegevens.json"))["account"]["email"] == user.email

    tab_to(page, "main a[href='/profiel/account-verwijderen']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Account verwijderen")
    axe_check(page)
    tab_to(page, "#mode-0")
    page.keyboard.press("ArrowDown")  # arrow keys move the choice inside a radio group
    expect(page.locator("#mode-1")).to_be_checked()
    type_into(page, "#password", TEST_PASSWORD)
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Je account is verwijderd")
    expect(page.locator("header")).not_to_contain_text("Uitloggen")
    axe_check(page)
    db.session.rollback()  # end this thread's read, to see what the server committed
    assert not db.session.get(User, user.id).is_active
    # The browser logs the 422 of the wrong-password page itself; nothing else may appear.
    assert [e for e in page_errors if "status of 422" not in e] == []


def test_statements_are_reached_from_the_footer_with_the_keyboard(page: Page, live_server,
                                                                  axe_check):
    for link, heading in (("Privacy", "Privacyverklaring"),
                          ("Toegankelijkheid", "Toegankelijkheidsverklaring")):
        page.goto(live_server + "/")
        tab_to(page, f"footer a:has-text('{link}')", limit=120)
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text(heading)
        axe_check(page)
