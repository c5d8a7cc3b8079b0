"""/zoeken and /zoeken/suggesties over HTTP: odd input, visibility, facets, paging, errors."""

# Fixtures come from tests/search_support.py by import; pytest injects them by name.
# ruff: noqa: F811

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from kennisnet.extensions import db
from kennisnet.search.store import CURRENT_FILE, current_generation
from tests.search_support import (  # noqa: F401
    drain,
    found,
    make_note,
    make_page,
    make_tip,
    note_rule,
)

ODD_INPUTS = ['"statuten', "((((", ":", "*", "\x00", "statuten\x00coöperatie", "a" * 10_000,
              "<script>alert(1)</script>", "NOT", "-", "OR OR", "\\", "%", "[a TO z]",
              "title:x^9", "'''", "«»„“", "🙂", "\u202e", "\t\n", "~", "zorg~2"]


@pytest.fixture
def tips(make_tip, drain):
    make_tip(title="Statuten van een coöperatie", explanation="Lees de statuten goed door.")
    make_tip(title="Contributie", explanation="Leden betalen contributie.", phase="groei")
    drain()


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_input_answers_200_and_echoes_escaped(tips, client, text):
    started = time.perf_counter()
    response = client.get("/zoeken", query_string={"q": text})
    assert response.status_code == 200
    assert time.perf_counter() - started < 2
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    if "script" in text:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_long_query_is_echoed_cut(tips, client):
    html = client.get("/zoeken", query_string={"q": "statuten " + "x" * 10_000}).get_data(
        as_text=True)
    echoed = html.split('class="search-query">')[1].split("</strong>")[0]
    assert echoed == "statuten " + "x" * 247
    header_box = re.search(r'<input id="zoekvak"[^>]*>', html).group(0)
    assert 'value="statuten ' + "x" * 247 + '"' in header_box  # the header echoes it cut too


@pytest.mark.parametrize("raw", ["q=%00", "q=%ED%A0%80", "q=stat%ED%A0%80uten", "q=%FF%FE",
                                 "q=statuten&pagina=abc", "q=statuten&pagina=-4",
                                 "q=statuten&pagina=99999999999999999999", "q=statuten&soort=",
                                 "q=statuten&sorteer=%3Cb%3E", "q=statuten&provincie=%00"])
def test_raw_bytes_and_bad_parameters(tips, client, raw):
    assert client.get("/zoeken?" + raw).status_code == 200


def test_lone_surrogate_in_the_query(tips, app):
    # HTTP clients cannot even encode a lone surrogate, so hand one straight to the view.
    from werkzeug.datastructures import MultiDict

    from kennisnet.search import views

    with app.test_request_context("/zoeken"):
        from flask import request

        request.args = MultiDict({"q": "statuten \ud800"})
        views.clean_query_argument()
        html = views.results()
    assert "Statuten van een coöperatie" in html and "\ud800" not in html


def test_snippet_marks_words_and_escapes_content(make_tip, drain, client):
    make_tip(title="Veilig", explanation="Een <script>alert(2)</script> en de statuten.")
    drain()
    html = client.get("/zoeken?q=statuten").get_data(as_text=True)
    assert '<mark class="hl term0">statuten</mark>' in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<script>alert(2)" not in html


def test_search_page_is_public(client):
    assert client.get("/zoeken").status_code == 200
    assert client.get("/zoeken/suggesties?q=st").status_code in (200, 503)


def test_empty_state_has_tips(tips, client):
    html = client.get("/zoeken?q=onvindbaarwoord").get_data(as_text=True)
    assert "Geen resultaten" in html and "Controleer de spelling" in html


def test_unapproved_initiative_never_appears(make_initiative, drain, found, client):
    make_initiative(name="Zorgcoöperatie Zichtbaar", description="Geheimwoord staat hier.")
    hidden = make_initiative(name="Zorgcoöperatie Verborgen", is_approved=False,
                             description="Geheimwoord staat ook hier.")
    drain()
    assert found("geheimwoord") == ["Zorgcoöperatie Zichtbaar"]
    html = client.get("/zoeken?q=verborgen").get_data(as_text=True)
    assert "Verborgen" not in html.split('role="status"')[1]
    suggestions = client.get("/zoeken/suggesties?q=zorgco").get_json()["suggestions"]
    assert [s["title"] for s in suggestions] == ["Zorgcoöperatie Zichtbaar"]

    hidden.is_approved = True
    drain()
    assert sorted(found("geheimwoord")) == ["Zorgcoöperatie Verborgen", "Zorgcoöperatie Zichtbaar"]


def test_hidden_before_the_indexer_ran_is_not_shown(make_initiative, drain, found):
    initiative = make_initiative(name="Zorgcoöperatie Tijdelijk", description="Tijdelijkwoord.")
    drain()
    assert found("tijdelijkwoord") == ["Zorgcoöperatie Tijdelijk"]
    initiative.is_approved = False
    db.session.commit()  # the index still has it: the database check must hide it, snippet too
    assert found("tijdelijkwoord") == []


def test_members_only_items_need_a_login(make_note, drain, found, client, make_user, login):
    make_note(title="Openbare notitie", body="Ledenwoord.")
    make_note(title="Notitie voor leden", body="Ledenwoord. Vertrouwelijk.", members_only=True)
    make_note(title="Verborgen notitie", body="Ledenwoord.", hidden=True)
    drain()
    assert found("ledenwoord") == ["Openbare notitie"]
    html = client.get("/zoeken?q=vertrouwelijk").get_data(as_text=True)
    assert "Vertrouwelijk" not in html.split('role="status"')[1]
    assert "testnotitie" not in json.dumps(client.get("/zoeken?q=ledenwoord").get_json() or {})
    login(make_user())
    assert sorted(found("ledenwoord")) == ["Notitie voor leden", "Openbare notitie"]


def test_kind_counts_stay_visible_when_filtering(tips, make_page, drain, client):
    make_page(title="Over statuten", body="Statuten zijn de regels.")
    drain()
    html = client.get("/zoeken?q=statuten&soort=gids").get_data(as_text=True)
    assert 'value="gids" checked' in html
    assert "Gidspagina <span class=\"count\">(1)</span>" in html
    assert "Tip <span class=\"count\">(1)</span>" in html
    assert html.count('class="search-hit"') == 1


def test_filters_by_phase_and_sorts_newest(tips, found):
    assert found("statuten OR contributie", fase="groei") == ["Contributie"]
    assert found("statuten OR contributie", sorteer="nieuwste") == [
        "Contributie", "Statuten van een coöperatie"]


def test_filters_by_province_and_tag(make_initiative, drain, found):
    make_initiative(name="Brabants initiatief", province="noord-brabant", description="Dorp.")
    initiative = make_initiative(name="Utrechts initiatief", province="utrecht",
                                 description="Dorp.")
    initiative.set_services(["vervoer"])
    db.session.commit()
    drain()
    assert found("dorp", provincie="utrecht") == ["Utrechts initiatief"]
    assert found("dorp", tag="Vervoer") == ["Utrechts initiatief"]


def test_pagination(make_tip, drain, client, found):
    for n in range(23):
        make_tip(title=f"Vergadertip {n}", explanation="Over de ledenvergadering.")
    drain()
    first = found("ledenvergadering")
    third = found("ledenvergadering", pagina=3)
    assert len(first) == 10 and len(third) == 3 and not set(first) & set(third)
    html = client.get("/zoeken?q=ledenvergadering&pagina=2").get_data(as_text=True)
    assert "Pagina 2 van 3" in html and 'rel="next"' in html and 'rel="prev"' in html
    assert found("ledenvergadering", pagina=9) == third  # past the end: the last page


def test_suggestions_json(tips, client):
    response = client.get("/zoeken/suggesties?q=statu")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    data = response.get_json()
    assert data["suggestions"][0]["title"] == "Statuten van een coöperatie"
    assert data["suggestions"][0]["url"].startswith("/tips/")
    assert client.get("/zoeken/suggesties?q=%00((((").get_json()["suggestions"] == []


def _break_index(app, how: str) -> None:
    root = Path(app.config["SEARCH_INDEX_DIR"])
    if how == "missing":
        (root / CURRENT_FILE).unlink()
        return
    # A damaged copy of the index made live. (Files are never changed in place: a searcher
    # maps them into memory, and truncating a mapped file kills the process with SIGBUS.)
    damaged = root / "gen-damaged"
    shutil.copytree(root / current_generation(root), damaged)
    for path in damaged.iterdir():
        if path.suffix in (".toc", ".seg"):
            path.write_bytes(b"\x00garbage" * 10)
    (root / CURRENT_FILE).write_text("gen-damaged\n")


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_broken_index_says_unavailable_not_500(tips, app, client, how):
    assert client.get("/zoeken?q=statuten").status_code == 200
    _break_index(app, how)
    response = client.get("/zoeken?q=statuten")
    assert response.status_code == 503
    assert "Zoeken is tijdelijk niet beschikbaar" in response.get_data(as_text=True)
    assert client.get("/zoeken/suggesties?q=stat").status_code == 503


def test_no_index_yet_is_unavailable(app, client):
    assert client.get("/zoeken?q=statuten").status_code == 503
    assert client.get("/zoeken").status_code == 200  # the empty search page needs no index


def test_words_that_never_meet_fall_back_to_any_of_them(app, client, db):
    from kennisnet.search.indexer import drain_outbox
    from kennisnet.tips.models import GuidePage

    db.session.add(GuidePage(slug="a", title="Vervoer in het dorp", body="De bus rijdt.",
                             position=1))
    db.session.add(GuidePage(slug="b", title="Koken met vrijwilligers", body="Samen eten.",
                             position=2))
    db.session.commit()
    drain_outbox()
    html = client.get("/zoeken?q=vervoer+vrijwilligers").get_data(as_text=True)
    assert "Geen resultaten met al deze woorden samen." in html
    assert "Vervoer in het dorp" in html and "Koken met vrijwilligers" in html
    html = client.get('/zoeken?q="vervoer+vrijwilligers"').get_data(as_text=True)
    assert "Geen resultaten met al deze woorden samen." not in html
