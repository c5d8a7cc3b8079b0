"""Loading and checks the forum's view modules share."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from kennisnet import ratelimit
from kennisnet.errors import too_many_requests
from kennisnet.extensions import db
from kennisnet.forum import queries, services
from kennisnet.forum.models import BODY_MAX, TITLE_MAX, Answer, Question
from kennisnet.permissions import can_view_post, is_moderator, require
from kennisnet.routing import page_arg

FORM_INVALID = 422
MAX_ID = 2**31 - 1  # larger numbers cannot be ids; PostgreSQL would refuse them with an error


def get_or_404(model, item_id: int):
    item = db.session.get(model, item_id) if 0 < item_id <= MAX_ID else None
    if item is None:
        abort(404)
    return item


def get_question(question_id: int) -> Question:
    """The question, 404 when it does not exist, 403 when this visitor may not see it."""
    item = get_or_404(Question, question_id)
    require(can_view_post(current_user, item))
    return item


def get_answer(answer_id: int) -> Answer:
    item = get_or_404(Answer, answer_id)
    require(can_view_post(current_user, item) and can_view_post(current_user, item.question))
    return item


def get_post(post_type: str, post_id: int):
    if post_type == "vraag":
        return get_question(post_id)
    if post_type == "antwoord":
        return get_answer(post_id)
    abort(404)


def too_long_message(title: str | None, body: str | None) -> str:
    """A Dutch message when the title or body is over the limit, else ''."""
    if title and len(title) > TITLE_MAX:
        return _("De titel is te lang: maximaal %(max)d tekens. Maak hem korter.", max=TITLE_MAX)
    if body and len(body) > BODY_MAX:
        return _("Je tekst is te lang: maximaal %(max)s tekens. Maak hem korter of verdeel hem "
                 "over meer berichten.", max="32.000")
    return ""


def check_rate_limit(user) -> None:
    """Raise a friendly 429 with the wait time when the member posts too often."""
    if is_moderator(user):
        return
    wait = ratelimit.seconds_until_allowed(services.rate_limit_key(user), services.post_limit(),
                                           services.post_window())
    if wait:
        raise too_many_requests(wait)


def page_number() -> int:
    return page_arg(request.args.get("pagina", 1, type=int))


def render_list(statement, title: str, view: str, feed: str, **extra):
    pagination = queries.paginate(statement, page_number())
    counts = queries.answer_counts([q.id for q in pagination.items])
    return render_template("forum/list.html", pagination=pagination, title=title, view=view,
                           feed_url=feed, counts=counts, tags=queries.all_tags(), **extra)
