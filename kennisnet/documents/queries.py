"""Reads for the library. visible_documents() is permissions.can_view_document in SQL."""

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from kennisnet.caching import kept_until_changed, table_stamp
from kennisnet.database import LIKE_ESCAPE, contains_pattern
from kennisnet.documents.models import Document, DocumentTag
from kennisnet.extensions import db
from kennisnet.initiatives.models import Membership, Organisation
from kennisnet.permissions import is_moderator

PAGE_SIZE = 20
EDITOR_ROLES = ("redacteur", "beheerder")


def _logged_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _member_org_ids(user, roles=None) -> Select:
    query = select(Membership.organisation_id).where(Membership.user_id == user.id)
    return query.where(Membership.role.in_(roles)) if roles else query


def visibility_clause(user):
    """What `user` may see: published and not hidden, by visibility; plus what they edit."""
    if is_moderator(user):
        return None
    published = and_(Document.published_at.is_not(None), Document.is_hidden == false())
    if not _logged_in(user):
        return and_(published, Document.visibility == "openbaar")
    readable = or_(
        Document.visibility.in_(("openbaar", "leden")),
        Document.organisation_id.in_(_member_org_ids(user)),
    )
    editable = or_(Document.owner_id == user.id,
                   Document.organisation_id.in_(_member_org_ids(user, EDITOR_ROLES)))
    return or_(and_(published, readable), editable)


def visible_documents(user) -> Select:
    query = select(Document)
    clause = visibility_clause(user)
    return query if clause is None else query.where(clause)


def library_page(user, filters: dict, sort: str, page: int):
    query = visible_documents(user).options(selectinload(Document.organisation),
                                            selectinload(Document.tag_rows))
    if filters.get("soort"):
        query = query.where(Document.doc_type == filters["soort"])
    if filters.get("rechtsvorm"):
        query = query.where(Document.legal_form == filters["rechtsvorm"])
    if filters.get("organisatie"):
        query = query.where(Document.organisation_id == filters["organisatie"])
    if filters.get("provincie") or filters.get("van"):
        query = query.join(Organisation, Organisation.id == Document.organisation_id)
    if filters.get("provincie"):
        query = query.where(Organisation.province == filters["provincie"])
    for word in filters.get("van", "").split()[:8]:
        query = query.where(func.lower(Organisation.name).like(contains_pattern(word),
                                                               escape=LIKE_ESCAPE))
    if filters.get("trefwoord"):
        query = query.where(Document.id.in_(
            select(DocumentTag.document_id).where(DocumentTag.tag == filters["trefwoord"])))
    order = {
        "titel": (func.lower(Document.title), Document.id),
        "downloads": (Document.download_count.desc(), Document.id.desc()),
    }.get(sort, (Document.created_at.desc(), Document.id.desc()))
    return db.paginate(query.order_by(*order), page=page, per_page=PAGE_SIZE, error_out=False)


def statuten_by_legal_form(user) -> dict[str | None, list[Document]]:
    query = visible_documents(user).where(Document.doc_type == "statuten").options(
        selectinload(Document.organisation)).order_by(Document.legal_form,
                                                      func.lower(Document.title))
    grouped: dict[str | None, list[Document]] = {}
    for document in db.session.scalars(query):
        grouped.setdefault(document.legal_form, []).append(document)
    return grouped


def related_documents(document: Document, user, limit: int = 5) -> list[Document]:
    """The newest of the same type, then the newest of the same legal form. Two queries that
    each read an index in order, instead of one that sorted every document of either kind."""
    others = visible_documents(user).where(Document.id != document.id)
    found = list(db.session.scalars(others.where(Document.doc_type == document.doc_type)
                                    .order_by(Document.created_at.desc()).limit(limit)))
    if len(found) < limit and document.legal_form:
        found += db.session.scalars(
            others.where(Document.doc_type != document.doc_type,
                         Document.legal_form == document.legal_form)
            .order_by(Document.created_at.desc()).limit(limit - len(found)))
    return found


def comparable_statuten(user, exclude_id: int) -> list[Document]:
    query = visible_documents(user).where(Document.doc_type == "statuten",
                                          Document.id != exclude_id)
    return list(db.session.scalars(query.order_by(func.lower(Document.title)).limit(200)))


def user_organisations(user) -> list[Organisation]:
    if not _logged_in(user):
        return []
    query = select(Organisation).where(Organisation.id.in_(_member_org_ids(user)))
    return list(db.session.scalars(query.order_by(Organisation.name)))


def filter_organisation(organisation_id: int | None):
    """The organisation a library link filters on (`?organisatie=id`), for its name."""
    if organisation_id is None:
        return None
    return db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id == organisation_id)).first()



def popular_tags(user, limit: int = 30) -> list[str]:
    """The most used tags of what `user` sees. For visitors who are not logged in (most views)
    the answer is kept until a document changes: counting every tag of the library took
    10 ms a view."""
    if _logged_in(user):
        return _popular_tags(user, limit)
    return kept_until_changed(f"documents-tags-{limit}", table_stamp(Document),
                              lambda: _popular_tags(user, limit))


def _popular_tags(user, limit: int) -> list[str]:
    ids = visible_documents(user).with_only_columns(Document.id)
    query = (select(DocumentTag.tag).where(DocumentTag.document_id.in_(ids))
             .group_by(DocumentTag.tag).order_by(func.count().desc(), DocumentTag.tag).limit(limit))
    return sorted(db.session.scalars(query))
