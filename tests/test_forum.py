"""Forum: asking, answering, voting, accepting, ordering, editing, deleting, following, lists."""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_forum.py

import feedparser
import pytest
from sqlalchemy import event, func, select

from kennisnet.extensions import db
from kennisnet.forum.models import Answer, Follow, Question, Revision, Vote

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


def test_member_asks_with_tags_tip_and_initiative(client, login, make_user, make_tag,
                                                   make_initiative, seeded):
    from kennisnet.initiatives.models import Membership
    from kennisnet.tips.models import Tip

    user = make_user()
    initiative = make_initiative(province="gelderland")
    db.session.add(Membership(user_id=user.id, organisation_id=initiative.id, role="lid"))
    db.session.commit()
    tag = make_tag("Samenwerking gemeente")
    tip = db.session.scalars(select(Tip).order_by(Tip.id)).first()
    login(user)
    response = ask_via_form(client, title="Hoe maken we afspraken met de gemeente?",
                            body="We willen een **dorpsondersteuner**.", tags=[tag.slug],
                            tip=tip.slug, organisation=str(initiative.id))
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert question.author_id == user.id and question.status == "published"
    assert [t.slug for t in question.tags] == [tag.slug]
    assert question.tip_id == tip.id and question.organisation_id == initiative.id
    assert "<strong>dorpsondersteuner</strong>" in question.body_html
    # The asker follows their own question by default.
    assert db.session.get(Follow, (question.id, user.id)) is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hoe maken we afspraken met de gemeente?" in page
    assert tip.title in page


def test_preview_renders_markdown_without_saving(client, login, make_user, forum_app):
    login(make_user())
    response = ask_via_form(client, body="Een *schuine* tekst", preview="1")
    assert response.status_code == 200
    assert "<em>schuine</em>" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_invalid_question_keeps_input_and_gives_422(client, login, make_user, forum_app):
    login(make_user())
    response = ask_via_form(client, title="Kort", body="Mijn uitleg blijft staan")
    assert response.status_code == 422
    assert "Mijn uitleg blijft staan" in response.get_data(as_text=True)


@pytest.mark.parametrize("field, size", [("title", 201), ("body", 32_001)])
def test_too_long_title_or_body_is_400_in_dutch(client, login, make_user, forum_app, field, size):
    login(make_user())
    response = ask_via_form(client, **{field: "a" * size})
    assert response.status_code == 400
    assert "te lang" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_answer_and_follow_mail_carries_link_not_text(client, login, make_user, make_question,
                                                      sent_mail):
    asker, helper = make_user(), make_user()
    question = make_question(asker)
    db.session.add(Follow(question_id=question.id, user_id=asker.id))
    db.session.commit()
    login(helper)
    response = answer_via_form(client, question, body="Geheim: mevrouw Jansen is ziek.")
    assert response.status_code == 302
    answer = db.session.scalar(select(Answer))
    assert answer.author_id == helper.id and answer.question_id == question.id
    mails = sent_mail()
    assert len(mails) == 1 and mails[0]["To"] == asker.email
    text = mails[0].get_content()
    assert "Jansen" not in text
    assert f"/forum/vraag/{question.id}#antwoord-{answer.id}" in text
    assert "/forum/afmelden/" in text


def test_unfollow_from_mail_link_in_one_click(app, client, make_user, make_question, make_answer,
                                              sent_mail, csrf_token):
    asker, helper = make_user(), make_user()
    question = make_question(asker)
    db.session.add(Follow(question_id=question.id, user_id=asker.id))
    db.session.commit()
    from kennisnet.forum.services import notify_followers

    with app.test_request_context():
        notify_followers(question, make_answer(question, helper))
    link = next(line for line in sent_mail()[0].get_content().splitlines() if "afmelden" in line)
    path = link.split("localhost", 1)[1]
    page = client.get(path)  # anonymous: the mail link works without logging in
    assert page.status_code == 200
    assert db.session.get(Follow, (question.id, asker.id)) is not None  # GET changes nothing
    assert client.post(path, data={"csrf_token": csrf_token(page)}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Follow, (question.id, asker.id)) is None
    assert client.get("/forum/afmelden/vervalst").status_code == 404


def test_follow_and_stop_following_from_question_page(client, login, make_user, make_question,
                                                      csrf_token):
    user = make_user()
    question = make_question(make_user())
    login(user)
    token = csrf_token(client.get(f"/forum/vraag/{question.id}"))
    client.post(f"/forum/vraag/{question.id}/volgen", data={"csrf_token": token})
    assert db.session.get(Follow, (question.id, user.id)) is not None
    client.post(f"/forum/vraag/{question.id}/volgen", data={"csrf_token": token, "stop": "1"})
    db.session.expire_all()
    assert db.session.get(Follow, (question.id, user.id)) is None


def test_vote_rules_one_per_member_not_on_own_post(client, login, make_user, make_question,
                                                   make_answer, csrf_token):
    asker, author, voter = make_user(), make_user(), make_user()
    answer = make_answer(make_question(asker), author)
    login(voter)
    token = csrf_token(client.get("/forum"))
    assert client.post(f"/forum/antwoord/{answer.id}/stem",
                       data={"csrf_token": token}).status_code == 302
    db.session.refresh(answer)
    assert answer.vote_count == 1
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    # A double click (the same POST again) never counts twice.
    client.post(f"/forum/antwoord/{answer.id}/stem", data={"csrf_token": token})
    db.session.refresh(answer)
    assert answer.vote_count == 1
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    # The page then offers to take the vote back, which works once as well.
    page = client.get(f"/forum/vraag/{answer.question_id}").get_data(as_text=True)
    assert "Haal je stem weg" in page
    for _ in range(2):
        client.post(f"/forum/antwoord/{answer.id}/stem", data={"csrf_token": token, "stem": "0"})
    db.session.refresh(answer)
    assert answer.vote_count == 0
    client.post("/uitloggen", data={"csrf_token": token})
    login(author)
    token = csrf_token(client.get("/forum"))
    assert client.post(f"/forum/antwoord/{answer.id}/stem",
                       data={"csrf_token": token}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_only_asker_accepts_and_accepted_comes_first(client, login, make_user, make_question,
                                                     make_answer, csrf_token):
    asker, other = make_user(), make_user()
    question = make_question(asker)
    early = make_answer(question, other, body="Eerste antwoord")
    popular = make_answer(question, other, body="Populair antwoord", vote_count=5)
    late = make_answer(question, other, body="Laatste antwoord")
    login(other)
    token = csrf_token(client.get("/forum"))
    assert client.post(f"/forum/antwoord/{late.id}/accepteren",
                       data={"csrf_token": token}).status_code == 403
    client.post("/uitloggen", data={"csrf_token": token})
    login(asker)
    token = csrf_token(client.get("/forum"))
    client.post(f"/forum/antwoord/{late.id}/accepteren", data={"csrf_token": token})
    client.post(f"/forum/antwoord/{early.id}/accepteren", data={"csrf_token": token})
    db.session.expire_all()
    assert [a.is_accepted for a in (early, popular, late)] == [True, False, False]
    html = client.get(f"/forum/vraag/{question.id}").get_data(as_text=True)
    positions = [html.index(text) for text in ("Eerste antwoord", "Populair antwoord",
                                               "Laatste antwoord")]
    assert positions == sorted(positions)
    client.post(f"/forum/antwoord/{early.id}/accepteren", data={"csrf_token": token, "beste": "0"})
    db.session.expire_all()
    assert not any(a.is_accepted for a in (early, popular, late))


def test_edit_keeps_history_viewable(client, login, make_user, make_question, forum_app):
    user = make_user()
    question = make_question(user, body="Oude uitleg")
    login(user)
    page = client.get(f"/forum/vraag/{question.id}/bewerken")
    response = client.post(f"/forum/vraag/{question.id}/bewerken", data={
        **form_fields(page), "title": question.title, "body": "Nieuwe uitleg"})
    assert response.status_code == 302
    revision = db.session.scalar(select(Revision))
    assert (revision.body_before, revision.body_after) == ("Oude uitleg", "Nieuwe uitleg")
    assert revision.editor_id == user.id
    history = client.get(f"/forum/vraag/{question.id}/geschiedenis").get_data(as_text=True)
    assert "Oude uitleg" in history and "Nieuwe uitleg" in history
    assert user.display_name in history


def test_other_member_cannot_edit(client, login, make_user, make_question):
    question = make_question(make_user())
    login(make_user())
    assert client.get(f"/forum/vraag/{question.id}/bewerken").status_code == 403


def test_soft_delete_hides_from_members_keeps_for_moderators(client, login, make_user,
                                                             make_question, make_answer,
                                                             csrf_token):
    author = make_user()
    question = make_question(author)
    answer = make_answer(question, author, body="Dit haal ik weg")
    login(author)
    token = csrf_token(client.get("/forum"))
    client.post(f"/forum/antwoord/{answer.id}/verwijderen", data={"csrf_token": token})
    db.session.refresh(answer)
    assert answer.deleted_at is not None
    assert "Dit haal ik weg" not in client.get(f"/forum/vraag/{question.id}").get_data(
        as_text=True)
    client.post(f"/forum/vraag/{question.id}/verwijderen", data={"csrf_token": token})
    assert client.get(f"/forum/vraag/{question.id}").status_code == 403
    client.post("/uitloggen", data={"csrf_token": token})
    login(make_user(site_role="moderator"))
    page = client.get(f"/forum/vraag/{question.id}")
    assert page.status_code == 200 and "Dit haal ik weg" in page.get_data(as_text=True)


def test_lists_newest_unanswered_tag_province_mine(client, login, make_user, make_question,
                                                   make_answer, make_tag, make_initiative):
    user = make_user()
    tag = make_tag("Vervoer")
    brabant = make_initiative(province="noord-brabant")
    answered = make_question(user, title="Beantwoorde vraag over vervoer", tags=[tag],
                             organisation=brabant)
    make_answer(answered, make_user())
    open_q = make_question(make_user(), title="Open vraag over maaltijden")
    make_question(user, title="Verborgen vraag", is_hidden=True)

    def titles(url):
        return client.get(url).get_data(as_text=True)

    assert "Open vraag" in titles("/forum") and "Verborgen vraag" not in titles("/forum")
    assert "Open vraag" in titles("/forum/onbeantwoord")
    assert "Beantwoorde vraag" not in titles("/forum/onbeantwoord")
    assert "Beantwoorde vraag" in titles(f"/forum/onderwerp/{tag.slug}")
    assert "Open vraag" not in titles(f"/forum/onderwerp/{tag.slug}")
    assert "Beantwoorde vraag" in titles("/forum/provincie/noord-brabant")
    assert "Beantwoorde vraag" not in titles("/forum/provincie/limburg")
    assert client.get("/forum/provincie/atlantis").status_code == 404
    login(user)
    mine = titles("/forum/mijn-vragen")
    assert "Beantwoorde vraag" in mine and "Verborgen vraag" in mine
    assert open_q.title not in mine


def test_pagination(client, make_user, make_question):
    user = make_user()
    for n in range(25):
        make_question(user, title=f"Vraag nummer {n:02d} over vervoer")
    first = client.get("/forum").get_data(as_text=True)
    second = client.get("/forum?pagina=2").get_data(as_text=True)
    assert "Vraag nummer 24" in first and "Vraag nummer 00" not in first
    assert "Vraag nummer 00" in second and "Vraag nummer 24" not in second


def test_atom_feeds_parse(client, login, make_user, make_question, make_tag, make_initiative):
    user = make_user()
    tag = make_tag("Vrijwilligers")
    question = make_question(user, title="Vrijwilligers <vinden> & houden", tags=[tag],
                             organisation=make_initiative(province="zeeland"))
    for url in ("/forum/atom", "/forum/onbeantwoord/atom", f"/forum/onderwerp/{tag.slug}/atom",
                "/forum/provincie/zeeland/atom"):
        response = client.get(url)
        assert response.content_type.startswith("application/atom+xml")
        feed = feedparser.parse(response.get_data())
        assert not feed.bozo, (url, feed.get("bozo_exception"))
        assert [e.title for e in feed.entries] == ["Vrijwilligers <vinden> & houden"]
        assert feed.entries[0].link.endswith(f"/forum/vraag/{question.id}")
    login(user)
    page = client.get("/forum/mijn-vragen").get_data(as_text=True)
    feed_url = page.split('type="application/atom+xml"', 1)[1].split('href="', 1)[1].split('"')[0]
    client.post("/uitloggen", data={"csrf_token": form_fields(client.get("/forum"))
                                    .get("csrf_token", "")})
    feed = feedparser.parse(client.get(feed_url).get_data())
    assert [e.title for e in feed.entries] == [question.title]
    assert client.get("/forum/mijn-vragen/atom/vervalst").status_code == 404


def test_tip_page_shows_linked_questions(client, make_user, make_question, seeded):
    from kennisnet.tips.models import Tip

    tip = db.session.scalars(select(Tip).order_by(Tip.id)).first()
    question = make_question(make_user(), title="Ervaring met deze tip gezocht", tip=tip)
    page = client.get(f"/tips/{tip.slug}").get_data(as_text=True)
    assert "Ervaringen en vragen bij deze tip" in page
    assert f"/forum/vraag/{question.id}" in page
    assert f"/tips/{tip.slug}" in client.get(f"/forum/vraag/{question.id}").get_data(as_text=True)


def test_question_page_query_count_does_not_grow_with_answers(app, client, login, make_user,
                                                              make_question, make_answer):
    viewer = make_user()
    question = make_question(make_user())

    def count_queries():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/forum/vraag/{question.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return statements

    login(viewer)
    make_answer(question, make_user())
    few = count_queries()
    for _ in range(15):
        make_answer(question, make_user())
    statements = count_queries()
    assert len(statements) == len(few)
    assert len(few) <= 10
    # A page view writes nothing (no flush of loaded rows, no outbox rows).
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                       "DELETE"))]
    assert writes == []


def test_merged_question_redirects_to_target(client, make_user, make_question):
    target = make_question(make_user())
    duplicate = make_question(make_user(), merged_into_id=target.id)
    response = client.get(f"/forum/vraag/{duplicate.id}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/forum/vraag/{target.id}")


def test_rerender_command_refreshes_stale_html(runner, make_user, make_question):
    question = make_question(make_user(), body="**vet**")
    question.body_html, question.html_version = "<p>oud</p>", 0
    db.session.commit()
    # Until the command runs, the page already shows a fresh rendering.
    assert "<strong>vet</strong>" in str(question.html)
    result = runner.invoke(args=["forum", "rerender"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    refreshed = db.session.get(Question, question.id)
    assert "<strong>vet</strong>" in refreshed.body_html and refreshed.html_version >= 1


def test_search_text_comes_from_stored_html_and_equals_the_markdown_words(
        app, make_user, make_question, make_answer):
    from kennisnet.markdown import plain_text

    bodies = ["**Vervoer** met [de bus](https://example.org) & taxi",
              "# Kop\n\n- vrijwillige *chauffeurs*\n- `rooster`", "Oude opmaak: **contributie**"]
    author = make_user()
    question = make_question(author, body=bodies[0])
    make_answer(question, author, body=bodies[1])
    stale = make_answer(question, author, body=bodies[2])
    stale.body_html, stale.html_version = "<p>verouderd</p>", 0  # renderer changed since
    db.session.commit()

    with app.test_request_context():
        body = question.search_document().body

    assert body == "\n".join(plain_text(text) for text in bodies)
    assert "verouderd" not in body and "Vervoer met de bus & taxi" in body
