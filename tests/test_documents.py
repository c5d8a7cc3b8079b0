"""Visibility per role, versions, the personal-data warning, articles and comparison, library."""

import io
import os
import re

import pytest

from kennisnet.documents import articles, pii, services
from kennisnet.documents.models import Document, DocumentReport
from kennisnet.initiatives.models import Membership
from tests.factories_documents import (
    STATUTEN_A,
    STATUTEN_B,
    document_id,
    make_docx,
    make_pdf,
    statuten_lines,
)

pytest_plugins = ["tests.search_support", "tests.documents_support"]

LINES = statuten_lines(STATUTEN_A)


def add_member(db, user, organisation, role="lid"):
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=role))
    db.session.commit()


def logout(client):
    client._cookies.clear()  # forget the session cookie: the next request is anonymous


@pytest.fixture
def published(app, db, client, make_user, make_initiative, login, upload, extract):
    """One published document per visibility, uploaded by an editor of one initiative."""
    owner = make_user(display_name="Eigenaar")
    org = make_initiative(name="Zorgcoöperatie Hoogeloon")
    add_member(db, owner, org, "redacteur")
    login(owner)
    ids = {}
    for visibility in ("openbaar", "leden", "organisatie"):
        ids[visibility] = document_id(upload(make_pdf(LINES), f"{visibility}.pdf",
                                             title=f"Document {visibility}",
                                             visibility=visibility, organisation_id=str(org.id)))
    extract()
    logout(client)
    return ids, org, owner


@pytest.mark.parametrize("role, expected", [
    ("anoniem", {"openbaar"}),
    ("lid van kennisnet", {"openbaar", "leden"}),
    ("lid van de organisatie", {"openbaar", "leden", "organisatie"}),
    ("moderator", {"openbaar", "leden", "organisatie"}),
])
def test_visibility_for_each_role(app, db, client, make_user, login, published, role, expected):
    ids, org, _owner = published
    if role != "anoniem":
        user = make_user(site_role="moderator" if role == "moderator" else "member")
        if role == "lid van de organisatie":
            add_member(db, user, org)
        login(user)
    listing = client.get("/documenten").get_data(as_text=True)
    for visibility, doc_id in ids.items():
        page = client.get(f"/documenten/{doc_id}")
        download = client.get(f"/documenten/{doc_id}/download")
        if visibility in expected:
            assert page.status_code == 200 and download.status_code == 200
            assert f"Document {visibility}" in listing
        else:
            assert page.status_code == 404 and download.status_code == 404
            assert f"Document {visibility}" not in listing
    if "leden" in expected:
        private = client.get(f"/documenten/{ids['leden']}/download")
        assert "private" in private.headers["Cache-Control"]
        assert "public" not in private.headers["Cache-Control"]


def test_search_respects_visibility(app, db, client, make_user, login, published, drain, found):
    ids, org, _owner = published
    drain()
    assert found("vereniging") == ["Document openbaar"]
    outsider = make_user()
    login(outsider)
    assert sorted(found("vereniging")) == ["Document leden", "Document openbaar"]
    logout(client)
    insider = make_user()
    add_member(db, insider, org)
    login(insider)
    assert sorted(found("vereniging")) == ["Document leden", "Document openbaar",
                                           "Document organisatie"]


def test_organisation_must_be_one_the_uploader_belongs_to(app, db, make_user, make_initiative,
                                                          login, upload):
    other = make_initiative()
    login(make_user())
    response = upload(make_pdf(LINES), "s.pdf", organisation_id=str(other.id))
    assert response.status_code == 422
    assert db.session.query(Document).count() == 0


def test_new_version_keeps_old_one_downloadable(app, db, client, make_user, login, upload,
                                                extract, csrf_token):
    login(make_user())
    first = make_pdf(LINES)
    doc_id = document_id(upload(first, "v1.pdf"))
    extract()
    page = client.get(f"/documenten/{doc_id}/nieuwe-versie")
    second = make_docx(statuten_lines(STATUTEN_B))
    response = client.post(f"/documenten/{doc_id}/nieuwe-versie", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(second), "v2.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    extract()
    document = db.session.get(Document, doc_id)
    assert [v.number for v in document.versions] == [1, 2]
    assert document.current_version.number == 2
    assert client.get(f"/documenten/{doc_id}/download").data == second
    assert client.get(f"/documenten/{doc_id}/versies/1/download").data == first
    assert "Austerlitz" in client.get(f"/documenten/{doc_id}").get_data(as_text=True)


def test_only_owner_or_editor_may_change(app, db, client, make_user, make_initiative, login,
                                         published, csrf_token):
    ids, org, owner = published
    stranger = make_user()
    login(stranger)
    assert client.get(f"/documenten/{ids['openbaar']}/bewerken").status_code == 403
    assert client.get(f"/documenten/{ids['openbaar']}/nieuwe-versie").status_code == 403
    logout(client)
    editor = make_user()
    add_member(db, editor, org, "redacteur")
    login(editor)
    page = client.get(f"/documenten/{ids['openbaar']}/bewerken")
    assert page.status_code == 200
    response = client.post(f"/documenten/{ids['openbaar']}/bewerken", data={
        "csrf_token": csrf_token(page), "title": "Nieuwe titel", "doc_type": "statuten",
        "licence": "cc0", "visibility": "openbaar", "organisation_id": str(org.id),
        "legal_form": "", "year": "", "tags": "a, b"})
    assert response.status_code == 303
    document = db.session.get(Document, ids["openbaar"])
    assert document.title == "Nieuwe titel" and document.tags == ["a", "b"]


def test_delete_removes_rows_and_unused_files(app, db, client, make_user, login, upload, extract,
                                              csrf_token):
    login(make_user())
    doc_id = document_id(upload(make_pdf(LINES), "s.pdf"))
    path = services.storage.path_for(db.session.get(Document, doc_id).versions[0].sha256)
    page = client.get(f"/documenten/{doc_id}/verwijderen")
    response = client.post(f"/documenten/{doc_id}/verwijderen",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert db.session.query(Document).count() == 0
    assert not os.path.exists(path)


def test_report_and_moderator_hides(app, db, client, make_user, login, published, csrf_token):
    ids, _org, _owner = published
    member = make_user()
    login(member)
    page = client.get(f"/documenten/{ids['openbaar']}")
    response = client.post(f"/documenten/{ids['openbaar']}/melden", data={
        "csrf_token": csrf_token(page), "reason": "Er staan adressen in."})
    assert response.status_code == 303
    assert db.session.query(DocumentReport).count() == 1
    assert client.post(f"/documenten/{ids['openbaar']}/verbergen",
                       data={"csrf_token": csrf_token(page), "verbergen": "1"}).status_code == 403
    logout(client)
    login(make_user(site_role="moderator"))
    page = client.get(f"/documenten/{ids['openbaar']}")
    client.post(f"/documenten/{ids['openbaar']}/verbergen",
                data={"csrf_token": csrf_token(page), "verbergen": "1"})
    assert db.session.get(Document, ids["openbaar"]).is_hidden
    logout(client)
    assert client.get(f"/documenten/{ids['openbaar']}").status_code == 404


PERSONAL = statuten_lines(STATUTEN_A, extra=[
    "Oprichter: Jan Jansen, Dorpsstraat 12, 5528 AB Hoogeloon, jan@voorbeeld.nl,",
    "telefoon 06-12345678, rekening NL91 ABNA 0417 1643 00, BSN 111222333."])


def test_personal_data_warning_before_publishing(app, db, client, make_user, login, upload,
                                                 extract, csrf_token):
    login(make_user())
    doc_id = document_id(upload(make_pdf(PERSONAL), "s.pdf"))
    extract()
    document = db.session.get(Document, doc_id)
    assert not document.is_published
    kinds = {finding["kind"] for finding in document.versions[0].pii_findings}
    assert kinds == {"email", "phone", "iban", "address", "bsn"}
    page = client.get(f"/documenten/{doc_id}")
    html = page.get_data(as_text=True)
    assert "Let op: dit lijken persoonsgegevens" in html
    assert "jan@voorbeeld.nl" not in html.split("Let op")[1].split("</ul>")[0]
    assert "Toch publiceren" in html and "Terug: een aangepast bestand sturen" in html
    anonymous = app.test_client()
    assert anonymous.get(f"/documenten/{doc_id}").status_code == 404
    response = client.post(f"/documenten/{doc_id}/versies/1/publiceren",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Document, doc_id).is_published
    assert anonymous.get(f"/documenten/{doc_id}").status_code == 200


def test_clean_document_is_published_without_question(app, db, make_user, login, upload, extract):
    login(make_user())
    doc_id = document_id(upload(make_pdf(LINES), "s.pdf"))
    assert not db.session.get(Document, doc_id).is_published
    extract()
    assert db.session.get(Document, doc_id).is_published


@pytest.mark.parametrize("text, kind", [
    ("mail info@zorg-coop.nl", "email"), ("bel 020 123 4567", "phone"),
    ("bel +31 6 12345678", "phone"), ("NL91ABNA0417164300", "iban"),
    ("Kerkstraat 3a 1234 AB Ergens", "address"), ("nummer 123.456.782", "bsn"),
])
def test_personal_data_patterns(text, kind):
    assert [f["kind"] for f in pii.find_personal_data(text)] == [kind]


@pytest.mark.parametrize("text", ["NL91ABNA0417164301", "nummer 123456789", "in 2024 werd 5 jaar",
                                  "artikel 12 lid 3"])
def test_no_false_alarm(text):
    assert pii.find_personal_data(text) == []


def test_article_navigation(app, client, make_user, login, upload, extract):
    login(make_user())
    doc_id = document_id(upload(make_pdf(LINES), "s.pdf"))
    extract()
    html = client.get(f"/documenten/{doc_id}").get_data(as_text=True)
    for number, (heading, _body) in enumerate(STATUTEN_A, start=1):
        assert f'href="#artikel-{number}">Artikel {number}: {heading}</a>' in html
        assert f'id="artikel-{number}"' in html


def test_compare_matches_articles_by_heading_and_marks_differences(app, client, make_user, login,
                                                                   upload, extract):
    login(make_user())
    a = document_id(upload(make_pdf(LINES), "a.pdf", title="Hoogeloon"))
    b = document_id(upload(make_docx(statuten_lines(STATUTEN_B)), "b.docx", title="Austerlitz"))
    extract()
    response = client.get("/documenten/vergelijk", query_string={"links": a, "rechts": b})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Contributie is article 3 in A and 4 in B: matched by heading, shown in one row.
    row = [r for r in html.split("<tr") if "Contributie" in r][0]
    assert "Artikel 3. Contributie" in row and "Artikel 4. Contributie" in row
    assert '<del class="diff-del">twintig euro.</del>' in row
    assert '<ins class="diff-ins">vijftien euro per huishouden.</ins>' in row
    aansprakelijk = [r for r in html.split("<tr") if "Aansprakelijkheid" in r][0]
    assert "Geen artikel hierover." in aansprakelijk


def test_compare_is_404_for_invisible_document(app, client, published):
    ids, _org, _owner = published
    response = client.get("/documenten/vergelijk",
                          query_string={"links": ids["openbaar"], "rechts": ids["leden"]})
    assert response.status_code == 404


def test_split_articles_with_heading_on_next_line():
    text = "Akte\nARTIKEL 1\nNaam\nDe naam is X.\nArtikel 2 - Doel\nZorg."
    intro, found = articles.split_articles(text)
    assert intro == ["Akte"]
    assert [(a.number, a.heading, a.text) for a in found] == [(1, "Naam", "De naam is X."),
                                                             (2, "Doel", "Zorg.")]


def test_library_filters_sort_and_statuten_view(app, db, client, make_user, make_initiative, login,
                                                upload, extract):
    user = make_user()
    north = make_initiative(province="groningen", name="Noord")
    add_member(db, user, north)
    login(user)
    document_id(upload(make_pdf(LINES), "a.pdf", title="Bstatuten vereniging",
                       legal_form="vereniging", organisation_id=str(north.id)))
    document_id(upload(make_pdf(LINES), "b.pdf", title="Astatuten stichting",
                       legal_form="stichting"))
    document_id(upload(make_pdf(LINES), "c.pdf", title="Folder", doc_type="ledenwerving",
                       legal_form="", tags="werving"))
    extract()

    def titles(**args):
        html = client.get("/documenten", query_string=args).get_data(as_text=True)
        return [t for t in ("Bstatuten vereniging", "Astatuten stichting", "Folder") if t in html]

    assert titles(soort="statuten") == ["Bstatuten vereniging", "Astatuten stichting"]
    assert titles(rechtsvorm="stichting") == ["Astatuten stichting"]
    assert titles(provincie="groningen") == ["Bstatuten vereniging"]
    assert titles(organisatie=str(north.id)) == ["Bstatuten vereniging"]
    assert titles(trefwoord="werving") == ["Folder"]
    html = client.get("/documenten", query_string={"sorteer": "titel"}).get_data(as_text=True)
    assert html.index("Astatuten") < html.index("Bstatuten") < html.index("Folder")
    statutes = client.get("/documenten/voorbeeldstatuten").get_data(as_text=True)
    assert statutes.index("Vereniging") < statutes.index("Bstatuten vereniging")
    assert statutes.index("Stichting") < statutes.index("Astatuten stichting")
    assert "Folder" not in statutes


def test_downloads_are_counted_by_the_worker_not_on_get(app, db, client, make_user, login, upload,
                                                        extract):
    login(make_user())
    doc_id = document_id(upload(make_pdf(LINES), "a.pdf"))
    extract()
    for _ in range(3):
        client.get(f"/documenten/{doc_id}/download")
    client.get(f"/documenten/{doc_id}/download", headers={"Range": "bytes=0-5"})
    assert db.session.get(Document, doc_id).download_count == 0
    extract()
    db.session.expire_all()
    assert db.session.get(Document, doc_id).download_count == 3


def test_anonymous_cannot_upload(app, client):
    response = client.get("/documenten/nieuw")
    assert response.status_code in (302, 303)
    assert "/inloggen" in response.headers["Location"]


def test_extract_command(app, runner, make_user, login, upload):
    login(make_user())
    document_id(upload(make_pdf(LINES), "a.pdf"))
    result = runner.invoke(args=["documents", "extract"])
    assert result.exit_code == 0, result.output
    assert "1 versies verwerkt" in result.output


def test_page_shows_metadata_licence_and_organisation_link(app, client, published):
    ids, org, _owner = published
    html = client.get(f"/documenten/{ids['openbaar']}").get_data(as_text=True)
    assert f'href="/initiatieven/{org.slug}">{org.name}</a>' in html
    assert 'rel="license">CC BY 4.0' in html
    assert "Vereniging" in html and "2024" in html
    assert 'href="/documenten?trefwoord=contributie"' in html
    assert "Document leden" not in html  # related documents follow visibility too


def test_search_hit_has_a_snippet_from_the_file(app, client, published, drain):
    drain()
    html = client.get("/zoeken", query_string={"q": "aansprakelijk"}).get_data(as_text=True)
    assert "Document openbaar" in html
    assert re.search(r'<mark class="hl[^"]*">aansprakelijk</mark>', html)
