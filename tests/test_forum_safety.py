"""Forum safety: bots, double submits, rate limits, link policy, and search (real index)."""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_forum.py

from sqlalchemy import func, select

from kennisnet.extensions import db
from kennisnet.forum.models import Answer, Question
from kennisnet.forum.rendering import render_post
from kennisnet.search import drain_outbox

# Fixtures are imported by name, which ruff reads as redefinition in the test signatures.
from tests.factories_forum import (  # noqa: F401
    answer_via_form,
    ask_via_form,
    form_fields,
    forum_app,
    make_answer,
    make_question,
    make_tag,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_double_submit_makes_one_post(client, login, make_user, forum_app):
    login(make_user())
    page = client.get("/forum/vragen/nieuw")
    data = {**form_fields(page), "title": "Hoe vinden we genoeg vrijwilligers?",
            "body": "Graag tips."}
    first = client.post("/forum/vragen/nieuw", data=data)
    again = client.post("/forum/vragen/nieuw", data=data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert _count(Question) == 1


def test_double_submit_answer_makes_one_answer(client, login, make_user, make_question):
    question = make_question(make_user())
    login(make_user())
    page = client.get(f"/forum/vraag/{question.id}")
    data = {**form_fields(page), "body": "Eén antwoord, twee keer geklikt."}
    for _ in range(3):
        assert client.post(f"/forum/vraag/{question.id}/antwoord", data=data).status_code == 302
    assert _count(Answer) == 1


def test_honeypot_stops_bots(client, login, make_user, forum_app):
    login(make_user())
    response = ask_via_form(client, website="http://spam.example")
    assert response.status_code == 422
    assert _count(Question) == 0


def test_minimum_fill_time(client, login, make_user, forum_app):
    forum_app.config["FORUM_MIN_FILL_SECONDS"] = 60
    login(make_user())
    response = ask_via_form(client)
    assert response.status_code == 422
    assert "snel" in response.get_data(as_text=True)
    assert _count(Question) == 0


def test_forged_form_token_is_refused(client, login, make_user, forum_app):
    login(make_user())
    assert ask_via_form(client, form_token="vervalst").status_code == 422
    assert _count(Question) == 0


def test_rate_limit_gives_friendly_429(client, login, make_user, make_question, forum_app):
    forum_app.config.update(FORUM_POST_LIMIT=2, FORUM_POST_WINDOW_SECONDS=600)
    question = make_question(make_user())
    login(make_user())
    for n in range(2):
        assert answer_via_form(client, question, body=f"Antwoord {n}").status_code == 302
    blocked = answer_via_form(client, question, body="Nog een antwoord")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 601
    assert "Probeer het over" in blocked.get_data(as_text=True)
    assert _count(Answer) == 2


def test_links_in_posts_get_ugc_rel_and_no_scripts():
    html = str(render_post("[site](https://example.org) [x](javascript:alert(1)) "
                           "<script>x</script>"))
    assert '<a href="https://example.org" rel="nofollow ugc noopener">site</a>' in html
    assert 'href="javascript' not in html
    assert "<script" not in html


def test_answers_on_locked_question_are_refused(client, login, make_user, make_question,
                                                csrf_token):
    question = make_question(make_user(), is_locked=True)
    login(make_user())
    assert "Jouw antwoord" not in client.get(f"/forum/vraag/{question.id}").get_data(as_text=True)
    page = client.get("/forum")
    response = client.post(f"/forum/vraag/{question.id}/antwoord",
                           data={"csrf_token": csrf_token(page), "body": "Toch een antwoord"})
    assert response.status_code == 403


def test_questions_and_answers_are_searchable_hidden_never(client, make_user, make_question,
                                                           make_answer):
    question = make_question(make_user(), title="Contributie voor leden van de coöperatie",
                             body="Hoeveel vragen jullie?")
    make_answer(question, make_user(), body="Wij vragen vijftien euro per huishouden.")
    hidden = make_question(make_user(), title="Verborgen contributie vraag", is_hidden=True)
    drain_outbox()
    page = client.get("/zoeken?q=huishouden").get_data(as_text=True)
    assert f"/forum/vraag/{question.id}" in page
    page = client.get("/zoeken?q=contributie").get_data(as_text=True)
    assert f"/forum/vraag/{question.id}" in page
    assert f"/forum/vraag/{hidden.id}" not in page
    # Hiding a question later removes it from the index too.
    question.is_hidden = True
    db.session.commit()
    drain_outbox()
    assert f"/forum/vraag/{question.id}" not in client.get("/zoeken?q=huishouden").get_data(
        as_text=True)


def test_search_hit_opens_the_question_at_the_matching_answer(client, make_user, make_question,
                                                               make_answer):
    question = make_question(make_user(), title="Hoe regelen jullie het vervoer?",
                             body="We zoeken ideeën.")
    make_answer(question, make_user(), body="Wij hebben een belbus.")
    answer = make_answer(question, make_user(), body="Onze chauffeurs zijn vrijwilligers.")
    drain_outbox()
    page = client.get("/zoeken?q=vrijwilliger").get_data(as_text=True)
    assert f'href="/forum/vraag/{question.id}#antwoord-{answer.id}"' in page
    # Words in the question itself lead to the top of the question.
    page = client.get("/zoeken?q=vervoer").get_data(as_text=True)
    assert f'href="/forum/vraag/{question.id}"' in page


def test_similar_questions_endpoint_uses_search(client, make_user, make_question):
    match = make_question(make_user(), title="Hoe werven we vrijwilligers voor vervoer?")
    make_question(make_user(), title="Regels voor maaltijden aan huis")
    drain_outbox()
    found = client.get("/forum/vergelijkbaar?titel=vrijwilligers zoeken").get_json()
    assert [item["url"] for item in found] == [f"/forum/vraag/{match.id}"]
    assert client.get("/forum/vergelijkbaar?titel=").get_json() == []


def test_preview_without_javascript_lists_similar_questions(client, login, make_user,
                                                            make_question):
    match = make_question(make_user(), title="Samenwerking met de gemeente over subsidie")
    drain_outbox()
    login(make_user())
    response = ask_via_form(client, title="Subsidie van de gemeente aanvragen", preview="1")
    assert f"/forum/vraag/{match.id}" in response.get_data(as_text=True)


def test_impossible_ids_are_404_not_500(client, login, make_user, csrf_token):
    huge = 10**12
    assert client.get(f"/forum/vraag/{huge}").status_code == 404
    assert client.get(f"/forum/antwoord/{huge}/geschiedenis").status_code == 404
    login(make_user(site_role="moderator"))
    token = csrf_token(client.get("/forum/moderatie"))
    assert client.post(f"/forum/moderatie/vraag/{huge}/hide",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/forum/moderatie/logboek/{huge}/ongedaan",
                       data={"csrf_token": token}).status_code == 404
