"""Changes to questions and answers. Services flush; the view commits once."""

import re
import unicodedata
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from kennisnet import permissions, ratelimit
from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.forum.models import Answer, Follow, ForumTag, Question, Report, Revision, Vote
from kennisnet.forum.rendering import has_link
from kennisnet.mail import send_mail

APPROVALS_BEFORE_TRUSTED = 2  # a new member's first two posts wait for a moderator
AUTO_HIDE_REPORTERS = 3


class ForumError(Exception):
    """A request the rules refuse; the message is Dutch and shown to the member."""


def approved_post_count(user) -> int:
    questions = select(func.count(Question.id)).where(
        Question.author_id == user.id, Question.status == "published")
    answers = select(func.count(Answer.id)).where(
        Answer.author_id == user.id, Answer.status == "published")
    return db.session.scalar(questions) + db.session.scalar(answers)


def approvals_before_trusted() -> int:
    return int(current_app.config.get("FORUM_APPROVALS_BEFORE_TRUSTED", APPROVALS_BEFORE_TRUSTED))


def needs_approval(user) -> bool:
    required = approvals_before_trusted()
    return bool(required) and not permissions.is_moderator(user) and (
        approved_post_count(user) < required)


def check_links_allowed(user, *texts: str) -> None:
    """New members may post links only once a moderator approved one of their posts."""
    if permissions.is_moderator(user) or not approvals_before_trusted() or not has_link(*texts):
        return
    if approved_post_count(user) == 0:
        raise ForumError(_("Je kunt nog geen links plaatsen. Dat kan zodra een moderator een "
                           "bericht van je heeft goedgekeurd. Haal de link weg en probeer het "
                           "opnieuw."))


def active_tags(slugs) -> list[ForumTag]:
    if not slugs:
        return []
    return list(db.session.scalars(select(ForumTag).where(
        ForumTag.slug.in_(list(slugs)), ForumTag.is_active.is_(True))))


def ask_question(author, title: str, body: str, tags, tip=None, organisation=None) -> Question:
    check_links_allowed(author, title, body)
    question = Question(title=title, author_id=author.id, tip=tip, organisation=organisation,
                        status="pending" if needs_approval(author) else "published")
    question.set_body(body)
    question.tags = list(tags)
    db.session.add(question)
    db.session.flush()
    follow(author, question)
    return question


def post_answer(author, question: Question, body: str) -> Answer:
    check_links_allowed(author, body)
    answer = Answer(question_id=question.id, question=question, author_id=author.id,
                    status="pending" if needs_approval(author) else "published")
    answer.set_body(body)
    db.session.add(answer)
    question.last_activity_at = utcnow()
    db.session.flush()
    if answer.status == "published":
        notify_followers(question, answer)
    return answer


def edit_post(editor, post, body: str, title: str | None = None) -> Revision | None:
    """Change a post and keep what it was; returns None when nothing changed."""
    title_before = getattr(post, "title", "")
    new_title = title if title is not None else title_before
    if body == post.body and new_title == title_before:
        return None
    if not permissions.is_moderator(editor):
        check_links_allowed(editor, new_title, body)
    revision = Revision(post_type=post.post_type, post_id=post.id, editor_id=editor.id,
                        title_before=title_before, title_after=new_title,
                        body_before=post.body, body_after=body)
    db.session.add(revision)
    if title is not None:
        post.title = title
    post.set_body(body)
    post.edited_at = utcnow()
    db.session.flush()
    return revision


def delete_post(post) -> None:
    """Soft delete: the row stays for moderators and the audit trail."""
    post.deleted_at = utcnow()
    if post.post_type == "answer":
        post.is_accepted = False
    db.session.flush()


def set_vote(user, answer: Answer, wanted: bool) -> None:
    """Give or take back the user's vote. The form says which, so a double click or a retried
    request changes nothing the second time (a toggle would undo the first click)."""
    existing = db.session.get(Vote, (answer.id, user.id))
    if wanted and existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(Vote(answer_id=answer.id, user_id=user.id))
        except IntegrityError:
            return  # a parallel request of the same member voted first
        answer.vote_count = Answer.vote_count + 1
    elif not wanted and existing is not None:
        db.session.delete(existing)
        answer.vote_count = Answer.vote_count - 1
    db.session.flush()


def set_accepted(answer: Answer, wanted: bool) -> None:
    """Mark the answer as the accepted one (only one per question), or unmark it."""
    if wanted:
        others = db.session.scalars(select(Answer).where(
            Answer.question_id == answer.question_id, Answer.is_accepted.is_(True),
            Answer.id != answer.id))
        for other in others:
            other.is_accepted = False
    answer.is_accepted = wanted
    db.session.flush()


def follow(user, question: Question) -> None:
    if db.session.get(Follow, (question.id, user.id)) is None:
        db.session.add(Follow(question_id=question.id, user_id=user.id))
        db.session.flush()


def unfollow(user_id: int, question_id: int) -> None:
    db.session.execute(delete(Follow).where(Follow.user_id == user_id,
                                            Follow.question_id == question_id))


def _unfollow_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="forum-unfollow")


def unfollow_token(user_id: int, question_id: int) -> str:
    return _unfollow_serializer().dumps([user_id, question_id])


def read_unfollow_token(token: str) -> tuple[int, int] | None:
    try:
        user_id, question_id = _unfollow_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return int(user_id), int(question_id)


def notify_followers(question: Question, answer: Answer) -> int:
    """Mail every follower except the answer's author; the mail holds links, never post text
    (posts may hold personal or health information). Returns how many were sent."""
    follows = db.session.scalars(select(Follow).where(
        Follow.question_id == question.id, Follow.user_id != answer.author_id)).all()
    base = current_app.config["BASE_URL"].rstrip("/")
    link = base + url_for("forum.question", question_id=question.id,
                          _anchor=f"antwoord-{answer.id}")
    for item in follows:
        stop = base + url_for("forum.unfollow", token=unfollow_token(item.user_id, question.id))
        body = _("Er is een nieuw antwoord op een vraag die je volgt.\n\n"
                 "Lees het hier (log in als dat nodig is):\n%(link)s\n\n"
                 "Wil je geen berichten meer over deze vraag? Klik dan hier:\n%(stop)s\n",
                 link=link, stop=stop)
        send_mail(item.user.email, _("Nieuw antwoord op een vraag die je volgt"), body)
    return len(follows)


def report_post(user, post, reason: str) -> bool:
    """Record a report; returns True when this report hid the post (three different members)."""
    exists = db.session.scalar(select(Report.id).where(
        Report.post_type == post.post_type, Report.post_id == post.id,
        Report.reporter_id == user.id))
    if exists is not None:
        raise ForumError(_("Je hebt dit bericht al gemeld. Een moderator kijkt ernaar."))
    try:
        with db.session.begin_nested():
            db.session.add(Report(post_type=post.post_type, post_id=post.id,
                                  reporter_id=user.id, reason=reason))
    except IntegrityError as error:  # the same member's parallel request got there first
        raise ForumError(_("Je hebt dit bericht al gemeld. Een moderator kijkt ernaar.")) from error
    reporters = db.session.scalar(select(func.count(func.distinct(Report.reporter_id))).where(
        Report.post_type == post.post_type, Report.post_id == post.id,
        Report.resolved_at.is_(None)))
    if reporters >= AUTO_HIDE_REPORTERS and not post.is_hidden:
        post.is_hidden = True
        db.session.flush()
        return True
    return False


def record_post(user) -> None:
    ratelimit.record_attempt(rate_limit_key(user))


def rate_limit_key(user) -> str:
    return f"forum-post:{user.id}"


def post_window() -> timedelta:
    return timedelta(seconds=current_app.config.get("FORUM_POST_WINDOW_SECONDS", 600))


def post_limit() -> int:
    return int(current_app.config.get("FORUM_POST_LIMIT", 8))


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80] or "onderwerp"


def ensure_tags(names) -> int:
    """Add the named topics that do not exist yet; returns how many were added."""
    existing = set(db.session.scalars(select(ForumTag.slug)))
    added = 0
    for name in names:
        slug = slugify(name)
        if slug not in existing:
            db.session.add(ForumTag(name=name, slug=slug))
            existing.add(slug)
            added += 1
    db.session.flush()
    return added
