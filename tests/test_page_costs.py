"""The cheaper page builds keep their behaviour: the agenda in pages of fifty, the GeoJSON's
ETag and 304, the forum's capped page count, the library's organisation text filter, and the
kept filter lists that must follow every change."""

import re
from datetime import UTC, datetime, timedelta

from kennisnet.documents.models import Document
from kennisnet.events import recurrence
from kennisnet.events.views import PAGE_SIZE
from kennisnet.extensions import db
from tests.factories_events import make_event
from tests.factories_forum import forum_app, make_question  # noqa: F401 - pytest fixtures

NEXT = re.compile(r'rel="next" href="([^"]+)"')
OCCURRENCE = re.compile(r'<a href="/agenda/(\d+)(?:\?keer=(\w+))?">')


def _agenda_walk(client, path="/agenda"):
    """Every page of the agenda from `path`: a list of (event id, occurrence key) per page."""
    pages = []
    while path and len(pages) < 20:
        html = client.get(path).get_data(as_text=True)
        pages.append(OCCURRENCE.findall(html))
        found = NEXT.search(html)
        path = found.group(1).replace("&amp;", "&") if found else None
    return pages


def test_agenda_pages_by_count_and_misses_or_repeats_nothing(client, make_initiative,
                                                             report_figure):
    organisation = make_initiative(name="Austerlitz Zorgt", slug="austerlitz-zorgt")
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    singles = [make_event(organisation, starts_at=soon + timedelta(hours=7 * n),
                          title=f"Bijeenkomst {n}") for n in range(70)]
    series = make_event(organisation, starts_at=soon + timedelta(minutes=30), title="Wekelijks",
                        recurrence="weekly", repeat_count=6)
    pages = _agenda_walk(client)
    shown = [item for page in pages for item in page]
    assert [len(page) for page in pages] == [PAGE_SIZE, 70 + 6 - PAGE_SIZE]
    assert len(set(shown)) == len(shown) == 76
    assert {int(event_id) for event_id, _key in shown} == {e.id for e in singles} | {series.id}
    starts = [recurrence.find_occurrence(db.session.get(type(series), int(event_id)), key or "")
              .starts_at for event_id, key in shown]
    assert starts == sorted(starts)
    second = client.get(NEXT.search(client.get("/agenda").get_data(as_text=True)).group(1)
                        .replace("&amp;", "&")).get_data(as_text=True)
    assert "Terug naar nu" in second and '<h2 id="maand-' in second
    report_figure("page_costs.agenda_pages_walked", len(pages))


def test_agenda_paging_keeps_filters_and_survives_odd_cursors(client, make_initiative):
    utrecht = make_initiative(name="Utrecht Zorgt", slug="utrecht-zorgt", province="utrecht")
    limburg = make_initiative(name="Limburg Zorgt", slug="limburg-zorgt", province="limburg")
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    for n in range(PAGE_SIZE + 5):
        make_event(utrecht, starts_at=soon + timedelta(hours=n), province="utrecht")
        make_event(limburg, starts_at=soon + timedelta(hours=n), province="limburg")
    pages = _agenda_walk(client, "/agenda?provincie=limburg")
    assert [len(page) for page in pages] == [PAGE_SIZE, 5]
    html = client.get("/agenda?provincie=limburg").get_data(as_text=True)
    assert "provincie=limburg" in NEXT.search(html).group(1)
    for odd in ("na=onzin", "na=20990101T000000Z.1", "na=20260101T000000Z.99999999999999999",
                "na=20260101T000000Z.", "na=.5", "na=<b>"):
        assert client.get(f"/agenda?{odd}").status_code == 200


def test_geojson_answers_304_until_the_directory_changes(client, make_initiative):
    initiative = make_initiative(name="Zorg in Hoogeloon")
    first = client.get("/initiatieven.geojson")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.get_json()["features"]
    again = client.get("/initiatieven.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    other = client.get("/initiatieven.geojson?velden=kaart", headers={"If-None-Match": etag})
    assert other.status_code == 200
    initiative.name = "Zorg in Hoogeloon en Casteren"
    db.session.commit()
    changed = client.get("/initiatieven.geojson", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    names = [f["properties"]["name"] for f in changed.get_json()["features"]]
    assert names == ["Zorg in Hoogeloon en Casteren"]


def test_forum_counts_pages_only_a_little_ahead(client, make_user, make_question):  # noqa: F811
    author = make_user()
    for n in range(201):
        make_question(author, title=f"Vraag nummer {n}")
    first = client.get("/forum").get_data(as_text=True)
    assert "Pagina 1 van 10+" in first and 'rel="next"' in first
    second = client.get("/forum?pagina=2").get_data(as_text=True)
    assert "Pagina 2 van 11" in second
    last = client.get("/forum?pagina=11").get_data(as_text=True)
    assert "Pagina 11 van 11" in last and 'rel="next"' not in last
    assert "Vraag nummer 0" in last


def _document(title, organisation=None, **values) -> Document:
    document = Document(title=title, doc_type="folder", organisation=organisation,
                        published_at=datetime.now(UTC), **values)
    db.session.add(document)
    db.session.commit()
    return document


def test_library_filters_on_organisation_name_and_keeps_the_tag_list_current(
        client, make_initiative):
    north = make_initiative(name="Noorderzorg")
    south = make_initiative(name="Zuiderzorg")
    folder = _document("Folder van het noorden", north)
    _document("Folder van het zuiden", south)
    html = client.get("/documenten?van=noorder").get_data(as_text=True)
    assert "Folder van het noorden" in html and "Folder van het zuiden" not in html
    assert "<option" not in html.split('id="f-van"')[1].split("</div>")[0]
    by_id = client.get(f"/documenten?organisatie={north.id}").get_data(as_text=True)
    assert 'value="Noorderzorg"' in by_id and "Folder van het zuiden" not in by_id
    assert client.get("/documenten?van=%25_%5C").status_code == 200
    assert "vervoer" not in client.get("/documenten").get_data(as_text=True)
    folder.set_tags(["vervoer"])
    db.session.commit()
    assert 'value="vervoer"' in client.get("/documenten").get_data(as_text=True)


def test_agenda_organiser_filter_takes_a_slug_or_words_of_the_name(client, make_initiative):
    zorg = make_initiative(name="Austerlitz Zorgt", slug="zorg")
    oost = make_initiative(name="Zorg Oost", slug="zorg-oost")
    make_event(zorg, title="Spreekuur Austerlitz")
    make_event(oost, title="Spreekuur Oost")

    def titles(query):
        html = client.get("/agenda", query_string={"organisator": query}).get_data(as_text=True)
        return sorted(t for t in ("Spreekuur Austerlitz", "Spreekuur Oost") if t in html)

    assert titles("zorg") == ["Spreekuur Austerlitz"]  # an existing slug: that organiser only
    assert titles("zorg-oost") == ["Spreekuur Oost"]
    assert titles("  oost   ZORG ") == ["Spreekuur Oost"]
    assert titles("zorgt") == ["Spreekuur Austerlitz"]
    assert titles("100%_\\") == []
    html = client.get("/agenda?organisator=zorg").get_data(as_text=True)
    assert 'value="Austerlitz Zorgt"' in html and "<option value=\"zorg\"" not in html
