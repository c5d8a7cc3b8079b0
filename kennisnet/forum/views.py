"""The forum's pages: lists with feeds, the question page, asking and answering.

Editing, voting and moderation live in post_views.py and moderation_views.py on the same blueprint.
"""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kennisnet.extensions import db
from kennisnet.forum import feeds, guard, queries, services

# These modules add their routes to the shared blueprint when imported.
from kennisnet.forum import moderation_views, post_views  # noqa: F401  # isort: skip
from kennisnet.forum.blueprint import bp
from kennisnet.forum.forms import AnswerForm, QuestionForm
from kennisnet.forum.helpers import (
    FORM_INVALID,
    check_rate_limit,
    get_question,
    render_list,
    too_long_message,
)
from kennisnet.forum.models import Question
from kennisnet.forum.rendering import render_post
from kennisnet.forum.similar import similar_questions
from kennisnet.permissions import can_answer, can_ask, can_moderate_forum, public, require
from kennisnet.tips.models import Tip
from kennisnet.vocab import PROVINCES


@bp.route("/forum")
@public
def questions():
    return render_list(queries.newest_questions(), _("Vragen en ervaringen"), "newest",
                       feed=url_for("forum.feed_newest"))


@bp.route("/forum/onbeantwoord")
@public
def unanswered():
    return render_list(queries.unanswered_questions(), _("Vragen zonder antwoord"), "unanswered",
                       feed=url_for("forum.feed_unanswered"))


@bp.route("/forum/onderwerp/<slug>")
@public
def by_tag(slug):
    tag = queries.tag_by_slug(slug)
    if tag is None:
        abort(404)
    return render_list(queries.questions_with_tag(tag), _("Vragen over %(tag)s", tag=tag.name),
                       "tag", feed=url_for("forum.feed_tag", slug=slug), tag=tag)


@bp.route("/forum/provincie/<province>")
@public
def by_province(province):
    if province not in PROVINCES:
        abort(404)
    title = _("Vragen uit %(province)s", province=PROVINCES[province])
    return render_list(queries.questions_in_province(province), title, "province",
                       feed=url_for("forum.feed_province", province=province), province=province)


@bp.route("/forum/mijn-vragen")
def mine():
    require(can_ask(current_user))
    return render_list(queries.questions_by(current_user), _("Mijn vragen"), "mine",
                       feed=feeds.personal_feed_url(current_user))


@bp.route("/forum/vraag/<int:question_id>")
@public
def question(question_id):
    item = get_question(question_id)
    if item.merged_into_id is not None and not can_moderate_forum(current_user):
        return redirect(url_for("forum.question", question_id=item.merged_into_id), 301)
    form = None  # no CSRF token, so no session, for visitors: their page can be kept
    if can_answer(current_user, item):
        form = AnswerForm()
        form.form_token.data = guard.new_form_token()
    return render_question(item, form)


def render_question(item: Question, form: AnswerForm | None, status: int = 200, error: str = "",
                    preview=None):
    answers = queries.answers_for_page(item, current_user)
    return render_template(
        "forum/question.html", question=item, answers=answers, form=form, error=error,
        voted=queries.voted_answer_ids(current_user, [a.id for a in answers]),
        following=queries.is_following(current_user, item), preview=preview,
        answer_urls=_answer_url_patterns(),
    ), status


_PLACEHOLDER = 987654321


def _answer_url_patterns() -> dict[str, str]:
    """Per-answer addresses as str.format patterns: built once per page instead of several
    url_for() calls for each of possibly hundreds of answers."""
    endpoints = {
        "vote": ("forum.vote", "answer_id", {}), "accept": ("forum.accept", "answer_id", {}),
        "edit": ("forum.edit", "post_id", {"kind": "antwoord"}),
        "history": ("forum.history", "post_id", {"kind": "antwoord"}),
        "report": ("forum.report", "post_id", {"kind": "antwoord"}),
        "delete": ("forum.delete", "post_id", {"kind": "antwoord"}),
        "move": ("forum.move", "post_id", {}),
    }
    return {name: url_for(endpoint, **{key: _PLACEHOLDER}, **extra).replace(
        str(_PLACEHOLDER), "{}") for name, (endpoint, key, extra) in endpoints.items()}


@bp.route("/forum/vragen/nieuw", methods=["GET", "POST"])
def ask():
    require(can_ask(current_user))
    form = QuestionForm()
    _fill_question_choices(form)
    if request.method == "GET":
        form.form_token.data = guard.new_form_token()
        form.tip.data = request.args.get("tip", "")
        return _render_ask(form)
    message = too_long_message(form.title.data, form.body.data)
    if message:
        return _render_ask(form, error=message, status=400)
    if "preview" in request.form:
        form.validate()
        return _render_ask(form, preview=render_post(form.body.data),
                           similar=similar_questions(form.title.data or "", current_user))
    if not form.validate_on_submit():
        return _render_ask(form, status=FORM_INVALID)
    return _create_question(form)


def _create_question(form: QuestionForm):
    try:
        submission_id = guard.check_form(form.form_token.data, form.website.data)
    except services.ForumError as error:
        return _render_ask(form, error=str(error), status=FORM_INVALID)
    earlier = guard.earlier_result(submission_id)
    if earlier:
        return redirect(earlier)
    check_rate_limit(current_user)
    claim = guard.claim(submission_id, current_user.id)
    if claim is None:
        db.session.rollback()
        return redirect(guard.earlier_result(submission_id) or url_for("forum.mine"))
    try:
        item = services.ask_question(
            current_user, form.title.data.strip(), form.body.data,
            services.active_tags(form.tags.data), tip=_chosen_tip(form),
            organisation=_chosen_organisation(form))
    except services.ForumError as error:
        db.session.rollback()
        return _render_ask(form, error=str(error), status=FORM_INVALID)
    claim.url = url_for("forum.question", question_id=item.id)
    services.record_post(current_user)
    db.session.commit()
    _flash_posted(item.status)
    return redirect(claim.url)


def _flash_posted(status: str) -> None:
    if status == "pending":
        flash(_("Dank je! Omdat je nieuw bent, kijkt een moderator eerst naar je bericht. "
                "Daarna ziet iedereen het."), "success")
    else:
        flash(_("Je bericht staat op kennisnet."), "success")


def _fill_question_choices(form: QuestionForm) -> None:
    form.tags.choices = [(tag.slug, tag.name) for tag in queries.all_tags()]
    tips = db.session.scalars(db.select(Tip).order_by(Tip.phase.desc(), Tip.number)).all()
    form.tip.choices = [("", _("Geen tip"))] + [(tip.slug, tip.title) for tip in tips]
    organisations = queries.organisations_of(current_user)
    form.organisation.choices = [("", _("Geen initiatief"))] + [
        (str(org.id), org.name) for org in organisations]


def _chosen_tip(form: QuestionForm):
    if not form.tip.data:
        return None
    return db.session.scalar(db.select(Tip).where(Tip.slug == form.tip.data))


def _chosen_organisation(form: QuestionForm):
    wanted = form.organisation.data
    return next((org for org in queries.organisations_of(current_user) if str(org.id) == wanted),
                None)


def _render_ask(form, error: str = "", status: int = 200, preview=None, similar=None):
    return render_template("forum/ask.html", form=form, error=error, preview=preview,
                           similar=similar or []), status


@bp.route("/forum/vraag/<int:question_id>/antwoord", methods=["POST"])
def answer(question_id):
    item = get_question(question_id)
    require(can_answer(current_user, item))
    form = AnswerForm()
    message = too_long_message(None, form.body.data)
    if message:
        return render_question(item, form, status=400, error=message)
    if "preview" in request.form:
        form.validate()
        return render_question(item, form, preview=render_post(form.body.data))
    if not form.validate_on_submit():
        return render_question(item, form, status=FORM_INVALID)
    return _create_answer(item, form)


def _create_answer(item: Question, form: AnswerForm):
    try:
        submission_id = guard.check_form(form.form_token.data, form.website.data)
    except services.ForumError as error:
        return render_question(item, form, status=FORM_INVALID, error=str(error))
    earlier = guard.earlier_result(submission_id)
    if earlier:
        return redirect(earlier)
    check_rate_limit(current_user)
    claim = guard.claim(submission_id, current_user.id)
    if claim is None:
        db.session.rollback()
        return redirect(guard.earlier_result(submission_id) or url_for("forum.question",
                                                                       question_id=item.id))
    try:
        new = services.post_answer(current_user, item, form.body.data)
    except services.ForumError as error:
        db.session.rollback()
        return render_question(item, form, status=FORM_INVALID, error=str(error))
    claim.url = url_for("forum.question", question_id=item.id, _anchor=f"antwoord-{new.id}")
    services.record_post(current_user)
    db.session.commit()
    _flash_posted(new.status)
    return redirect(claim.url)


@bp.route("/forum/vergelijkbaar")
@public
def similar():
    """Questions like the title being typed, as JSON for the ask form's suggestions."""
    found = similar_questions(request.args.get("titel", ""), current_user)
    return jsonify([{"title": q.title, "url": url_for("forum.question", question_id=q.id)}
                    for q in found])


@bp.route("/forum/provincie")
@public
def province_redirect():
    province = request.args.get("provincie", "")
    if province not in PROVINCES:
        return redirect(url_for("forum.questions"))
    return redirect(url_for("forum.by_province", province=province))
