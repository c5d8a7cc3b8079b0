"""What members do with existing posts: edit, delete, history, vote, accept, follow, report."""

import difflib

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kennisnet.extensions import db
from kennisnet.forum import moderation, queries, services
from kennisnet.forum.blueprint import bp, post_route
from kennisnet.forum.forms import EditAnswerForm, EditQuestionForm, ReportForm
from kennisnet.forum.helpers import (
    FORM_INVALID,
    get_answer,
    get_post,
    get_question,
    too_long_message,
)
from kennisnet.permissions import (
    can_accept,
    can_delete_post,
    can_edit_post,
    can_follow,
    can_report,
    can_view_post,
    can_vote,
    is_moderator,
    public,
    require,
)


def post_url(post) -> str:
    if post.post_type == "question":
        return url_for("forum.question", question_id=post.id)
    return url_for("forum.question", question_id=post.question_id, _anchor=f"antwoord-{post.id}")


@post_route("/forum/{kind}/<int:post_id>/bewerken", methods=["GET", "POST"])
def edit(kind, post_id):
    post = get_post(kind, post_id)
    require(can_edit_post(current_user, post))
    is_question = post.post_type == "question"
    form = (EditQuestionForm if is_question else EditAnswerForm)(obj=post)
    if request.method == "POST":
        message = too_long_message(form.title.data if is_question else None, form.body.data)
        if message:
            return _render_edit(post, form, message, 400)
        if form.validate_on_submit():
            return _save_edit(post, form, is_question)
        return _render_edit(post, form, "", FORM_INVALID)
    return _render_edit(post, form, "", 200)


def _save_edit(post, form, is_question: bool):
    title = form.title.data.strip() if is_question else None
    try:
        if is_moderator(current_user) and post.author_id != current_user.id:
            moderation.moderator_edit(current_user, post, form.body.data, title)
        else:
            services.edit_post(current_user, post, form.body.data, title)
    except services.ForumError as error:
        db.session.rollback()
        return _render_edit(post, form, str(error), FORM_INVALID)
    db.session.commit()
    flash(_("Je wijziging is opgeslagen."), "success")
    return redirect(post_url(post))


def _render_edit(post, form, error: str, status: int):
    return render_template("forum/edit.html", post=post, form=form, error=error), status


@post_route("/forum/{kind}/<int:post_id>/verwijderen", methods=["POST"])
def delete(kind, post_id):
    post = get_post(kind, post_id)
    require(can_delete_post(current_user, post))
    services.delete_post(post)
    db.session.commit()
    flash(_("Het bericht is verwijderd."), "success")
    if post.post_type == "question":
        return redirect(url_for("forum.mine"))
    return redirect(url_for("forum.question", question_id=post.question_id))


@post_route("/forum/{kind}/<int:post_id>/geschiedenis")
@public
def history(kind, post_id):
    post = get_post(kind, post_id)
    revisions = queries.revisions_of(post)
    changes = [(revision, _diff(revision)) for revision in revisions]
    return render_template("forum/history.html", post=post, changes=changes,
                           back=post_url(post))


def _diff(revision) -> list[tuple[str, str]]:
    """(kind, line) pairs: kind is 'add', 'del' or 'same', for a readable line diff."""
    before = ([f"# {revision.title_before}"] if revision.title_before else []) + \
        revision.body_before.splitlines()
    after = ([f"# {revision.title_after}"] if revision.title_after else []) + \
        revision.body_after.splitlines()
    lines = []
    for line in difflib.ndiff(before, after):
        marker, text = line[:1], line[2:]
        if marker == "?":
            continue
        lines.append(({"+": "add", "-": "del"}.get(marker, "same"), text))
    return lines


@bp.route("/forum/antwoord/<int:answer_id>/stem", methods=["POST"])
def vote(answer_id):
    answer = get_answer(answer_id)
    require(can_vote(current_user, answer))
    wanted = request.form.get("stem") != "0"
    services.set_vote(current_user, answer, wanted)
    db.session.commit()
    flash(_("Je stem is geteld.") if wanted else _("Je stem is weggehaald."), "success")
    return redirect(post_url(answer))


@bp.route("/forum/antwoord/<int:answer_id>/accepteren", methods=["POST"])
def accept(answer_id):
    answer = get_answer(answer_id)
    require(can_accept(current_user, answer))
    accepted = request.form.get("beste") != "0"
    services.set_accepted(answer, accepted)
    db.session.commit()
    flash(_("Dit antwoord staat nu bovenaan als beste antwoord.") if accepted
          else _("Dit antwoord is niet meer het beste antwoord."), "success")
    return redirect(post_url(answer))


@bp.route("/forum/vraag/<int:question_id>/volgen", methods=["POST"])
def follow(question_id):
    item = get_question(question_id)
    require(can_follow(current_user, item))
    if request.form.get("stop"):
        services.unfollow(current_user.id, item.id)
        flash(_("Je volgt deze vraag niet meer."), "success")
    else:
        services.follow(current_user, item)
        flash(_("Je krijgt een e-mail als er een nieuw antwoord is."), "success")
    db.session.commit()
    return redirect(post_url(item))


@bp.route("/forum/afmelden/<token>", methods=["GET", "POST"])
@public
def unfollow(token):
    """The link in the mail: one click on the page's button stops the mails (GET never writes)."""
    found = services.read_unfollow_token(token)
    if found is None:
        return render_template("forum/unfollow.html", valid=False, done=False), 404
    if request.method == "POST":
        services.unfollow(*found)
        db.session.commit()
        return render_template("forum/unfollow.html", valid=True, done=True)
    return render_template("forum/unfollow.html", valid=True, done=False)


@post_route("/forum/{kind}/<int:post_id>/melden", methods=["GET", "POST"])
def report(kind, post_id):
    post = get_post(kind, post_id)
    require(can_report(current_user, post))
    form = ReportForm()
    if not form.validate_on_submit():
        status = FORM_INVALID if form.is_submitted() else 200
        return render_template("forum/report.html", post=post, form=form, error="",
                               back=post_url(post)), status
    try:
        services.report_post(current_user, post, form.reason.data.strip())
    except services.ForumError as error:
        db.session.rollback()
        return render_template("forum/report.html", post=post, form=form, error=str(error),
                               back=post_url(post)), FORM_INVALID
    db.session.commit()
    flash(_("Dank je voor je melding. Een moderator kijkt ernaar."), "success")
    if not can_view_post(current_user, post):
        return redirect(url_for("forum.questions"))
    return redirect(post_url(post))
