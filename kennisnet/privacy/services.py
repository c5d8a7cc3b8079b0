"""Account erasure (AVG art. 17): anonymise, or delete the user's posts and files as well.

What happens to each column that refers to a user is written down in ON_ERASE, one entry per
foreign key in the schema; tests fail when a new one is missing, so nobody adds a user-linked
table without deciding what erasure does with it. The user row itself stays as a tombstone
("Verwijderd lid") without name, e-mail, password or profile, so kept posts, revisions and the
moderation log keep a valid author. Services flush; the view commits once.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, select, text, update

from kennisnet import ratelimit
from kennisnet.accounts import services as account_services
from kennisnet.accounts.models import RateLimitHit, User
from kennisnet.database import BUSY_TIMEOUT_MS, utcnow
from kennisnet.extensions import db
from kennisnet.privacy.export import user_foreign_keys
from kennisnet.search import request_purge

ANONYMOUS_NAME = "Verwijderd lid"
CHECKPOINT_WAIT_MS = 1000
ERASED_EMAIL_DOMAIN = "kennisnet.invalid"

KEEP, NULL, DELETE = "keep", "null", "delete"

# "table.column" -> (what erasure does with rows pointing at the user, why).
ON_ERASE: dict[str, tuple[str, str]] = {
    "document.owner_id": (NULL, "the library keeps the document (delete mode removed it first)"),
    "document_version.uploaded_by_id": (NULL, "the version stays with its document"),
    "document_report.user_id": (NULL, "moderators keep the report, without the reporter"),
    "event.created_by_id": (NULL, "the event belongs to its organisation"),
    "event_calendar_token.user_id": (DELETE, "a secret feed link"),
    "event_registration.user_id": (DELETE, "personal data; cancelled first so the waiting "
                                           "list moves up"),
    "event_registration.registered_by_id": (NULL, "someone else's registration stays theirs"),
    "forum_answer.author_id": (KEEP, "kept posts show the tombstone (delete mode removed them)"),
    "forum_question.author_id": (KEEP, "kept posts show the tombstone (delete mode removed "
                                       "those nobody else answered)"),
    "forum_follow.user_id": (DELETE, "a notification preference"),
    "forum_vote.user_id": (DELETE, "withdrawn first, so the counts stay right"),
    "forum_report.reporter_id": (DELETE, "the reporter's own words"),
    "forum_revision.editor_id": (KEEP, "the edit history shows the tombstone"),
    "forum_submission.user_id": (DELETE, "one-time form ids"),
    "forum_moderation_action.moderator_id": (KEEP, "the audit log shows the tombstone"),
    "forum_moderation_action.undone_by_id": (KEEP, "the audit log shows the tombstone"),
    "invitation.invited_by_id": (NULL, "the invitation belongs to the organisation"),
    "join_request.user_id": (DELETE, "the request and its message"),
    "membership.user_id": (DELETE, "the account leaves every organisation"),
    "totp_credential.user_id": (DELETE, "the second factor's secret"),
    "recovery_code.user_id": (DELETE, "second-factor recovery codes"),
}


# Rate-limit keys that name one account (see ratelimit.record_attempt callers); keys that name
# only an IP address cannot be tied to a person and expire with `kennisnet prune-attempts`.
PER_USER_LIMIT_PREFIXES = ("forum-post", "privacy-export", "privacy-reauth", "totp")


def rate_limit_keys(user_id: int, email: str) -> list[str]:
    per_user = [f"{prefix}:{user_id}" for prefix in PER_USER_LIMIT_PREFIXES]
    return [f"login-account:{email}", *per_user]


class EraseRuleMissing(RuntimeError):
    """A foreign key to the user table has no entry in ON_ERASE (the erasure is refused)."""


def erase_rule(table_name: str, column_name: str) -> str:
    key = f"{table_name}.{column_name}"
    if key not in ON_ERASE:
        raise EraseRuleMissing(key)
    return ON_ERASE[key][0]


def reauth_key(user: User) -> str:
    return f"privacy-reauth:{user.id}"


def reauth_wait(user: User) -> int:
    """Seconds until another password try is allowed on the privacy pages (0: now)."""
    return ratelimit.seconds_until_allowed(
        reauth_key(user), current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        current_app.config["LOGIN_LIMIT_WINDOW"])


def password_matches(user: User, password: str) -> bool:
    """Check the password again; a wrong one is counted towards the login limit."""
    if account_services.authenticate(user.email, password) is not None:
        return True
    ratelimit.record_attempt(reauth_key(user))
    return False


def export_key(user: User) -> str:
    return f"privacy-export:{user.id}"


EXPORTS_PER_HOUR = 10


def export_wait(user: User) -> int:
    return ratelimit.seconds_until_allowed(export_key(user), EXPORTS_PER_HOUR, timedelta(hours=1))


def sole_administrator_of(user: User) -> list:
    """Organisations where this user is the only beheerder (they lose their administrator)."""
    from sqlalchemy.orm import aliased

    from kennisnet.initiatives.models import Membership, Organisation

    other = aliased(Membership)
    others = select(other.id).where(
        other.organisation_id == Organisation.id, other.role == "beheerder",
        other.user_id != user.id).correlate(Organisation).exists()
    return list(db.session.scalars(
        select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.role == "beheerder", ~others)
        .order_by(Organisation.name)))


def kept_questions(user: User) -> list:
    """The user's questions that others answered: delete mode keeps them, anonymised."""
    from kennisnet.forum.models import Answer, Question

    answered_by_others = exists().where(Answer.question_id == Question.id,
                                        Answer.author_id != user.id)
    return list(db.session.scalars(
        select(Question).where(Question.author_id == user.id, answered_by_others)
        .order_by(Question.id)))


def erase_account(user: User, delete_posts: bool) -> list[str]:
    """Erase the account; returns the hashes of files to remove once this is committed."""
    email, user_id = user.email.lower(), user.id
    hashes: list[str] = []
    if db.session.get_bind().dialect.name == "sqlite":
        # Zero the freed pages instead of leaving the erased text in the file's free space.
        db.session.execute(text("PRAGMA secure_delete=ON"))
    if delete_posts:
        hashes += _delete_documents(user_id)
        _delete_forum_posts(user_id)
    _withdraw_votes(user_id)
    _cancel_registrations(user_id, email)
    _apply_rules(user_id)
    _forget_by_address(user_id, email)
    _scrub(user)
    request_purge()
    db.session.flush()
    return hashes


def flush_database_file() -> None:
    """After the erasure is committed: on SQLite, copy the write-ahead log into the database
    and empty it, so the old page images with the erased text leave the disk (best effort: a
    long-running reader elsewhere can keep the log until the next checkpoint)."""
    if db.engine.dialect.name != "sqlite":
        return
    connection = db.engine.raw_connection()
    sqlite = connection.driver_connection
    try:
        # TRUNCATE waits for readers; a short wait keeps the page fast, and when a reader holds
        # on the next checkpoint does the work.
        sqlite.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        sqlite.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        connection.close()


def _model_for(table):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table and mapper.inherits is None:
            return mapper.class_
    return None


def _apply_rules(user_id: int) -> None:
    for table, column in user_foreign_keys():
        if table.name == "user":
            continue
        action = erase_rule(table.name, column.name)
        if action == KEEP:
            continue
        model = _model_for(table)
        if model is None:  # a plain association table: no search document can depend on it
            statement = (delete(table) if action == DELETE
                         else update(table).values({column.name: None}))
            db.session.execute(statement.where(column == user_id))
            continue
        attribute = model.__mapper__.get_property_by_column(column).key
        for row in db.session.scalars(select(model).where(getattr(model, attribute) == user_id)):
            if action == DELETE:
                db.session.delete(row)
            else:
                setattr(row, attribute, None)
    db.session.flush()


def _withdraw_votes(user_id: int) -> None:
    from kennisnet.forum.models import Answer, Vote

    for vote in db.session.scalars(select(Vote).where(Vote.user_id == user_id)).all():
        answer = db.session.get(Answer, vote.answer_id)
        if answer is not None:
            answer.vote_count = Answer.vote_count - 1
        db.session.delete(vote)
    db.session.flush()


def _cancel_registrations(user_id: int, email: str) -> None:
    """Give up future places through the agenda's own rule (the waiting list moves up), then
    remove the rows; registrations an organiser made by e-mail address go as well."""
    from kennisnet.events import services as event_services
    from kennisnet.events.models import Registration

    registrations = db.session.scalars(select(Registration).where(
        (Registration.user_id == user_id) | (func.lower(Registration.email) == email))).all()
    now = utcnow()
    for registration in registrations:
        event = registration.event
        ends = event.last_ends_at or event.ends_at
        if registration.status == "confirmed" and ends is not None and ends > now:
            event_services.cancel_registration(registration)
        db.session.delete(registration)
    db.session.flush()


def _forget_by_address(user_id: int, email: str) -> None:
    """Rows that hold the e-mail address or id as text rather than as a foreign key."""
    from kennisnet.events.models import QueuedMail
    from kennisnet.initiatives.models import Invitation, Organisation

    db.session.execute(delete(RateLimitHit).where(
        RateLimitHit.key.in_(rate_limit_keys(user_id, email))))
    db.session.execute(delete(Invitation).where(func.lower(Invitation.email) == email))
    db.session.execute(delete(QueuedMail).where(func.lower(QueuedMail.recipient) == email))
    for organisation in db.session.scalars(
            select(Organisation).where(func.lower(Organisation.contact_email) == email)):
        organisation.contact_email = ""
    db.session.flush()


def _scrub(user: User) -> None:
    user.display_name = ANONYMOUS_NAME
    user.email = f"verwijderd-{user.id}@{ERASED_EMAIL_DOMAIN}"
    user.password_hash = "!"  # not a hash Werkzeug can ever match
    user.field_role = None
    user.province = None
    user.bio = ""
    user.site_role = "member"
    user.is_active = False
    user.email_confirmed_at = None
    account_services.end_all_sessions(user)


def _delete_documents(user_id: int) -> list[str]:
    from kennisnet.documents import services as document_services
    from kennisnet.documents.models import Document, DocumentVersion

    hashes = []
    for document in db.session.scalars(select(Document).where(Document.owner_id == user_id)):
        hashes += document_services.delete_document(document)
    # Versions the user added to someone else's document go, unless it is that document's
    # only file (then it stays, without the uploader's name).
    for version in db.session.scalars(
            select(DocumentVersion).where(DocumentVersion.uploaded_by_id == user_id)).all():
        if len(version.document.versions) > 1:
            hashes.append(version.sha256)
            version.document.versions.remove(version)
    db.session.flush()
    return hashes


def _delete_forum_posts(user_id: int) -> None:
    from kennisnet.forum.models import Answer, Question, Vote

    for answer in db.session.scalars(select(Answer).where(Answer.author_id == user_id)).all():
        _delete_post_traces("answer", answer.id)
        db.session.execute(delete(Vote).where(Vote.answer_id == answer.id))
        db.session.delete(answer)
    db.session.flush()
    answered_by_others = exists().where(Answer.question_id == Question.id)
    for question in db.session.scalars(select(Question).where(
            Question.author_id == user_id, ~answered_by_others)).all():
        _delete_post_traces("question", question.id)
        for merged in db.session.scalars(
                select(Question).where(Question.merged_into_id == question.id)):
            merged.merged_into_id = None
        db.session.delete(question)
    db.session.flush()


def _delete_post_traces(post_type: str, post_id: int) -> None:
    """Edit history and reports hold the post's text; the audit log keeps that an action
    happened, without the text."""
    from kennisnet.forum.models import ModerationAction, Report, Revision

    db.session.execute(delete(Revision).where(Revision.post_type == post_type,
                                              Revision.post_id == post_id))
    db.session.execute(delete(Report).where(Report.post_type == post_type,
                                            Report.post_id == post_id))
    for action in db.session.scalars(select(ModerationAction).where(
            ModerationAction.post_type == post_type, ModerationAction.post_id == post_id)):
        action.changes = []
