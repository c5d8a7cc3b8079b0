"""Fixtures and a small searchable test model shared by the search tests.

`MemberNote` stands in for any domain: it exercises members-only visibility and a child
(`MemberNoteReply`) that re-indexes its parent. It lives on its own declarative base, and its
kind is registered only while a test uses it, so the app's metadata (which the migration
test compares with the migrations) and other tests' rebuilds never see it.
"""

import re
from html import unescape
from itertools import count

import pytest
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kennisnet.extensions import db
from kennisnet.search import Searchable, SearchChild, SearchDocument

HIT_TITLE = re.compile(r'class="hit-title"><a href="([^"]*)">(.*?)</a>', re.S)


class NoteBase(DeclarativeBase):
    pass


class MemberNote(Searchable, NoteBase):
    __tablename__ = "test_search_member_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    members_only: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)
    replies: Mapped[list["MemberNoteReply"]] = relationship(order_by="MemberNoteReply.id")

    def search_document(self) -> SearchDocument | None:
        if self.hidden:
            return None
        return SearchDocument(
            kind=self.search_kind, id=self.id, title=self.title,
            body="\n".join([self.body, *(reply.text for reply in self.replies)]),
            url=f"/test-notities/{self.id}",
            visibility="members" if self.members_only else "public",
        )


# Set after the class exists, so that defining it does not register the kind for every test.
MemberNote.search_kind = "testnotitie"


class MemberNoteReply(SearchChild, NoteBase):
    __tablename__ = "test_search_member_note_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("test_search_member_note.id"))
    text: Mapped[str] = mapped_column(Text, default="")

    def search_parents(self):
        return [("testnotitie", self.note_id)]


@pytest.fixture
def note_rule(app, monkeypatch):
    """Registers the test kind, its tables and its viewing rule for one test."""
    from kennisnet import permissions
    from kennisnet.search import registry

    kind = registry.SearchKind(name="testnotitie", label="Testnotitie", model=MemberNote)
    monkeypatch.setitem(registry._KINDS, "testnotitie", kind)
    monkeypatch.setitem(permissions.SEARCH_HIT_RULES, "testnotitie", lambda user, row: True)
    NoteBase.metadata.create_all(db.engine)
    yield
    db.session.remove()  # release any lock on the tables before dropping them
    NoteBase.metadata.drop_all(db.engine)


@pytest.fixture
def make_tip(app):
    from kennisnet.tips.models import Tip

    numbers = count(1)

    def factory(title="Een tip", explanation="", phase="start", **values):
        n = next(numbers)
        tip = Tip(slug=f"tip-{n}", number=n, phase=phase, title=title, explanation=explanation,
                  **values)
        db.session.add(tip)
        db.session.commit()
        return tip

    return factory


@pytest.fixture
def make_page(app):
    from kennisnet.tips.models import GuidePage

    numbers = count(1)

    def factory(title="Een pagina", body="", summary="", **values):
        n = next(numbers)
        page = GuidePage(slug=f"pagina-{n}", title=title, body=body, summary=summary,
                         position=n, **values)
        db.session.add(page)
        db.session.commit()
        return page

    return factory


@pytest.fixture
def make_note(app, note_rule):
    def factory(title="Notitie", body="", **values):
        note = MemberNote(title=title, body=body, **values)
        db.session.add(note)
        db.session.commit()
        return note

    return factory


@pytest.fixture
def drain(app):
    from kennisnet.search import drain_outbox

    return drain_outbox


@pytest.fixture
def found(client):
    """Titles of the hits /zoeken shows for a query (first page), after checking the status."""

    def search(q, expect_status=200, **params):
        response = client.get("/zoeken", query_string={"q": q, **params})
        assert response.status_code == expect_status, response.get_data(as_text=True)[:800]
        return [unescape(re.sub(r"<[^>]+>", "", title)).strip()
                for _url, title in HIT_TITLE.findall(response.get_data(as_text=True))]

    return search
