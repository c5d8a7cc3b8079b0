"""The directory, profiles, networks and figures: what anyone can read."""

import re

import pytest

from kennisnet.initiatives.queries import haversine_km, in_netherlands, nearest
from tests import factories_initiatives

# Fixtures shared with the other initiatives tests.
add_member = factories_initiatives.add_member
make_network = factories_initiatives.make_network


def _names(html: str) -> set[str]:
    return set(re.findall(r'<h3><a href="/initiatieven/[^"]+">([^<]+)</a></h3>', html))


@pytest.fixture
def sample(make_initiative):
    return {
        "hoogeloon": make_initiative(name="Zorgcoöperatie Hoogeloon", slug="hoogeloon",
                                     province="noord-brabant", kind="zorgcooperatie",
                                     legal_form="cooperatie", status="actief", place="Hoogeloon",
                                     latitude=51.3983, longitude=5.2514),
        "austerlitz": make_initiative(name="Austerlitz Zorgt", slug="austerlitz",
                                      province="utrecht", kind="zorgcooperatie",
                                      legal_form="vereniging", status="actief",
                                      place="Austerlitz", latitude=52.0822, longitude=5.3163),
        "stadsdorp": make_initiative(name="Stadsdorp Zuid", slug="stadsdorp", place="Amsterdam",
                                     province="noord-holland", kind="stadsdorp",
                                     legal_form="informeel", status="in_oprichting",
                                     latitude=52.35, longitude=4.87,
                                     description="Buren helpen elkaar met boodschappen."),
        "gestopt": make_initiative(name="Oud Initiatief", slug="oud", province="utrecht",
                                   kind="dorpsvereniging", legal_form="stichting",
                                   status="gestopt", place="Zeist", latitude=52.09,
                                   longitude=5.23),
    }


def test_directory_lists_approved_initiatives_only(client, sample, make_initiative):
    make_initiative(name="Geheim Initiatief", is_approved=False)
    response = client.get("/initiatieven")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _names(html) == {"Zorgcoöperatie Hoogeloon", "Austerlitz Zorgt", "Stadsdorp Zuid",
                            "Oud Initiatief"}
    assert "4 initiatieven gevonden" in html


@pytest.mark.parametrize("query, expected", [
    ("provincie=utrecht", {"Austerlitz Zorgt", "Oud Initiatief"}),
    ("soort=stadsdorp", {"Stadsdorp Zuid"}),
    ("rechtsvorm=vereniging", {"Austerlitz Zorgt"}),
    ("status=gestopt", {"Oud Initiatief"}),
    ("status=in_oprichting", {"Stadsdorp Zuid"}),
    ("q=boodschappen", {"Stadsdorp Zuid"}),
    ("q=HOOGELOON", {"Zorgcoöperatie Hoogeloon"}),
    ("q=zeist+oud", {"Oud Initiatief"}),
    ("provincie=utrecht&status=actief", {"Austerlitz Zorgt"}),
    ("dienst=vervoer", {"Zorgcoöperatie Hoogeloon"}),
    ("dienst=vervoer&dienst=maaltijden", {"Zorgcoöperatie Hoogeloon"}),
    ("dienst=vervoer&dienst=ontmoeting", set()),
    ("q=100%25", set()),
])
def test_directory_filters(client, sample, db, query, expected):
    sample["hoogeloon"].set_services(["vervoer", "maaltijden"])
    sample["austerlitz"].set_services(["maaltijden", "ontmoeting"])
    db.session.commit()
    response = client.get(f"/initiatieven?{query}")
    assert response.status_code == 200
    assert _names(response.get_data(as_text=True)) == expected


def test_directory_keeps_the_chosen_filters_in_the_form(client, sample):
    html = client.get("/initiatieven?provincie=utrecht&dienst=vervoer&q=zorg").get_data(
        as_text=True)
    assert '<option selected value="utrecht">' in html
    assert re.search(r'<input checked id="dienst-\d+" name="dienst" type="checkbox" '
                     r'value="vervoer">', html)
    assert 'value="zorg"' in html


@pytest.mark.parametrize("query", ["provincie=mars", "soort=kasteel", "dienst=toveren",
                                   "q=" + "x" * 101])
def test_bad_filter_values_give_a_clear_400(client, sample, query):
    response = client.get(f"/initiatieven?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Er is iets niet goed ingevuld" in html
    assert len(_names(html)) == 4  # the list still shows everything


def test_directory_paginates(client, make_initiative):
    for n in range(23):
        make_initiative(name=f"Initiatief {n:02d}")
    first = client.get("/initiatieven").get_data(as_text=True)
    second = client.get("/initiatieven?pagina=2").get_data(as_text=True)
    assert len(_names(first)) == 20 and len(_names(second)) == 3
    assert "Initiatief 22" in second and "Initiatief 22" not in first
    assert "Pagina 1 van 2" in first


def test_directory_map_uses_the_same_filters(client, sample):
    html = client.get("/initiatieven?provincie=utrecht&pagina=1").get_data(as_text=True)
    assert 'data-geojson-url="/initiatieven.geojson?velden=kaart&amp;provincie=utrecht"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "leaflet.markercluster.js" in html
    assert 'data-outline-url="/static/geo/nederland.geojson"' in html


def test_vendor_files_and_outline_are_served_locally(client):
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css",
                 "/static/vendor/leaflet/images/marker-icon.png",
                 "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
                 "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
                 "/static/geo/nederland.geojson"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_outline_is_small_valid_geojson_inside_the_netherlands():
    import json
    from pathlib import Path

    import geojson

    path = Path(__file__).parent.parent / "static" / "geo" / "nederland.geojson"
    assert path.stat().st_size < 60_000
    assert (path.parent / "LICENCE.md").exists()
    outline = geojson.loads(path.read_text())
    assert outline.is_valid, outline.errors()
    points = [p for poly in json.loads(path.read_text())["features"][0]["geometry"]["coordinates"]
              for ring in poly for p in ring]
    assert all(in_netherlands(lat, lon) for lon, lat in points)


def test_profile_shows_facts_and_networks(client, sample, make_network, add_member, make_user):
    hoogeloon = sample["hoogeloon"]
    hoogeloon.contact_email, hoogeloon.founded_year = "info@hoogeloon.nl", 2005
    hoogeloon.website = "https://zorgcooperatiehoogeloon.nl"
    hoogeloon.set_services(["vervoer"])
    add_member(make_user(), hoogeloon)
    make_network(name="Koepel Zuid", slug="koepel-zuid", members=[hoogeloon])
    make_network(name="Ander Netwerk", members=[sample["austerlitz"]])
    response = client.get("/initiatieven/hoogeloon")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Zorgcoöperatie Hoogeloon</h1>" in html
    for text in ("Coöperatie", "2005", "Vervoer", "info@hoogeloon.nl",
                 "https://zorgcooperatiehoogeloon.nl", "Laatst bevestigd op"):
        assert text in html, text
    assert re.search(r"<dt>Leden op kennisnet</dt><dd>1</dd>", html)
    assert 'href="/netwerken/koepel-zuid"' in html and "Ander Netwerk" not in html
    assert 'data-lat="51.3983"' in html


def test_unapproved_profile_is_hidden_from_outsiders(client, make_initiative, make_user, login,
                                                     add_member):
    hidden = make_initiative(slug="nieuw", is_approved=False)
    assert client.get("/initiatieven/nieuw").status_code == 404
    member = make_user()
    add_member(member, hidden, role="beheerder")
    login(member)
    response = client.get("/initiatieven/nieuw")
    assert response.status_code == 200
    assert "wacht op goedkeuring" in response.get_data(as_text=True)


def test_unknown_profile_is_404(client):
    assert client.get("/initiatieven/bestaat-niet").status_code == 404
    assert client.get("/netwerken/bestaat-niet").status_code == 404


def test_haversine_matches_known_distances():
    # Amsterdam Centraal to Utrecht Centraal is about 35 km as the crow flies.
    assert haversine_km(52.3791, 4.9003, 52.0894, 5.1101) == pytest.approx(35.3, abs=0.5)
    assert haversine_km(52.0, 5.0, 52.0, 5.0) == 0


def test_nearest_initiatives_are_ordered_by_distance(app, sample, make_initiative):
    make_initiative(name="Zonder plek", latitude=None, longitude=None)
    make_initiative(name="Niet goedgekeurd", latitude=52.08, longitude=5.31, is_approved=False)
    found = nearest(sample["austerlitz"], limit=5)
    assert [i.slug for i, _ in found] == ["oud", "stadsdorp", "hoogeloon"]
    distances = [km for _, km in found]
    assert distances == sorted(distances)
    assert distances[0] == pytest.approx(haversine_km(52.0822, 5.3163, 52.09, 5.23))


def test_profile_shows_nearby_initiatives_nearest_first(client, sample):
    html = client.get("/initiatieven/austerlitz").get_data(as_text=True)
    section = html.split('id="buurt-kop"')[1]
    positions = [section.index(name) for name in ("Oud Initiatief", "Stadsdorp Zuid",
                                                   "Zorgcoöperatie Hoogeloon")]
    assert positions == sorted(positions)
    assert "6,0 km" in section  # Austerlitz to Zeist, with a Dutch decimal comma


def test_network_profile_lists_members_and_provinces(client, sample, make_network):
    network = make_network(name="Utrechts Netwerk", slug="utrecht-netwerk", level="landelijk",
                           provinces=("utrecht", "friesland"),
                           members=[sample["austerlitz"], sample["gestopt"]])
    response = client.get(f"/netwerken/{network.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Utrechts Netwerk</h1>" in html and "Landelijk" in html
    assert "Fryslân" in html and "Utrecht" in html
    assert 'href="/initiatieven/austerlitz"' in html and 'href="/initiatieven/oud"' in html
    assert "Hoogeloon" not in html
    networks = client.get("/netwerken").get_data(as_text=True)
    assert 'href="/netwerken/utrecht-netwerk"' in networks


def test_seeded_network_links_to_its_members(client, seeded):
    html = client.get("/netwerken/koepel-zorgcooperaties-zuid-nederland").get_data(as_text=True)
    assert 'href="/initiatieven/zorgcooperatie-hoogeloon"' in html
    profile = client.get("/initiatieven/zorgcooperatie-hoogeloon").get_data(as_text=True)
    assert 'href="/netwerken/koepel-zorgcooperaties-zuid-nederland"' in profile


def test_figures_page_shows_charts_with_tables(client, sample):
    sample["hoogeloon"].founded_year = 2005
    sample["austerlitz"].founded_year = 2012
    from kennisnet.extensions import db

    db.session.commit()
    response = client.get("/initiatieven/cijfers")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<svg class="bar-chart"') == 3
    assert "<td>Utrecht</td><td>2</td>" in html
    assert "<td>Zorgcoöperatie</td><td>2</td>" in html
    assert "<td>2005</td><td>1</td><td>1</td>" in html
    assert "<td>2012</td><td>1</td><td>2</td>" in html


def test_directory_pages_are_public(client, sample, make_network):
    network = make_network()
    for path in ("/initiatieven", "/initiatieven/hoogeloon", "/netwerken",
                 f"/netwerken/{network.slug}", "/initiatieven/cijfers"):
        assert client.get(path).status_code == 200, path


def test_initiatives_and_networks_are_found_through_search(client, sample, make_initiative,
                                                          make_network):
    from kennisnet.search import drain_outbox

    make_initiative(name="Verborgen Boodschappenhulp", is_approved=False,
                    description="Wij doen boodschappen.")
    make_network(name="Boodschappennetwerk Brabant", description="Samen boodschappen doen.")
    drain_outbox()
    response = client.get("/zoeken?q=boodschappen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/initiatieven/stadsdorp"' in html
    assert "Boodschappennetwerk Brabant" in html
    assert "Verborgen Boodschappenhulp" not in html


def test_profile_gathers_events_documents_and_answered_questions(client, db, sample, make_user,
                                                                 add_member, make_network):
    from datetime import UTC, datetime, timedelta

    from kennisnet.documents.models import Document
    from kennisnet.events.models import Event
    from kennisnet.forum.models import Answer, Question

    hoogeloon, austerlitz = sample["hoogeloon"], sample["austerlitz"]
    network = make_network(name="Koepel", slug="koepel", members=[hoogeloon])
    member, outsider = make_user(), make_user()
    add_member(member, hoogeloon)
    soon = datetime.now(UTC) + timedelta(days=7)
    for title, organisation, start in (("Ledenvergadering", hoogeloon, soon),
                                       ("Lang geleden", hoogeloon, soon - timedelta(days=60)),
                                       ("Elders", austerlitz, soon)):
        db.session.add(Event(organisation_id=organisation.id, title=title, kind="bijeenkomst",
                             starts_at=start, ends_at=start + timedelta(hours=2),
                             last_ends_at=start + timedelta(hours=2)))
    now = datetime.now(UTC)
    db.session.add_all([
        Document(title="Onze statuten", doc_type="statuten", organisation_id=hoogeloon.id,
                 published_at=now),
        Document(title="Concept", doc_type="statuten", organisation_id=hoogeloon.id),
    ])
    answered = Question(title="Hoe regel je vervoer?", author_id=outsider.id)
    unanswered = Question(title="Wie weet iets van subsidie?", author_id=outsider.id)
    db.session.add_all([answered, unanswered])
    db.session.flush()
    db.session.add(Answer(question_id=answered.id, author_id=member.id, body="Met vrijwilligers."))
    db.session.add(Answer(question_id=unanswered.id, author_id=outsider.id, body="Geen idee."))
    db.session.commit()

    html = client.get("/initiatieven/hoogeloon").get_data(as_text=True)
    assert "Ledenvergadering" in html and "Lang geleden" not in html and "Elders" not in html
    assert "Onze statuten" in html and "Concept" not in html  # unpublished stays hidden
    assert "Hoe regel je vervoer?" in html and "subsidie" not in html
    agenda = client.get(f"/netwerken/{network.slug}").get_data(as_text=True)
    assert "Agenda van het netwerk" in agenda and "Ledenvergadering" in agenda
    assert "Elders" not in agenda


def test_configured_tile_server_is_passed_to_the_map_and_allowed_by_csp(app, client, sample):
    app.config["MAP_TILE_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get("/initiatieven")
    html = response.get_data(as_text=True)
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "https://tiles.example.org" in response.headers["Content-Security-Policy"]


def test_without_a_tile_server_the_map_uses_the_offline_outline(client, sample):
    response = client.get("/initiatieven")
    assert 'data-tile-url=""' in response.get_data(as_text=True)
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]


def test_seeded_profiles_do_not_claim_a_confirmation(client, seeded):
    html = client.get("/initiatieven/zorgcooperatie-hoogeloon").get_data(as_text=True)
    assert "nog niet bevestigd" in html
    assert "Laatst bevestigd op" not in html
