"""Questions and answers between initiatives, with the rows moderation and safety need."""

import re
import unicodedata
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from kennisnet.database import UTCDateTime, utcnow
from kennisnet.extensions import db
from kennisnet.forum.rendering import RENDER_VERSION, render_post
from kennisnet.markdown import plain_text, text_of_html
from kennisnet.search import Searchable, SearchChild, SearchDocument, search_url
from kennisnet.submissions import Submission  # noqa: F401 - shared by every form that creates

TITLE_MAX = 200
BODY_MAX = 32_000

question_tag = Table(
    "forum_question_tag",
    db.metadata,
    Column("question_id", ForeignKey("forum_question.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("forum_tag.id", ondelete="CASCADE"), primary_key=True),
)


class ForumTag(db.Model):
    """A topic from the list moderators manage; only active tags can be chosen."""

    __tablename__ = "forum_tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    is_active: Mapped[bool] = mapped_column(default=True)


class PostMixin:
    """What questions and answers share: Markdown with its stored HTML, and their state."""

    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    html_version: Mapped[int] = mapped_column(default=0)
    # "pending" while a new member's post waits for a moderator, otherwise "published".
    status: Mapped[str] = mapped_column(String(16), default="published")
    is_hidden: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by the first and every later edit; the history link shows only for edited posts.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def set_body(self, text: str) -> None:
        self.body = text
        self.body_html = str(render_post(text))
        self.html_version = RENDER_VERSION

    @property
    def html(self) -> Markup:
        """The stored HTML, or a fresh rendering when the renderer changed since it was stored."""
        if self.html_version == RENDER_VERSION:
            return Markup(self.body_html)  # noqa: S704 - stored from render_post (nh3-cleaned)
        return render_post(self.body)

    @property
    def is_public(self) -> bool:
        return self.status == "published" and not self.is_hidden and self.deleted_at is None


class Question(PostMixin, Searchable, db.Model):
    __tablename__ = "forum_question"
    __table_args__ = (
        # The lists' order, then their filter (public, not merged): a page of the newest is
        # read straight from the index and counting the pages reads index entries only.
        # Without it both scanned every question (1.8 s at 84,000). The order comes first so
        # that SQLite keeps using the narrower tip_id index for a tip's few questions.
        Index("ix_forum_question_listing", "created_at", "id", "status", "is_hidden",
              "deleted_at", "merged_into_id"),
    )
    search_kind = "question"
    search_label = _l("Vraag")
    post_type = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tip.id", ondelete="SET NULL"),
                                               index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_closed: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("forum_question.id"))
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    author = relationship("User", lazy="joined", innerjoin=True)
    tip = relationship("Tip", lazy="joined")
    organisation = relationship("Organisation", lazy="joined")
    tags: Mapped[list[ForumTag]] = relationship(secondary=question_tag, lazy="selectin",
                                                order_by=ForumTag.name)
    answers: Mapped[list["Answer"]] = relationship(back_populates="question")

    @property
    def accepts_answers(self) -> bool:
        return self.is_public and not self.is_locked and not self.is_closed

    def search_document(self) -> SearchDocument | None:
        document = self.search_result_document()
        if document is None:
            return None
        session = object_session(self) or db.session
        answers = session.execute(
            db.select(Answer.body, Answer.body_html, Answer.html_version)
            .where(Answer.question_id == self.id, *Answer.public_clauses())
        ).all()
        document.body = "\n".join([document.body, *(post_text(*answer) for answer in answers)])
        return document

    def search_result_document(self) -> SearchDocument | None:
        # Without the answers: a results page needs none of their text, and reading and
        # rendering up to hundreds of answers per hit made it the slowest page of the site.
        if not self.is_public or self.merged_into_id is not None:
            return None
        body = post_text(self.body, self.body_html, self.html_version)
        province = self.organisation.province if self.organisation else ""
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.title, body=body,
            summary=body[:300],
            url=search_url("forum.question", f"/forum/vraag/{self.id}", question_id=self.id),
            province=province or "", tags=[tag.name for tag in self.tags],
            date=self.last_activity_at,
        )

    def search_anchor(self, words: list[str]) -> str | None:
        """The fragment of the public answer that holds the searched words, so a search hit
        opens the question with that answer in view (the accepted one first, as shown)."""
        stems = [folded(word)[:STEM_PREFIX] for word in words if len(word) >= MIN_WORD]
        if not stems or any(stem in folded(self.title + " " + self.body) for stem in stems):
            return None
        session = object_session(self) or db.session
        answers = session.execute(
            db.select(Answer.id, Answer.body)
            .where(Answer.question_id == self.id, *Answer.public_clauses())
            .order_by(Answer.is_accepted.desc(), Answer.vote_count.desc(), Answer.id)
        ).all()
        for answer_id, body in answers:
            if any(stem in folded(body) for stem in stems):
                return f"antwoord-{answer_id}"
        return None


def post_text(body: str, body_html: str, html_version: int) -> str:
    """A post's words for search. The stored HTML holds the same words as the Markdown, and
    stripping its tags costs a fraction of rendering again: rebuilding the index of a forum with
    100,000 answers spent most of its time rendering Markdown."""
    if body_html and html_version == RENDER_VERSION:
        return text_of_html(body_html)
    return plain_text(body)


# Matching in search_anchor is a cheap prefix test: "vrijwilligers" finds "vrijwilliger".
STEM_PREFIX = 6
MIN_WORD = 3


_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")


def folded(text: str) -> str:
    """Lower case without accents, so "coöperatie" and "cooperatie" meet."""
    # The accents of Latin letters are dropped by the regex engine; the search results page
    # folds every hit's text, and a Python loop per character cost it milliseconds.
    decomposed = _LATIN_ACCENTS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Answer(PostMixin, SearchChild, db.Model):
    __tablename__ = "forum_answer"
    post_type = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("forum_question.id", ondelete="CASCADE"),
                                             index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    is_accepted: Mapped[bool] = mapped_column(default=False)
    vote_count: Mapped[int] = mapped_column(default=0)

    author = relationship("User")
    question: Mapped[Question] = relationship(back_populates="answers")

    @staticmethod
    def public_clauses():
        return (Answer.status == "published", Answer.is_hidden.is_(False),
                Answer.deleted_at.is_(None))

    def search_parents(self):
        # The answer's text is part of its question's search document; a moved answer also
        # changes the question it left.
        previous = inspect(self).attrs.question_id.history.deleted or ()
        return [("question", qid) for qid in {self.question_id, *previous} if qid is not None]


class Vote(db.Model):
    __tablename__ = "forum_vote"

    answer_id: Mapped[int] = mapped_column(ForeignKey("forum_answer.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Follow(db.Model):
    __tablename__ = "forum_follow"

    question_id: Mapped[int] = mapped_column(ForeignKey("forum_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", lazy="joined")


class Revision(db.Model):
    """One edit of a question or answer: who, when, and the text before and after."""

    __tablename__ = "forum_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_type: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int] = mapped_column(index=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title_before: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    title_after: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    body_before: Mapped[str] = mapped_column(Text, default="")
    body_after: Mapped[str] = mapped_column(Text, default="")

    editor = relationship("User", lazy="joined")


class Report(db.Model):
    __tablename__ = "forum_report"
    __table_args__ = (UniqueConstraint("post_type", "post_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_type: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int] = mapped_column(index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    reporter = relationship("User", lazy="joined")


class ModerationAction(db.Model):
    """The audit log: one row per moderator action, with every field's value before and after.

    `changes` is a list of [post_type, post_id, field, before, after]; undo writes the befores back.
    """

    __tablename__ = "forum_moderation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(16))
    post_type: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    moderator = relationship("User", foreign_keys=[moderator_id], lazy="joined")
