"""The forum in a real Chromium: a keyboard-only ask, answer, accept and search flow, and axe on
every forum page."""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_forum.py

import pytest
from playwright.sync_api import Page, expect

from kennisnet.extensions import db
from kennisnet.forum.models import Question
from kennisnet.search import drain_outbox
from tests.browser.keyboard import log_in, log_out, tab_to, type_into

# Fixtures are imported by name, which ruff reads as redefinition in the test signatures.
from tests.factories_forum import forum_app, make_answer, make_question, make_tag  # noqa: F401


def test_ask_answer_accept_and_find_with_keyboard(page: Page, live_server, make_user,
                                                  make_question, make_tag, page_errors,
                                                  axe_check):
    asker, helper = make_user(display_name="Anna"), make_user(display_name="Bert")
    make_tag("Maaltijden")
    earlier = make_question(make_user(), title="Hoe vinden we vrijwilligers voor de maaltijden?")
    drain_outbox()

    log_in(page, live_server, asker)
    page.goto(live_server + "/forum")
    tab_to(page, "main a[href='/forum/vragen/nieuw']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Stel een vraag")
    type_into(page, "#title", "Vrijwilligers voor maaltijden aan huis")
    suggestions = page.locator("#vergelijkbare-vragen")
    expect(suggestions).to_be_visible()
    expect(suggestions.locator("a")).to_contain_text(earlier.title)
    type_into(page, "#body", "Wie heeft *ervaring* met koks uit het dorp?")
    tab_to(page, "input[name=tags][value=maaltijden]")
    page.keyboard.press("Space")
    tab_to(page, "main form button:has-text('Plaats je vraag')")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Vrijwilligers voor maaltijden aan huis")
    expect(page.locator(".forum-body em")).to_have_text("ervaring")
    axe_check(page)
    question_url = page.url
    log_out(page)

    log_in(page, live_server, helper)
    page.goto(question_url)
    type_into(page, "#body", "Wij vragen de dorpskoks via de kerkbode.")
    tab_to(page, "main form button:has-text('Plaats antwoord')")
    page.keyboard.press("Enter")
    expect(page.locator(".forum-answer")).to_contain_text("kerkbode")
    log_out(page)

    log_in(page, live_server, asker)
    page.goto(question_url)
    tab_to(page, "button:has-text('Markeer als beste antwoord')")
    page.keyboard.press("Enter")
    expect(page.locator(".forum-accepted")).to_be_visible()

    drain_outbox()
    page.goto(live_server + "/zoeken?q=kerkbode")
    question = db.session.scalar(db.select(Question).where(Question.title.like("Vrijwilligers%")))
    expect(page.locator(f"main a[href*='/forum/vraag/{question.id}']").first).to_be_visible()
    assert page_errors == []


@pytest.fixture
def forum_pages(make_user, make_question, make_answer, make_tag):
    """A moderator, and every kind of forum page filled with something to show."""
    moderator = make_user(site_role="moderator", display_name="Mo")
    tag = make_tag("Vervoer")
    question = make_question(make_user(), title="Hoe regelen we vervoer naar de huisarts?",
                             body="Wie heeft een **goede** aanpak?", tags=[tag])
    answer = make_answer(question, make_user(), body="Met een buurtbus.", vote_count=2)
    return moderator, [
        "/forum", "/forum/onbeantwoord", f"/forum/onderwerp/{tag.slug}",
        "/forum/provincie/gelderland", "/forum/mijn-vragen", "/forum/vragen/nieuw",
        f"/forum/vraag/{question.id}", f"/forum/vraag/{question.id}/bewerken",
        f"/forum/antwoord/{answer.id}/bewerken", f"/forum/vraag/{question.id}/geschiedenis",
        f"/forum/antwoord/{answer.id}/melden", "/forum/moderatie", "/forum/moderatie/onderwerpen",
        f"/forum/moderatie/vraag/{question.id}/samenvoegen",
        f"/forum/moderatie/antwoord/{answer.id}/verplaatsen",
    ]


def test_every_forum_page_passes_axe_and_fits_320px(page: Page, live_server, forum_pages,
                                                     axe_check, page_errors):
    moderator, paths = forum_pages
    log_in(page, live_server, moderator)
    page.set_viewport_size({"width": 320, "height": 800})
    for path in paths:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    assert page_errors == []


def test_unfollow_page_passes_axe(page: Page, live_server, app, make_user, make_question,
                                  axe_check):
    from kennisnet.forum.services import unfollow_token

    user = make_user()
    question = make_question(user)
    with app.test_request_context():
        token = unfollow_token(user.id, question.id)
    page.goto(f"{live_server}/forum/afmelden/{token}")
    axe_check(page)
    page.locator("main button").click()
    expect(page.locator("main [role=status]")).to_contain_text("geen e-mail meer")
    axe_check(page)


def test_ask_errors_and_preview_pass_axe(page: Page, live_server, make_user, make_question,
                                         axe_check):
    make_question(make_user(), title="Hoe vinden we een dorpsondersteuner?")
    drain_outbox()
    log_in(page, live_server, make_user())
    page.goto(live_server + "/forum/vragen/nieuw")
    page.locator("main button:has-text('Plaats je vraag')").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.fill("#title", "Een dorpsondersteuner aanstellen")
    page.fill("#body", "Met een [link](https://example.org) en **vet**.")
    page.locator("main button:has-text('Bekijk voorbeeld')").click()
    expect(page.locator(".forum-preview strong")).to_have_text("vet")
    # Without waiting for JavaScript, the preview round trip lists similar questions too.
    expect(page.locator("#vergelijkbare-vragen")).to_contain_text("dorpsondersteuner")
    axe_check(page)
