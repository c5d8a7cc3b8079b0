"""Open data: GeoJSON (checked with the geojson package), the JSON API and its OpenAPI document."""

import geojson
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests import factories_initiatives

make_network = factories_initiatives.make_network  # a fixture


@pytest.fixture
def sample(make_initiative):
    a = make_initiative(name="Austerlitz Zorgt", slug="austerlitz", province="utrecht",
                        latitude=52.0822, longitude=5.3163, contact_email="info@az.nl")
    b = make_initiative(name="Hoogeloon", slug="hoogeloon", province="noord-brabant",
                        kind="dorpsvereniging", latitude=51.3983, longitude=5.2514)
    make_initiative(name="Zonder plek", slug="zonder-plek", latitude=None, longitude=None)
    make_initiative(name="Nog niet goedgekeurd", slug="geheim", is_approved=False)
    return a, b


def test_geojson_is_valid_rfc7946(client, sample):
    response = client.get("/initiatieven.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    collection = geojson.loads(response.get_data(as_text=True))
    assert isinstance(collection, geojson.FeatureCollection)
    assert collection.is_valid, collection.errors()
    names = {f["properties"]["name"] for f in collection["features"]}
    assert names == {"Austerlitz Zorgt", "Hoogeloon"}  # no unapproved, none without a place
    feature = next(f for f in collection["features"] if f["properties"]["slug"] == "austerlitz")
    assert feature["geometry"]["coordinates"] == [5.3163, 52.0822]  # longitude first
    assert feature["properties"]["url"] == "/initiatieven/austerlitz"


def test_geojson_shares_the_page_filters_and_only_public_fields(client, sample):
    collection = client.get("/initiatieven.geojson?provincie=utrecht").get_json()
    assert [f["properties"]["slug"] for f in collection["features"]] == ["austerlitz"]
    assert set(collection["features"][0]["properties"]) == {
        "name", "slug", "place", "province", "kind", "status", "url"}
    kind = client.get("/initiatieven.geojson?soort=dorpsvereniging").get_json()
    assert [f["properties"]["slug"] for f in kind["features"]] == ["hoogeloon"]


def test_compact_geojson_for_the_map_keeps_name_and_slug(client, sample):
    collection = geojson.loads(client.get("/initiatieven.geojson?velden=kaart").get_data(
        as_text=True))
    assert collection.is_valid
    assert {tuple(sorted(f["properties"])) for f in collection["features"]} == {("name", "slug")}
    assert client.get("/initiatieven.geojson?velden=geheim").status_code == 400


def test_geojson_rejects_bad_filters_with_json(client):
    response = client.get("/initiatieven.geojson?provincie=atlantis")
    assert response.status_code == 400
    assert "provincie" in response.get_json()["error"]


def test_api_lists_initiatives_paginated(client, make_initiative):
    for n in range(7):
        make_initiative(name=f"Initiatief {n}", slug=f"i-{n}")
    first = client.get("/api/v1/initiatives?per_page=3").get_json()
    assert first["total"] == 7 and first["page"] == 1 and len(first["items"]) == 3
    assert first["next"] == "http://localhost/api/v1/initiatives?page=2&per_page=3"
    last = client.get("/api/v1/initiatives?per_page=3&page=3").get_json()
    assert [i["slug"] for i in last["items"]] == ["i-6"] and last["next"] is None
    assert client.get("/api/v1/initiatives?per_page=1000").status_code == 400
    assert client.get("/api/v1/initiatives?page=nul").status_code == 400


def test_api_filters_and_hides_unapproved(client, sample):
    body = client.get("/api/v1/initiatives?provincie=utrecht").get_json()
    assert [i["slug"] for i in body["items"]] == ["austerlitz"]
    item = body["items"][0]
    assert item["contact_email"] == "info@az.nl" and item["latitude"] == 52.0822
    assert "memberships" not in item and "seed_hash" not in item
    every = client.get("/api/v1/initiatives").get_json()
    assert "geheim" not in {i["slug"] for i in every["items"]}
    assert client.get("/api/v1/initiatives/geheim").status_code == 404
    assert client.get("/api/v1/initiatives/austerlitz").get_json()["name"] == "Austerlitz Zorgt"
    assert client.get("/api/v1/initiatives?dienst=toveren").status_code == 400


def test_api_networks(client, sample, make_network):
    make_network(name="Netwerk Utrecht", slug="nu", provinces=("utrecht",), members=sample)
    body = client.get("/api/v1/networks").get_json()
    assert [n["slug"] for n in body["items"]] == ["nu"]
    network = client.get("/api/v1/networks/nu").get_json()
    assert network["provinces"] == ["utrecht"]
    assert sorted(network["members"]) == ["austerlitz", "hoogeloon"]
    assert client.get("/api/v1/networks/austerlitz").status_code == 404  # an initiative


def test_api_events_lists_upcoming_public_occurrences(client, db, sample):
    from datetime import UTC, datetime, timedelta

    from kennisnet.events.models import Event

    austerlitz, hoogeloon = sample
    soon = datetime.now(UTC) + timedelta(days=3)
    for title, organisation, start, extra in (
            ("Spreekuur", austerlitz, soon, {"is_online": True,
                                             "online_url": "https://meet.example/geheim"}),
            ("Werkbezoek", hoogeloon, soon + timedelta(days=1), {"province": "noord-brabant"}),
            ("Afgelast", hoogeloon, soon, {"is_cancelled": True}),
            ("Voorbij", hoogeloon, soon - timedelta(days=30), {})):
        db.session.add(Event(organisation_id=organisation.id, title=title, kind="spreekuur",
                             starts_at=start, ends_at=start + timedelta(hours=1),
                             last_ends_at=start + timedelta(hours=1), **extra))
    db.session.commit()
    body = client.get("/api/v1/events").get_json()
    assert [e["title"] for e in body["items"]] == ["Spreekuur", "Werkbezoek"]
    assert body["items"][0]["organisation"] == "austerlitz"
    assert "geheim" not in client.get("/api/v1/events").get_data(as_text=True)
    brabant = client.get("/api/v1/events?provincie=noord-brabant").get_json()
    assert [e["title"] for e in brabant["items"]] == ["Werkbezoek"]
    paged = client.get("/api/v1/events?per_page=1").get_json()
    assert paged["total"] == 2 and paged["next"].endswith("page=2&per_page=1")
    assert client.get("/api/v1/events?soort=feest").status_code == 400


def test_openapi_document_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    api_rules = {rule.rule.replace("<slug>", "{slug}") for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")}
    assert api_rules <= set(document["paths"])


def test_api_fuzzed_from_its_openapi_document_has_no_server_errors(app, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def call_without_server_errors(case):
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])
            assert response.status_code < 500

        call_without_server_errors()
