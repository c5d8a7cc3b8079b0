"""Forum moderation: reports and auto-hide, every moderator action with its audit row and undo,
new-member approval and link limits, and the managed tag list."""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_forum.py

import pytest
from sqlalchemy import func, select

from kennisnet.extensions import db
from kennisnet.forum.models import (
    Answer,
    ForumTag,
    ModerationAction,
    Question,
    Report,
    Revision,
)

# Fixtures are imported by name, which ruff reads as redefinition in the test signatures.
from tests.factories_forum import (  # noqa: F401
    ask_via_form,
    form_fields,
    forum_app,
    make_answer,
    make_question,
    make_tag,
)


def _report(client, login, user, url, csrf_token, reason="Dit klopt niet"):
    login(user)
    page = client.get(url)
    response = client.post(url, data={"csrf_token": csrf_token(page), "reason": reason})
    client.post("/uitloggen", data={"csrf_token": csrf_token(page)})
    return response


def test_three_distinct_reports_hide_a_post(client, login, make_user, make_question,
                                            make_answer, csrf_token):
    question = make_question(make_user())
    answer = make_answer(question, make_user(), body="Kwetsende tekst")
    url = f"/forum/antwoord/{answer.id}/melden"
    first = make_user()
    assert _report(client, login, first, url, csrf_token).status_code == 302
    # The same member reporting twice does not count twice.
    assert _report(client, login, first, url, csrf_token).status_code == 422
    _report(client, login, make_user(), url, csrf_token)
    db.session.refresh(answer)
    assert not answer.is_hidden
    _report(client, login, make_user(), url, csrf_token)
    db.session.refresh(answer)
    assert answer.is_hidden
    assert db.session.scalar(select(func.count(Report.id))) == 3
    assert "Kwetsende tekst" not in client.get(f"/forum/vraag/{question.id}").get_data(
        as_text=True)


def test_cannot_report_own_post(client, login, make_user, make_question):
    user = make_user()
    question = make_question(user)
    login(user)
    assert client.get(f"/forum/vraag/{question.id}/melden").status_code == 403


def _moderate(client, csrf_token, url, **data):
    token = csrf_token(client.get("/forum/moderatie"))
    return client.post(url, data={"csrf_token": token, **data})


def _last_action() -> ModerationAction:
    return db.session.scalars(select(ModerationAction).order_by(ModerationAction.id.desc())).first()


@pytest.mark.parametrize("action, field, before, after", [
    ("hide", "is_hidden", False, True),
    ("lock", "is_locked", False, True),
    ("close", "is_closed", False, True),
])
def test_state_actions_are_logged_and_undone(client, login, make_user, make_question, csrf_token,
                                             action, field, before, after):
    moderator = make_user(site_role="moderator")
    question = make_question(make_user())
    login(moderator)
    response = _moderate(client, csrf_token, f"/forum/moderatie/vraag/{question.id}/{action}")
    assert response.status_code == 302
    db.session.refresh(question)
    assert getattr(question, field) is after
    row = _last_action()
    assert (row.moderator_id, row.action, row.post_type, row.post_id) == (
        moderator.id, action, "question", question.id)
    assert row.changes == [["question", question.id, field, before, after]]
    assert row.created_at is not None
    assert action in client.get("/forum/moderatie").get_data(as_text=True)
    _moderate(client, csrf_token, f"/forum/moderatie/logboek/{row.id}/ongedaan")
    db.session.expire_all()
    assert getattr(db.session.get(Question, question.id), field) is before
    assert db.session.get(ModerationAction, row.id).undone_by_id == moderator.id


def test_restore_after_auto_hide_resolves_reports(client, login, make_user, make_question,
                                                  csrf_token):
    question = make_question(make_user(), is_hidden=True)
    for _ in range(3):
        db.session.add(Report(post_type="question", post_id=question.id,
                              reporter_id=make_user().id, reason="spam"))
    db.session.commit()
    login(make_user(site_role="moderator"))
    _moderate(client, csrf_token, f"/forum/moderatie/vraag/{question.id}/restore")
    db.session.refresh(question)
    assert not question.is_hidden
    assert db.session.scalar(select(func.count(Report.id)).where(
        Report.resolved_at.is_(None))) == 0
    assert _last_action().changes == [["question", question.id, "is_hidden", True, False]]


def test_moderator_edit_is_logged_with_before_after_and_undone(client, login, make_user,
                                                               make_question, csrf_token):
    question = make_question(make_user(), body="Bel mij op 06-12345678")
    login(make_user(site_role="moderator"))
    page = client.get(f"/forum/vraag/{question.id}/bewerken")
    client.post(f"/forum/vraag/{question.id}/bewerken", data={
        **form_fields(page), "title": question.title, "body": "Bel mij (nummer weggehaald)"})
    row = _last_action()
    assert row.action == "edit"
    assert row.changes == [["question", question.id, "body", "Bel mij op 06-12345678",
                            "Bel mij (nummer weggehaald)"]]
    _moderate(client, csrf_token, f"/forum/moderatie/logboek/{row.id}/ongedaan")
    db.session.refresh(question)
    assert question.body == "Bel mij op 06-12345678"
    assert "06-12345678" in question.body_html
    # The undo is part of the visible edit history: original -> edited -> restored.
    revisions = db.session.scalars(select(Revision).where(
        Revision.post_type == "question", Revision.post_id == question.id)
        .order_by(Revision.id)).all()
    assert [r.body_after for r in revisions] == ["Bel mij (nummer weggehaald)",
                                                 "Bel mij op 06-12345678"]


def test_move_answer_and_undo(client, login, make_user, make_question, make_answer, csrf_token):
    source, target = make_question(make_user()), make_question(make_user(), title="Doelvraag")
    answer = make_answer(source, make_user(), is_accepted=True)
    login(make_user(site_role="moderator"))
    page = client.get(f"/forum/moderatie/antwoord/{answer.id}/verplaatsen")
    response = client.post(f"/forum/moderatie/antwoord/{answer.id}/verplaatsen",
                           data={**form_fields(page), "target": str(target.id)})
    assert response.status_code == 302
    db.session.refresh(answer)
    assert (answer.question_id, answer.is_accepted) == (target.id, False)
    _moderate(client, csrf_token, f"/forum/moderatie/logboek/{_last_action().id}/ongedaan")
    db.session.refresh(answer)
    assert (answer.question_id, answer.is_accepted) == (source.id, True)


def test_merge_duplicate_and_undo(client, login, make_user, make_question, make_answer,
                                  csrf_token):
    target = make_question(make_user(), title="De echte vraag over vervoer")
    duplicate = make_question(make_user(), title="Dubbele vraag over vervoer")
    answers = [make_answer(duplicate, make_user()) for _ in range(2)]
    login(make_user(site_role="moderator"))
    page = client.get(f"/forum/moderatie/vraag/{duplicate.id}/samenvoegen")
    client.post(f"/forum/moderatie/vraag/{duplicate.id}/samenvoegen",
                data={**form_fields(page), "target": f"#{target.id}"})
    db.session.expire_all()
    assert {a.question_id for a in db.session.scalars(select(Answer))} == {target.id}
    merged = db.session.get(Question, duplicate.id)
    assert merged.merged_into_id == target.id and merged.is_closed
    row = _last_action()
    assert row.action == "merge" and len(row.changes) == 4  # two answers moved + two fields
    _moderate(client, csrf_token, f"/forum/moderatie/logboek/{row.id}/ongedaan")
    db.session.expire_all()
    assert {db.session.get(Answer, a.id).question_id for a in answers} == {duplicate.id}
    assert db.session.get(Question, duplicate.id).merged_into_id is None


def test_undo_refused_when_changed_since(client, login, make_user, make_question, csrf_token):
    question = make_question(make_user())
    login(make_user(site_role="moderator"))
    _moderate(client, csrf_token, f"/forum/moderatie/vraag/{question.id}/hide")
    hide = _last_action()
    _moderate(client, csrf_token, f"/forum/moderatie/vraag/{question.id}/restore")
    _moderate(client, csrf_token, f"/forum/moderatie/logboek/{hide.id}/ongedaan")
    db.session.expire_all()
    assert db.session.get(ModerationAction, hide.id).undone_at is None
    assert not db.session.get(Question, question.id).is_hidden


def test_members_cannot_moderate(client, login, make_user, make_question, csrf_token):
    question = make_question(make_user())
    login(make_user())
    assert client.get("/forum/moderatie").status_code == 403
    token = csrf_token(client.get("/forum"))
    assert client.post(f"/forum/moderatie/vraag/{question.id}/hide",
                       data={"csrf_token": token}).status_code == 403


def test_new_member_first_two_posts_wait_and_no_links(client, login, make_user, make_question,
                                                      forum_app, csrf_token):
    forum_app.config["FORUM_APPROVALS_BEFORE_TRUSTED"] = 2
    newcomer = make_user()
    login(newcomer)
    refused = ask_via_form(client, body="Kijk op https://example.org voor meer")
    assert refused.status_code == 422
    assert "links" in refused.get_data(as_text=True)
    assert ask_via_form(client, title="Eerste vraag van een nieuw lid").status_code == 302
    first = db.session.scalar(select(Question))
    assert first.status == "pending"
    assert "Eerste vraag" not in client.get("/forum").get_data(as_text=True)
    assert client.get(f"/forum/vraag/{first.id}").status_code == 200  # the author sees it
    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/forum"))})
    assert client.get(f"/forum/vraag/{first.id}").status_code == 403  # not for others
    login(make_user(site_role="moderator"))
    _moderate(client, csrf_token, f"/forum/moderatie/vraag/{first.id}/approve")
    assert _last_action().action == "approve"
    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/forum"))})
    assert "Eerste vraag" in client.get("/forum").get_data(as_text=True)
    login(newcomer)
    # One post approved: links are allowed now, but the second post still waits.
    assert ask_via_form(client, title="Tweede vraag met een link erin",
                        body="Zie https://example.org").status_code == 302
    second = db.session.scalars(select(Question).order_by(Question.id.desc())).first()
    assert second.status == "pending"


def test_tags_managed_by_moderators(client, login, make_user, make_tag, csrf_token):
    old = make_tag("Huisvesting")
    login(make_user(site_role="moderator"))
    page = client.get("/forum/moderatie/onderwerpen")
    response = client.post("/forum/moderatie/onderwerpen",
                           data={"csrf_token": csrf_token(page), "name": "Zorg en welzijn"})
    assert response.status_code == 302
    assert db.session.scalar(select(ForumTag).where(ForumTag.slug == "zorg-en-welzijn"))
    duplicate = client.post("/forum/moderatie/onderwerpen",
                            data={"csrf_token": csrf_token(page), "name": "Zorg en welzijn"})
    assert duplicate.status_code == 422
    client.post(f"/forum/moderatie/onderwerpen/{old.id}", data={"csrf_token": csrf_token(page)})
    db.session.refresh(old)
    assert not old.is_active
    assert "Huisvesting" not in client.get("/forum/vragen/nieuw").get_data(as_text=True)


def test_members_cannot_manage_tags(client, login, make_user, csrf_token):
    login(make_user())
    assert client.get("/forum/moderatie/onderwerpen").status_code == 403


def test_cli_loads_default_tags_once(runner, forum_app):
    first = runner.invoke(args=["forum", "tags"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count(ForumTag.id)))
    assert count >= 12
    runner.invoke(args=["forum", "tags"])
    assert db.session.scalar(select(func.count(ForumTag.id))) == count


def test_approving_a_pending_answer_mails_followers(client, login, make_user, make_question,
                                                    make_answer, csrf_token, sent_mail):
    from kennisnet.forum.models import Follow

    asker = make_user()
    question = make_question(asker)
    db.session.add(Follow(question_id=question.id, user_id=asker.id))
    answer = make_answer(question, make_user(), status="pending")
    login(make_user(site_role="moderator"))
    assert sent_mail() == []
    _moderate(client, csrf_token, f"/forum/moderatie/antwoord/{answer.id}/approve")
    db.session.refresh(answer)
    assert answer.status == "published"
    assert [mail["To"] for mail in sent_mail()] == [asker.email]


def test_moderation_queue_links_reports_to_their_post(client, login, make_user, make_question,
                                                      make_answer):
    question = make_question(make_user())
    answer = make_answer(question, make_user())
    db.session.add(Report(post_type="answer", post_id=answer.id, reporter_id=make_user().id,
                          reason="Noemt een zieke buurvrouw bij naam"))
    db.session.commit()
    login(make_user(site_role="moderator"))
    page = client.get("/forum/moderatie").get_data(as_text=True)
    assert "Noemt een zieke buurvrouw bij naam" in page
    assert f"/forum/vraag/{question.id}#antwoord-{answer.id}" in page
