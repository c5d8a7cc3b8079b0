"""Moving through pages as a person does: Tab to a control, log in and out through the forms."""

from playwright.sync_api import Page, expect

from tests.conftest import TEST_PASSWORD, totp_code_for


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def log_in(page: Page, base_url: str, user, password: str = TEST_PASSWORD) -> None:
    page.goto(base_url + "/inloggen")
    page.fill("#email", user.email)
    page.fill("#password", password)
    page.press("#password", "Enter")
    code = totp_code_for(user)
    if code is not None:
        page.wait_for_url("**/inloggen/code")
        page.fill("#code", code)
        page.press("#code", "Enter")
    expect(page.locator(".flash")).to_contain_text("Welkom terug")


def log_out(page: Page) -> None:
    page.locator("header button:has-text('Uitloggen')").click()
    expect(page.locator(".flash")).to_contain_text("uitgelogd")
