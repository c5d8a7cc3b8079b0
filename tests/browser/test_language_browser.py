"""The footer's language switch in a real Chromium: it works on pages kept for visitors (it has
no CSRF token), by keyboard, and a form posted from another site is refused."""

from playwright.sync_api import Browser, Page, expect

from tests.browser.keyboard import tab_to


def test_visitor_switches_language_with_the_keyboard(page: Page, browser: Browser, app,
                                                     live_server, page_errors):
    page.goto(live_server + "/tips")
    page.goto(live_server + "/tips")  # the second time from the kept pages
    assert any(key.startswith("/tips") for key in app.extensions["kennisnet.pages"].pages)
    tab_to(page, "footer button[lang=en]")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == live_server + "/tips"
    tab_to(page, "footer button[lang=nl]")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert page_errors == []

    # Another visitor never sees this visitor's choice.
    page.locator("footer button[lang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    other = browser.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(live_server + "/tips")
        expect(stranger.locator("html")).to_have_attribute("lang", "nl")
    finally:
        other.close()


def test_a_form_from_another_site_cannot_switch_the_language(page: Page, live_server):
    page.goto(live_server + "/tips")  # the visitor has been here before
    # A page of no site of ours (about:blank, an opaque origin) posting to /taal, as a
    # cross-site attack would; Chromium sends Sec-Fetch-Site: cross-site.
    page.goto("about:blank")
    page.set_content(f"""<form method="post" action="{live_server}/taal">
        <input type="hidden" name="lang" value="en">
        <input type="hidden" name="next" value="/tips"><button>Go</button></form>""")
    with page.expect_navigation():
        page.locator("button").click()
    expect(page.locator("h1")).to_contain_text("Er ging iets mis")
    page.goto(live_server + "/tips")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
