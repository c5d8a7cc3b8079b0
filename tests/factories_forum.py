"""Forum fixtures: tags, questions and answers made directly, and posting through HTTP."""

import re

import pytest

from kennisnet.extensions import db
from kennisnet.forum.models import Answer, ForumTag, Question


@pytest.fixture
def forum_app(app):
    """The app with the bot guards relaxed for speed; tests of those guards set them back."""
    app.config.update(FORUM_MIN_FILL_SECONDS=0, FORUM_APPROVALS_BEFORE_TRUSTED=0,
                      FORUM_POST_LIMIT=1000)
    return app


@pytest.fixture
def make_tag(forum_app):
    def factory(name="Samenwerking gemeente", slug=None, is_active=True):
        tag = ForumTag(name=name, slug=slug or re.sub(r"[^a-z0-9]+", "-", name.lower()),
                       is_active=is_active)
        db.session.add(tag)
        db.session.commit()
        return tag

    return factory


@pytest.fixture
def make_question(forum_app):
    def factory(author, title="Hoe regelen we vervoer voor ouderen?", body="Wie heeft ervaring?",
                tags=(), tip=None, organisation=None, **values):
        question = Question(title=title, author_id=author.id, tip=tip, organisation=organisation,
                            **values)
        question.set_body(body)
        question.tags = list(tags)
        db.session.add(question)
        db.session.commit()
        return question

    return factory


@pytest.fixture
def make_answer(forum_app):
    def factory(question, author, body="Wij werken met vrijwillige chauffeurs.", **values):
        answer = Answer(question_id=question.id, author_id=author.id, **values)
        answer.set_body(body)
        db.session.add(answer)
        db.session.commit()
        return answer

    return factory


def form_fields(response) -> dict:
    """The hidden fields of the page's forum form (csrf token, one-time submission token)."""
    html = response.get_data(as_text=True)
    fields = {}
    for name in ("csrf_token", "form_token"):
        match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html) or re.search(
            rf'id="{name}" name="{name}" type="hidden" value="([^"]+)"', html)
        if match:
            fields[name] = match.group(1)
    return fields


def ask_via_form(client, **data):
    page = client.get("/forum/vragen/nieuw")
    assert page.status_code == 200
    payload = {**form_fields(page), "title": "Hoe regelen we vervoer voor ouderen in het dorp?",
               "body": "Wij zoeken ervaringen.", **data}
    return client.post("/forum/vragen/nieuw", data=payload)


def answer_via_form(client, question, **data):
    page = client.get(f"/forum/vraag/{question.id}")
    assert page.status_code == 200
    payload = {**form_fields(page), "body": "Begin klein, met een paar vaste chauffeurs.", **data}
    return client.post(f"/forum/vraag/{question.id}/antwoord", data=payload)
