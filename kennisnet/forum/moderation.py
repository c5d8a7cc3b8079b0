"""Moderator actions. Each one writes an audit row with every field's value before and after,
so it can be shown (who, when, what) and undone by writing the befores back."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.forum.models import Answer, ModerationAction, Question, Report
from kennisnet.forum.services import ForumError, edit_post, notify_followers

DATETIME_FIELDS = {"deleted_at"}
ACTIONS = ("hide", "restore", "approve", "lock", "unlock", "close", "reopen", "edit", "move",
           "merge")


def _to_json(field: str, value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _from_json(field: str, value):
    if field in DATETIME_FIELDS and value is not None:
        return datetime.fromisoformat(value)
    return value


class _Recorder:
    """Collects field changes of one action; set() changes a field and remembers both values."""

    def __init__(self):
        self.changes: list[list] = []

    def set(self, post, field: str, value) -> None:
        before = getattr(post, field)
        if before == value:
            return
        self.changes.append([post.post_type, post.id, field, _to_json(field, before),
                             _to_json(field, value)])
        if field == "body":
            post.set_body(value)
        else:
            setattr(post, field, value)


def _log(moderator, action: str, post, recorder: _Recorder, note: str = "") -> ModerationAction:
    row = ModerationAction(moderator_id=moderator.id, action=action, post_type=post.post_type,
                           post_id=post.id, note=note, changes=recorder.changes)
    db.session.add(row)
    db.session.flush()
    return row


def _resolve_reports(post) -> None:
    db.session.execute(update(Report).where(
        Report.post_type == post.post_type, Report.post_id == post.id,
        Report.resolved_at.is_(None)).values(resolved_at=utcnow()))


def set_state(moderator, post, action: str, note: str = "") -> ModerationAction:
    """hide, restore, approve, lock, unlock, close or reopen a post."""
    recorder = _Recorder()
    if action == "hide":
        recorder.set(post, "is_hidden", True)
        _resolve_reports(post)
    elif action == "restore":
        recorder.set(post, "is_hidden", False)
        recorder.set(post, "deleted_at", None)
        _resolve_reports(post)
    elif action == "approve":
        recorder.set(post, "status", "published")
    elif action in ("lock", "unlock", "close", "reopen") and post.post_type == "question":
        field = "is_locked" if action in ("lock", "unlock") else "is_closed"
        recorder.set(post, field, action in ("lock", "close"))
    else:
        raise ForumError(_("Deze actie kan hier niet."))
    row = _log(moderator, action, post, recorder, note)
    if action == "approve" and post.post_type == "answer" and recorder.changes:
        notify_followers(post.question, post)
    return row


def moderator_edit(moderator, post, body: str, title: str | None = None) -> ModerationAction:
    recorder = _Recorder()
    before_title, before_body = getattr(post, "title", None), post.body
    edit_post(moderator, post, body, title)  # keeps the revision history complete
    if title is not None and before_title != post.title:
        recorder.changes.append(["question", post.id, "title", before_title, post.title])
    if before_body != post.body:
        recorder.changes.append([post.post_type, post.id, "body", before_body, post.body])
    return _log(moderator, "edit", post, recorder)


def move_answer(moderator, answer: Answer, target: Question) -> ModerationAction:
    if target.id == answer.question_id:
        raise ForumError(_("Het antwoord staat al bij deze vraag."))
    recorder = _Recorder()
    recorder.set(answer, "is_accepted", False)
    recorder.set(answer, "question_id", target.id)
    target.last_activity_at = utcnow()
    return _log(moderator, "move", answer, recorder)


def merge_questions(moderator, duplicate: Question, target: Question) -> ModerationAction:
    """Move every answer of the duplicate to the target and close the duplicate."""
    if duplicate.id == target.id or target.merged_into_id is not None:
        raise ForumError(_("Kies een andere vraag om mee samen te voegen."))
    recorder = _Recorder()
    answers = db.session.scalars(select(Answer).where(Answer.question_id == duplicate.id))
    for answer in answers:
        recorder.set(answer, "is_accepted", False)
        recorder.set(answer, "question_id", target.id)
    recorder.set(duplicate, "merged_into_id", target.id)
    recorder.set(duplicate, "is_closed", True)
    target.last_activity_at = utcnow()
    return _log(moderator, "merge", duplicate, recorder)


def undo(moderator, action: ModerationAction) -> None:
    """Write back every value the action changed; refuses when something changed since."""
    if action.undone_at is not None:
        raise ForumError(_("Deze actie is al ongedaan gemaakt."))
    posts = {}
    for post_type, post_id, field, _before, after in action.changes:
        model = Question if post_type == "question" else Answer
        post = posts.setdefault((post_type, post_id), db.session.get(model, post_id))
        if post is None or _to_json(field, getattr(post, field)) != after:
            raise ForumError(_("Dit kan niet meer ongedaan worden gemaakt: het bericht is "
                               "daarna nog veranderd."))
    text_restores: dict = {}
    for post_type, post_id, field, before, _after in reversed(action.changes):
        post = posts[(post_type, post_id)]
        value = _from_json(field, before)
        if field in ("body", "title"):
            text_restores.setdefault(post, {})[field] = value
        else:
            setattr(post, field, value)
    for post, fields in text_restores.items():
        # Through edit_post, so the restored text shows up in the post's edit history too.
        edit_post(moderator, post, fields.get("body", post.body), fields.get("title"))
    action.undone_at = utcnow()
    action.undone_by_id = moderator.id
    db.session.flush()
