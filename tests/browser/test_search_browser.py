"""Search in a real Chromium: the header box, filters, following a hit, suggestions; axe clean."""

import re

import pytest
from playwright.sync_api import Page, expect


@pytest.fixture
def indexed(seeded):
    from kennisnet.search import drain_outbox

    drain_outbox()


def test_search_from_the_header_filter_by_kind_and_follow_a_hit(
        page: Page, live_server, indexed, axe_check, page_errors):
    page.goto(live_server + "/")
    page.locator("#zoekvak").fill("coöperatie")
    page.locator("#zoekvak").press("Enter")

    expect(page).to_have_url(re.compile(r"/zoeken\?q=co"))
    expect(page.locator("h1")).to_have_text("Zoeken")
    expect(page.locator(".search-hit").first).to_be_visible()
    expect(page.locator(".search-hit mark").first).to_be_visible()
    axe_check(page)

    page.get_by_label(re.compile(r"^Tip \(\d+\)$")).check()
    page.get_by_role("button", name="Filters toepassen").click()
    expect(page).to_have_url(re.compile(r"soort=tip"))
    kinds = page.locator(".hit-kind").all_text_contents()
    assert kinds and set(kinds) == {"Tip"}
    expect(page.get_by_label(re.compile(r"^Gidspagina \(\d+\)$"))).not_to_be_checked()
    axe_check(page)

    first = page.locator(".hit-title a").first
    title = first.text_content().strip()
    first.click()
    expect(page.locator("h1")).to_have_text(title)
    assert page_errors == []


def test_suggestions_listbox_with_the_keyboard(page: Page, live_server, indexed, axe_check,
                                               page_errors):
    page.goto(live_server + "/")
    box = page.locator("#zoekvak")
    box.press_sequentially("luister", delay=30)
    listbox = page.locator("#zoekvak-suggesties")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_contain_text("Luister goed")
    axe_check(page)

    box.press("ArrowDown")
    first_option = listbox.get_by_role("option").first
    expect(first_option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first_option.get_attribute("id"))

    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press("ArrowDown")  # opens the list again
    expect(listbox).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator("h1")).to_contain_text("Luister goed")
    assert page_errors == []


def test_search_works_without_javascript(browser, live_server, indexed):
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.locator("#zoekvak").fill("statuten")
        page.locator("#zoekvak").press("Enter")
        expect(page.locator(".search-hit").first).to_be_visible()
        page.get_by_role("link", name="nieuwste eerst").click()
        expect(page).to_have_url(re.compile(r"sorteer=nieuwste"))
    finally:
        context.close()
