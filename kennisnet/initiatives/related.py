"""What other domains hold for an organisation: its documents, events and answered questions.

Read through those domains' own queries, so their visibility rules stay theirs.
"""

from datetime import datetime

from sqlalchemy import select

from kennisnet.documents.models import Document
from kennisnet.documents.queries import visible_documents
from kennisnet.events.queries import upcoming_for_organisation
from kennisnet.extensions import db
from kennisnet.forum.models import Answer, Question
from kennisnet.initiatives.models import Membership, Organisation


def upcoming_events(organisations: list[Organisation], now: datetime, limit: int = 5) -> list:
    """The next occurrences organised by any of these organisations, soonest first."""
    found = [occurrence for organisation in organisations
             for occurrence in upcoming_for_organisation(organisation, now, limit)]
    found.sort(key=lambda o: (o.starts_at, o.event.id))
    return found[:limit]


def documents_of(organisation: Organisation, user, limit: int = 10) -> list:
    """The newest documents of this organisation that `user` may see."""
    query = visible_documents(user).where(Document.organisation_id == organisation.id)
    return list(db.session.scalars(query.order_by(Document.id.desc()).limit(limit)))


def questions_answered_by_members(organisation: Organisation, limit: int = 5) -> list[Question]:
    """Public questions with a public answer written by one of the organisation's members."""
    members = select(Membership.user_id).where(Membership.organisation_id == organisation.id)
    answered = select(Answer.question_id).where(Answer.author_id.in_(members),
                                                *Answer.public_clauses())
    query = select(Question).where(
        Question.id.in_(answered), Question.status == "published",
        Question.is_hidden.is_(False), Question.deleted_at.is_(None))
    return list(db.session.scalars(query.order_by(Question.id.desc()).limit(limit)))
