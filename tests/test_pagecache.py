"""Pages kept for anonymous visitors: served again until anything changes, never stale,
never personal."""

# Fixtures come from tests/search_support.py by import; pytest injects them by name.
# ruff: noqa: F811

import gzip
import re
import time

import pytest
from sqlalchemy import event, text, update

from kennisnet import create_app
from kennisnet.pagecache import KeptPage, PageStore, bump_content_version
from kennisnet.tips.models import Tip
from tests.conftest import _test_config
from tests.documents_support import extract, upload  # noqa: F401
from tests.factories_forum import forum_app, make_answer, make_question  # noqa: F401
from tests.search_support import make_tip  # noqa: F401


def kept_paths(app) -> list[str]:
    return [key.rstrip("?") for key in app.extensions["kennisnet.pages"].pages]


def change_behind_the_cache(db, slug: str, title: str) -> None:
    """Change a row in a way the cache cannot notice (no ORM commit in any kennisnet process),
    to tell a kept page from a freshly made one."""
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE tip SET title = :title WHERE slug = :slug"),
                           {"title": title, "slug": slug})


def test_a_public_page_is_kept_and_served_again_with_its_headers(app, db, make_tip):
    make_tip(title="Begin klein")
    first = app.test_client().get("/tips")
    assert "/tips" in kept_paths(app)
    change_behind_the_cache(db, "tip-1", "Stiekem veranderd")
    again = app.test_client().get("/tips")
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert "Begin klein" in again.get_data(as_text=True)
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Content-Type"):
        assert again.headers[header] == first.headers[header]
    assert "Cookie" in again.headers["Vary"]
    assert "Set-Cookie" not in again.headers


def test_a_commit_makes_every_kept_page_fresh(app, db, make_tip):
    tip = make_tip(title="Begin klein")
    client = app.test_client()
    assert "Begin klein" in client.get(f"/tips/{tip.slug}").get_data(as_text=True)
    tip.title = "Begin met een vragenlijst"
    db.session.commit()
    assert "Begin met een vragenlijst" in client.get(f"/tips/{tip.slug}").get_data(as_text=True)
    db.session.execute(update(Tip).where(Tip.id == tip.id).values(title="Via een UPDATE"))
    db.session.commit()
    assert "Via een UPDATE" in client.get(f"/tips/{tip.slug}").get_data(as_text=True)


def test_a_commit_in_another_process_reaches_this_ones_pages(app, db, make_tip, tmp_path,
                                                             database_url):
    make_tip(title="Begin klein")
    assert "Begin klein" in app.test_client().get("/tips").get_data(as_text=True)
    # A second application on the same instance folder and database: another gunicorn worker
    # or the indexer, with a page store of its own.
    other = create_app(_test_config(database_url, tmp_path))
    with other.app_context():
        db.session.execute(update(Tip).values(title="Elders veranderd"))
        db.session.commit()
        db.session.remove()
    # The test keeps one app context (and so one session) across requests; in production each
    # request starts its own transaction. End the one the first page read in.
    db.session.rollback()
    assert "Elders veranderd" in app.test_client().get("/tips").get_data(as_text=True)


def test_a_rollback_keeps_the_pages(app, db, make_tip):
    make_tip(title="Begin klein")
    app.test_client().get("/tips")
    db.session.execute(update(Tip).values(title="Teruggedraaid"))
    db.session.rollback()
    assert "/tips" in kept_paths(app)


def test_members_never_get_or_leave_a_kept_page(app, db, make_tip, make_user, login, client):
    make_tip(title="Begin klein")
    member = make_user()
    login(member)
    page = client.get("/tips")
    assert page.status_code == 200
    assert kept_paths(app) == []
    assert page.headers["Cache-Control"] == "no-store"
    anonymous = app.test_client().get("/tips").get_data(as_text=True)
    assert member.email not in anonymous and "Uitloggen" not in anonymous


def test_pages_with_a_form_are_not_kept(app):
    response = app.test_client().get("/inloggen")
    assert response.status_code == 200 and "csrf_token" in response.get_data(as_text=True)
    assert "/inloggen" not in kept_paths(app)


def test_search_redirects_and_errors_are_not_kept(app, make_tip):
    make_tip(title="Begin klein")
    client = app.test_client()
    assert client.get("/zoeken?q=klein").status_code in (200, 503)
    assert client.get("/forum/vraag/999999").status_code == 404
    assert client.get("/profiel").status_code == 302
    assert kept_paths(app) == []


def feed_with_events(make_initiative, count: int = 8) -> None:
    from tests.factories_events import make_event

    organisation = make_initiative()
    for number in range(count):
        make_event(organisation, title=f"Informatieavond {number}")


def statements_during(db, request) -> list[str]:
    statements = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        request()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_conditional_requests_are_answered_by_the_view_and_then_by_the_kept_page(
        app, db, make_initiative):
    feed_with_events(make_initiative)
    first = app.test_client().get("/agenda.ics")
    assert first.status_code == 200 and first.headers.get("ETag")
    app.extensions["kennisnet.pages"].pages.clear()
    conditional = {"If-None-Match": first.headers["ETag"]}
    assert app.test_client().get("/agenda.ics", headers=conditional).status_code == 304
    app.test_client().get("/agenda.ics")  # kept again
    answers = []
    statements = statements_during(db, lambda: answers.append(
        app.test_client().get("/agenda.ics", headers=conditional)))
    assert answers[0].status_code == 304 and answers[0].get_data() == b""
    assert answers[0].headers["ETag"] == first.headers["ETag"]
    assert statements == []  # the kept page answered, not the view
    other = app.test_client().get("/agenda.ics", headers={"If-None-Match": '"iets-anders"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_kept_text_pages_go_compressed_to_clients_that_accept_gzip(app, db, make_initiative):
    feed_with_events(make_initiative)
    plain = app.test_client().get("/agenda.ics")
    assert "/agenda.ics" in kept_paths(app)
    compressed = app.test_client().get("/agenda.ics", headers={"Accept-Encoding": "gzip, br"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    app.extensions["kennisnet.pages"].pages.clear()
    made_now = app.test_client().get("/agenda.ics", headers={"Accept-Encoding": "gzip"})
    assert made_now.get_data() == compressed.get_data()  # the page made for it, compressed too
    assert gzip.decompress(compressed.get_data()) == plain.get_data()
    assert len(compressed.get_data()) < len(plain.get_data()) / 3
    assert {"Accept-Encoding", "Cookie"} <= set(compressed.headers["Vary"].split(", "))
    assert compressed.headers["ETag"] == "W/" + plain.headers["ETag"]
    revalidated = app.test_client().get("/agenda.ics", headers={
        "Accept-Encoding": "gzip", "If-None-Match": compressed.headers["ETag"]})
    assert revalidated.status_code == 304
    for refused in ({}, {"Accept-Encoding": "gzip;q=0, identity"}):
        again = app.test_client().get("/agenda.ics", headers=refused)
        assert "Content-Encoding" not in again.headers
        assert again.get_data() == plain.get_data()


def test_only_longer_text_is_compressed(app, make_tip):
    from flask import Response

    from kennisnet.pagecache import _compressed

    make_tip(title="Begin klein")
    app.test_client().get("/tips")
    assert app.extensions["kennisnet.pages"].pages["/tips?"].gzipped is not None
    text = b"<p>Begin klein met een vragenlijst</p>" * 100
    assert _compressed(Response(text, mimetype="text/html"), text) is not None
    assert _compressed(Response(text[:500], mimetype="text/html"), text[:500]) is None
    assert _compressed(Response(text, mimetype="application/pdf"), text) is None
    already = Response(text, mimetype="text/html", headers={"Content-Encoding": "br"})
    assert _compressed(already, text) is None


def test_pages_expire_after_their_time(app, db, make_tip):
    app.extensions["kennisnet.pages"].max_seconds = 1
    make_tip(title="Begin klein")
    app.test_client().get("/tips")
    change_behind_the_cache(db, "tip-1", "Na een seconde")
    assert "Begin klein" in app.test_client().get("/tips").get_data(as_text=True)
    time.sleep(1.1)
    db.session.rollback()  # see test_a_commit_in_another_process_reaches_this_ones_pages
    assert "Na een seconde" in app.test_client().get("/tips").get_data(as_text=True)


def test_a_new_version_drops_pages_kept_under_the_old_one(app, db, make_tip):
    make_tip(title="Begin klein")
    app.test_client().get("/tips")
    change_behind_the_cache(db, "tip-1", "Na een nieuwe versie")
    bump_content_version(app)  # what `kennisnet restore` and any other process's commit do
    db.session.rollback()  # see test_a_commit_in_another_process_reaches_this_ones_pages
    assert "Na een nieuwe versie" in app.test_client().get("/tips").get_data(as_text=True)


@pytest.mark.parametrize("page_bytes", [1000, 3000])
def test_the_store_stays_within_its_size(page_bytes):
    store = PageStore(max_bytes=100_000, max_seconds=60)
    for n in range(200):
        store.put(f"/p{n}", KeptPage("v1", time.monotonic(), 200, [], b"x" * page_bytes))
        assert store.size <= 100_000
    assert store.size == sum(len(page.body) for page in store.pages.values())
    assert store.get("/p199", "v1") is not None  # the newest stays
    assert store.get("/p0", "v1") is None  # the oldest went first
    assert store.get("/p199", "v2") is None  # another version is not served
    store.put("/huge", KeptPage("v1", time.monotonic(), 200, [], b"x" * 50_001))
    assert store.get("/huge", "v1") is None


def test_every_visitor_page_without_a_form_is_kept(app, db, seeded, make_user, make_initiative,
                                                   make_question, make_answer, upload, extract,
                                                   client, login):
    """Walk the site's links as a visitor: a page is kept exactly when it has no form that needs
    a session. A view that makes a form it does not show (and so a session) fails here."""
    from tests.factories_documents import make_pdf
    from tests.factories_events import make_event

    author = make_user()
    make_answer(make_question(author), author)
    make_event(make_initiative(), capacity=5)
    login(author)
    assert upload(make_pdf(["Statuten van de vereniging"]), "statuten.pdf").status_code == 303
    extract()
    db.session.rollback()  # see test_a_commit_in_another_process_reaches_this_ones_pages
    seen, queue, checked = set(), ["/"], {}
    while queue and len(seen) < 120:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = app.test_client().get(path)  # a new visitor each time: no cookies
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        kept = path.partition("#")[0] in kept_paths(app)
        if not path.startswith("/zoeken"):
            checked[path] = kept
            assert kept != ('name="csrf_token"' in html), path
        queue += [link for link in re.findall(r'href="(/[^"#]*)', html)
                  if not link.startswith(("/static/", "//")) and "download" not in link]
    kept_pages = [path for path, kept in checked.items() if kept]
    for page in ("/", "/tips", "/forum", "/agenda", "/documenten", "/initiatieven"):
        assert page in kept_pages
    assert any(path.startswith("/forum/vraag/") for path in kept_pages)
    assert any(path.startswith("/agenda/") and path[8:].isdigit() for path in kept_pages)
    assert any(path.startswith("/documenten/") and path[12:].isdigit() for path in kept_pages)
    assert len(kept_pages) >= 30, len(kept_pages)


def test_development_leaves_pages_unkept_so_template_edits_show(database_url, _schema,
                                                                tmp_path, monkeypatch):
    monkeypatch.delenv("KENNISNET_PAGE_CACHE_SECONDS", raising=False)
    monkeypatch.setenv("KENNISNET_ENV", "development")
    config = {key: value for key, value in _test_config(database_url, tmp_path).items()
              if key != "PAGE_CACHE_SECONDS"}
    assert "kennisnet.pages" not in create_app(config).extensions


def test_a_version_file_that_cannot_be_written_does_not_fail_the_save(app, db, make_tip,
                                                                      tmp_path, caplog):
    tip = make_tip(title="Begin klein")
    blocker = tmp_path / "geen-map"
    blocker.write_text("a file where a folder should be")
    app.config["PAGE_CACHE_VERSION_FILE"] = str(blocker / "content-version")
    tip.title = "Toch bewaard"
    db.session.commit()  # the version cannot be written (NotADirectoryError), even by root
    db.session.expire_all()
    assert db.session.get(Tip, tip.id).title == "Toch bewaard"
    assert "kept pages may be stale" in caplog.text


def test_a_savepoint_waits_for_the_outer_commit(app, db, make_tip):
    from kennisnet.pagecache import content_version

    make_tip(title="Begin klein")
    before = content_version(app)
    with db.session.begin_nested():  # as the forum's vote and the submission claim do
        db.session.execute(update(Tip).values(title="In een savepoint"))
    # Released, but not committed: a page made now must not be kept under a new version.
    assert content_version(app) == before
    db.session.commit()
    assert content_version(app) != before


def test_changes_before_a_rolled_back_savepoint_still_count(app, db, make_tip):
    from kennisnet.pagecache import content_version

    tip = make_tip(title="Begin klein")
    before = content_version(app)
    tip.title = "Voor de savepoint"
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.execute(update(Tip).values(title="Teruggedraaid"))
    savepoint.rollback()
    db.session.commit()
    assert content_version(app) != before
    assert "Voor de savepoint" in app.test_client().get("/tips").get_data(as_text=True)
