"""Reads for the forum pages: selects and lists named for what they return."""

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from kennisnet import permissions
from kennisnet.extensions import db
from kennisnet.forum.models import (
    Answer,
    Follow,
    ForumTag,
    ModerationAction,
    Question,
    Report,
    Revision,
    Vote,
)
from kennisnet.initiatives.models import Membership, Organisation

PER_PAGE = 20


def _public_questions() -> Select:
    return select(Question).where(
        Question.status == "published", Question.is_hidden.is_(False),
        Question.deleted_at.is_(None), Question.merged_into_id.is_(None))


def _has_public_answer():
    return exists().where(Answer.question_id == Question.id, *Answer.public_clauses())


def newest_questions() -> Select:
    return _public_questions().order_by(Question.created_at.desc(), Question.id.desc())


def unanswered_questions() -> Select:
    return newest_questions().where(~_has_public_answer())


def questions_with_tag(tag: ForumTag) -> Select:
    return newest_questions().where(Question.tags.any(ForumTag.id == tag.id))


def questions_in_province(province: str) -> Select:
    return newest_questions().where(Question.organisation.has(Organisation.province == province))


def questions_by(user) -> Select:
    """The user's own questions, also those waiting for approval or hidden by moderation."""
    return select(Question).where(Question.author_id == user.id, Question.deleted_at.is_(None),
                                  Question.merged_into_id.is_(None)).order_by(
        Question.created_at.desc(), Question.id.desc())


def paginate(statement: Select, page: int) -> "CappedPage":
    return CappedPage(statement, page, PER_PAGE)


class CappedPage:
    """A page of a list whose total is counted only up to LOOKAHEAD pages past this one:
    counting all 84,000 questions took longer than building the page. The pager then says
    "page 1 of 10+", which is all a reader needs to go on."""

    LOOKAHEAD = 9

    def __init__(self, statement: Select, page: int, per_page: int):
        self.page, self.per_page = max(page, 1), per_page
        self.items = list(db.session.execute(
            statement.limit(per_page).offset((self.page - 1) * per_page)).unique().scalars())
        cap = (self.page + self.LOOKAHEAD) * per_page
        counted = db.session.scalar(select(func.count()).select_from(
            statement.with_only_columns(Question.id).order_by(None).limit(cap + 1).subquery()))
        self.is_capped = counted > cap
        self.total = min(counted, cap)
        self.pages = max(1, -(-self.total // per_page))

    @property
    def pages_label(self) -> str:
        return f"{self.pages}+" if self.is_capped else str(self.pages)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def answer_counts(question_ids) -> dict[int, int]:
    if not question_ids:
        return {}
    rows = db.session.execute(select(Answer.question_id, func.count(Answer.id)).where(
        Answer.question_id.in_(list(question_ids)), *Answer.public_clauses()).group_by(
        Answer.question_id))
    return dict(rows.all())


def answers_for_page(question: Question, viewer) -> list[Answer]:
    """Answers in display order (accepted, votes, date), authors loaded in the same round."""
    # The Markdown source is not shown (only its stored HTML), so it is not loaded.
    statement = select(Answer).where(Answer.question_id == question.id).options(
        joinedload(Answer.author), defer(Answer.body)).order_by(
        Answer.is_accepted.desc(), Answer.vote_count.desc(), Answer.created_at, Answer.id)
    if not permissions.is_moderator(viewer):
        own = Answer.author_id == viewer.id if permissions.can_ask(viewer) else false()
        statement = statement.where(Answer.deleted_at.is_(None)).where(
            or_(and_(*Answer.public_clauses()), own))
    answers = list(db.session.scalars(statement))
    for answer in answers:
        # The question is in hand: set it (as loaded, not as a change) so permission rules
        # never load it again and the GET leaves nothing to flush.
        set_committed_value(answer, "question", question)
    return answers


def voted_answer_ids(user, answer_ids) -> set[int]:
    if not permissions.can_ask(user) or not answer_ids:
        return set()
    return set(db.session.scalars(select(Vote.answer_id).where(
        Vote.user_id == user.id, Vote.answer_id.in_(list(answer_ids)))))


def is_following(user, question: Question) -> bool:
    if not permissions.can_ask(user):
        return False
    return db.session.get(Follow, (question.id, user.id)) is not None


def all_tags(active_only: bool = True) -> list[ForumTag]:
    statement = select(ForumTag).order_by(ForumTag.name)
    if active_only:
        statement = statement.where(ForumTag.is_active.is_(True))
    return list(db.session.scalars(statement))


def tag_by_slug(slug: str) -> ForumTag | None:
    return db.session.scalar(select(ForumTag).where(ForumTag.slug == slug))


def organisations_of(user) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).join(Membership).where(
        Membership.user_id == user.id).order_by(Organisation.name)))


def questions_for_tip(tip_id: int, limit: int = 10) -> list[Question]:
    return list(db.session.scalars(newest_questions().where(Question.tip_id == tip_id)
                                   .limit(limit)))


def revisions_of(post) -> list[Revision]:
    return list(db.session.scalars(select(Revision).where(
        Revision.post_type == post.post_type, Revision.post_id == post.id).order_by(
        Revision.created_at.desc(), Revision.id.desc())))


def pending_posts() -> tuple[list[Question], list[Answer]]:
    questions = db.session.scalars(select(Question).where(
        Question.status == "pending", Question.deleted_at.is_(None)).order_by(Question.id))
    answers = db.session.scalars(select(Answer).where(
        Answer.status == "pending", Answer.deleted_at.is_(None)).options(
        selectinload(Answer.author), selectinload(Answer.question)).order_by(Answer.id))
    return list(questions), list(answers)


def hidden_posts() -> tuple[list[Question], list[Answer]]:
    questions = db.session.scalars(select(Question).where(Question.is_hidden.is_(True),
                                                          Question.deleted_at.is_(None)))
    answers = db.session.scalars(select(Answer).where(
        Answer.is_hidden.is_(True), Answer.deleted_at.is_(None)).options(
        selectinload(Answer.author), selectinload(Answer.question)))
    return list(questions), list(answers)


def open_reports() -> list[tuple[Report, Question | Answer]]:
    """Unresolved reports, newest first, each with the post it is about."""
    reports = list(db.session.scalars(select(Report).where(Report.resolved_at.is_(None)).order_by(
        Report.created_at.desc())))
    posts = {}
    for model in (Question, Answer):
        ids = [r.post_id for r in reports if r.post_type == model.post_type]
        if ids:
            posts.update({(model.post_type, row.id): row for row in db.session.scalars(
                select(model).where(model.id.in_(ids)))})
    return [(r, posts[(r.post_type, r.post_id)]) for r in reports
            if (r.post_type, r.post_id) in posts]


def moderation_log(limit: int = 100) -> list[ModerationAction]:
    return list(db.session.scalars(select(ModerationAction).order_by(
        ModerationAction.created_at.desc(), ModerationAction.id.desc()).limit(limit)))

