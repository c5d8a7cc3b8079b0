"""Atom feeds for every question list. Feed readers cannot log in, so "mijn vragen" has a
feed at a signed, personal address instead."""

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from kennisnet.accounts.models import User
from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.forum import queries
from kennisnet.forum.blueprint import bp
from kennisnet.forum.models import Question
from kennisnet.markdown import plain_text
from kennisnet.permissions import public
from kennisnet.vocab import PROVINCES

FEED_SIZE = 30


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="forum-personal-feed")


def personal_feed_url(user) -> str:
    return url_for("forum.feed_mine", token=_serializer().dumps(user.id))


def _atom(statement, title: str, page_url: str) -> Response:
    items = list(db.session.scalars(statement.limit(FEED_SIZE)))
    updated = max((q.last_activity_at for q in items), default=utcnow())
    xml = render_template("forum/feed.xml", items=items, title=title,
                          page_url=request.host_url.rstrip("/") + page_url,
                          updated=updated, summary=lambda q: plain_text(q.body)[:500])
    return Response(xml, content_type="application/atom+xml; charset=utf-8")


@bp.route("/forum/atom")
@public
def feed_newest():
    return _atom(queries.newest_questions(), _("Vragen en ervaringen"), url_for("forum.questions"))


@bp.route("/forum/onbeantwoord/atom")
@public
def feed_unanswered():
    return _atom(queries.unanswered_questions(), _("Vragen zonder antwoord"),
                 url_for("forum.unanswered"))


@bp.route("/forum/onderwerp/<slug>/atom")
@public
def feed_tag(slug):
    tag = queries.tag_by_slug(slug)
    if tag is None:
        abort(404)
    return _atom(queries.questions_with_tag(tag), _("Vragen over %(tag)s", tag=tag.name),
                 url_for("forum.by_tag", slug=slug))


@bp.route("/forum/provincie/<province>/atom")
@public
def feed_province(province):
    if province not in PROVINCES:
        abort(404)
    return _atom(queries.questions_in_province(province),
                 _("Vragen uit %(province)s", province=PROVINCES[province]),
                 url_for("forum.by_province", province=province))


@bp.route("/forum/mijn-vragen/atom/<token>")
@public
def feed_mine(token):
    try:
        user_id = int(_serializer().loads(token))
    except (BadSignature, ValueError, TypeError):
        abort(404)
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        abort(404)
    # Only published questions: the feed address may travel further than the member's login.
    return _atom(queries.newest_questions().where(Question.author_id == user.id),
                 _("Mijn vragen"), url_for("forum.mine"))
