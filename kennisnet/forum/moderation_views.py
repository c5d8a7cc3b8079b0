"""Moderator pages: the queue, state changes, move, merge, undo and the managed tag list."""

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kennisnet.extensions import db
from kennisnet.forum import moderation, queries
from kennisnet.forum.blueprint import bp, post_route
from kennisnet.forum.forms import MergeForm, MoveForm, NoteForm, TagForm
from kennisnet.forum.helpers import get_or_404
from kennisnet.forum.models import Answer, ForumTag, ModerationAction, Question
from kennisnet.forum.post_views import post_url
from kennisnet.forum.services import ForumError, slugify
from kennisnet.permissions import can_moderate_forum, require

STATE_ACTIONS = ("hide", "restore", "approve", "lock", "unlock", "close", "reopen")


def _moderator_only() -> None:
    require(can_moderate_forum(current_user))


def _load(kind: str, post_id: int):
    return get_or_404(Question if kind == "vraag" else Answer, post_id)


@bp.route("/forum/moderatie")
def moderation_queue():
    _moderator_only()
    pending_questions, pending_answers = queries.pending_posts()
    hidden_questions, hidden_answers = queries.hidden_posts()
    return render_template(
        "forum/moderation.html", pending_questions=pending_questions,
        pending_answers=pending_answers, hidden_questions=hidden_questions,
        hidden_answers=hidden_answers, reports=queries.open_reports(),
        log=queries.moderation_log(50), note_form=NoteForm(), post_url=post_url,
    )


@post_route("/forum/moderatie/{kind}/<int:post_id>/<action>",
          methods=["POST"])
def moderate(kind, post_id, action):
    _moderator_only()
    if action not in STATE_ACTIONS:
        abort(404)
    post = _load(kind, post_id)
    form = NoteForm()
    try:
        moderation.set_state(current_user, post, action, (form.note.data or "").strip())
    except ForumError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("forum.moderation_queue"))
    db.session.commit()
    flash(_("Gedaan. De actie staat in het logboek en kan ongedaan worden gemaakt."), "success")
    if request.form.get("terug") == "wachtrij":
        return redirect(url_for("forum.moderation_queue"))
    return redirect(post_url(post))


def _target_question(value: str) -> Question | None:
    digits = re.sub(r"\D", "", value or "")
    if not digits or len(digits) > 9:
        return None
    return db.session.get(Question, int(digits))


@bp.route("/forum/moderatie/antwoord/<int:post_id>/verplaatsen", methods=["GET", "POST"])
def move(post_id):
    _moderator_only()
    answer = _load("antwoord", post_id)
    return _retarget(answer, MoveForm(), moderation.move_answer, "forum/move.html")


@bp.route("/forum/moderatie/vraag/<int:post_id>/samenvoegen", methods=["GET", "POST"])
def merge(post_id):
    _moderator_only()
    question = _load("vraag", post_id)
    return _retarget(question, MergeForm(), moderation.merge_questions, "forum/merge.html")


def _retarget(post, form, action, template: str):
    error = ""
    if form.validate_on_submit():
        target = _target_question(form.target.data)
        if target is None or target.deleted_at is not None:
            error = _("Er is geen vraag met dit nummer.")
        else:
            try:
                action(current_user, post, target)
            except ForumError as problem:
                db.session.rollback()
                error = str(problem)
            else:
                db.session.commit()
                flash(_("Gedaan. De actie staat in het logboek en kan ongedaan worden gemaakt."),
                      "success")
                return redirect(url_for("forum.question", question_id=target.id))
    status = 422 if form.is_submitted() else 200
    return render_template(template, post=post, form=form, error=error,
                           back=post_url(post)), status


@bp.route("/forum/moderatie/logboek/<int:action_id>/ongedaan", methods=["POST"])
def undo(action_id):
    _moderator_only()
    action = get_or_404(ModerationAction, action_id)
    try:
        moderation.undo(current_user, action)
    except ForumError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("De actie is ongedaan gemaakt."), "success")
    return redirect(url_for("forum.moderation_queue"))


@bp.route("/forum/moderatie/onderwerpen", methods=["GET", "POST"])
def tags():
    _moderator_only()
    form = TagForm()
    status = 200
    if form.validate_on_submit():
        name = form.name.data.strip()
        slug = slugify(name)
        if db.session.scalar(select(ForumTag.id).where(ForumTag.slug == slug)) is not None:
            form.name.errors.append(_("Dit onderwerp bestaat al."))
        else:
            db.session.add(ForumTag(name=name, slug=slug))
            db.session.commit()
            flash(_("Het onderwerp is toegevoegd."), "success")
            return redirect(url_for("forum.tags"))
    if form.is_submitted():
        status = 422
    return render_template("forum/tags.html", form=form,
                           tags=queries.all_tags(active_only=False)), status


@bp.route("/forum/moderatie/onderwerpen/<int:tag_id>", methods=["POST"])
def toggle_tag(tag_id):
    _moderator_only()
    tag = get_or_404(ForumTag, tag_id)
    tag.is_active = not tag.is_active
    db.session.commit()
    flash(_("Het onderwerp is aangepast."), "success")
    return redirect(url_for("forum.tags"))
