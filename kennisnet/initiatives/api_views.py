"""Open data: the directory as GeoJSON (RFC 7946) and a read-only JSON API with OpenAPI.

Only public fields of approved organisations leave the site: no member lists, no e-mail
addresses of people (an initiative's own contact address is part of its public profile).
"""

import json
from datetime import timedelta

from flask import Response, current_app, jsonify, request, url_for
from werkzeug.datastructures import MultiDict

from kennisnet.database import utcnow
from kennisnet.events.feeds import feed_etag, not_modified
from kennisnet.events.queries import AgendaFilter, occurrences_between
from kennisnet.extensions import db
from kennisnet.initiatives import queries
from kennisnet.initiatives.blueprint import bp
from kennisnet.initiatives.forms import DirectoryFilterForm
from kennisnet.initiatives.models import Initiative, Network
from kennisnet.initiatives.openapi import openapi_document
from kennisnet.permissions import public
from kennisnet.vocab import EVENT_KINDS, PROVINCES

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
FILTER_ARGS = ("q", "provincie", "soort", "rechtsvorm", "status", "dienst")


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


OPEN_ENDPOINTS = frozenset({
    "initiatives.geojson", "initiatives.api_initiatives", "initiatives.api_initiative",
    "initiatives.api_networks", "initiatives.api_network", "initiatives.api_events",
    "initiatives.api_openapi",
})


@bp.after_request
def _allow_other_sites(response):
    # Open data is meant to be shown on other sites; it carries no cookies or private fields.
    if request.endpoint in OPEN_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return jsonify({"error": error.message}), error.status


def _filters_from_args():
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in FILTER_ARGS])
    form = DirectoryFilterForm(args)
    if not form.validate():
        wrong = ", ".join(sorted(form.errors))
        raise ApiError(400, f"Ongeldige filter: {wrong}.")
    return form.to_filter()


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} moet een geheel getal zijn.") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} moet tussen {low} en {high} liggen.")
    return value


def _profile_prefix() -> str:
    # One url_for instead of 5,000: every profile URL is this prefix plus the slug.
    return url_for("initiatives.detail", slug="x")[:-1]


def _feature(row, prefix: str, compact: bool) -> dict:
    properties = {"name": row.name, "slug": row.slug}
    if not compact:
        properties.update(place=row.place or "", province=row.province or "",
                          kind=row.kind or "", status=row.status or "", url=prefix + row.slug)
    # Four decimals is about 11 metres: plenty for a map, and it keeps the map's download small.
    digits = 4 if compact else 5
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(row.longitude, digits),
                                                      round(row.latitude, digits)]},
        "properties": properties,
    }


@bp.route("/initiatieven.geojson")
@public
def geojson():
    """All matching initiatives with a place; `velden=kaart` keeps only name and slug, which is
    all the map needs, so a map of thousands of initiatives stays small.

    The ETag comes from one aggregate query; a map reloading an unchanged directory gets a 304,
    and the body of an unchanged selection is served from memory."""
    fields = request.args.get("velden", "alle")
    if fields not in ("alle", "kaart"):
        raise ApiError(400, "velden moet 'alle' of 'kaart' zijn.")
    filters, prefix = _filters_from_args(), _profile_prefix()
    stamp = queries.map_stamp(filters)
    etag = feed_etag("geojson", GEOJSON_VERSION, fields, prefix, repr(filters), *stamp)
    response = not_modified(etag, None)
    if response is None:
        body = _geojson_body(etag, filters, prefix, fields == "kaart")
        response = Response(body, mimetype="application/geo+json")
        response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


GEOJSON_VERSION = 2  # raise when the output format changes, so old ETags stop matching
MAX_BODIES = 16


def _geojson_body(etag: str, filters, prefix: str, compact: bool) -> bytes:
    bodies = current_app.extensions.setdefault("kennisnet.geojson", {})
    body = bodies.get(etag)
    if body is None:
        features = [_feature(row, prefix, compact) for row in queries.map_points(filters)]
        body = json.dumps({"type": "FeatureCollection", "features": features},
                          ensure_ascii=False, separators=(",", ":")).encode()
        if len(bodies) >= MAX_BODIES:
            bodies.pop(next(iter(bodies)))  # oldest first: dicts keep insertion order
        bodies[etag] = body
    return body


def initiative_json(initiative: Initiative) -> dict:
    return {
        "slug": initiative.slug, "name": initiative.name, "description": initiative.description,
        "kind": initiative.kind, "legal_form": initiative.legal_form, "status": initiative.status,
        "services": initiative.service_keys, "place": initiative.place,
        "municipality": initiative.municipality, "province": initiative.province,
        "latitude": initiative.latitude, "longitude": initiative.longitude,
        "founded_year": initiative.founded_year, "website": initiative.website or None,
        "contact_email": initiative.contact_email or None,
        "last_confirmed_at": initiative.last_confirmed_at.isoformat(),
        "url": url_for("initiatives.detail", slug=initiative.slug, _external=True),
    }


def network_json(network: Network) -> dict:
    return {
        "slug": network.slug, "name": network.name, "description": network.description,
        "level": network.level, "provinces": network.province_keys,
        "website": network.website or None,
        "members": [i.slug for i in queries.network_members(network)],
        "url": url_for("initiatives.network", slug=network.slug, _external=True),
    }


def _page_of(query, to_json, endpoint: str, extra_args: dict) -> dict:
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    next_url = (url_for(endpoint, page=page + 1, per_page=per_page, _external=True,
                        **extra_args) if result.has_next else None)
    return {"items": [to_json(item) for item in result.items], "page": page,
            "per_page": per_page, "total": result.total, "next": next_url}


@bp.route("/api/v1/initiatives")
@public
def api_initiatives():
    filters = _filters_from_args()
    extra = {k: request.args.getlist(k) for k in FILTER_ARGS if k in request.args}
    return jsonify(_page_of(queries.directory_query(filters), initiative_json,
                            "initiatives.api_initiatives", extra))


@bp.route("/api/v1/initiatives/<slug>")
@public
def api_initiative(slug):
    initiative = queries.approved_by_slug(Initiative, slug)
    if initiative is None or not initiative.is_approved:
        raise ApiError(404, "Dit initiatief bestaat niet.")
    return jsonify(initiative_json(initiative))


@bp.route("/api/v1/networks")
@public
def api_networks():
    return jsonify(_page_of(queries.networks_query(), network_json, "initiatives.api_networks",
                            {}))


@bp.route("/api/v1/networks/<slug>")
@public
def api_network(slug):
    network = queries.approved_by_slug(Network, slug)
    if network is None or not network.is_approved:
        raise ApiError(404, "Dit netwerk bestaat niet.")
    return jsonify(network_json(network))


def event_json(occurrence) -> dict:
    """Public fields of one occurrence; the online meeting link is for participants only."""
    event = occurrence.event
    return {
        "id": event.id, "occurrence": occurrence.key, "title": event.title,
        "description": event.description, "kind": event.kind,
        "starts_at": occurrence.starts_at.isoformat(), "ends_at": occurrence.ends_at.isoformat(),
        "is_online": event.is_online, "place": event.place or None,
        "province": event.province, "organisation": event.organisation.slug,
        "url": url_for("events.detail", event_id=event.id, keer=occurrence.key, _external=True),
    }


@bp.route("/api/v1/events")
@public
def api_events():
    """Upcoming occurrences in the coming year, soonest first; cancelled ones are left out."""
    province, kind = request.args.get("provincie", ""), request.args.get("soort", "")
    if province and province not in PROVINCES or kind and kind not in EVENT_KINDS:
        raise ApiError(400, "Ongeldige filter: provincie of soort.")
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    now = utcnow()
    found = occurrences_between(now, now + timedelta(days=365),
                                AgendaFilter(kind=kind, province=province),
                                include_cancelled=False)
    items = found[(page - 1) * per_page:page * per_page]
    extra = {k: v for k, v in (("provincie", province), ("soort", kind)) if v}
    has_next = page * per_page < len(found)
    next_url = (url_for("initiatives.api_events", page=page + 1, per_page=per_page,
                        _external=True, **extra) if has_next else None)
    return jsonify({"items": [event_json(o) for o in items], "page": page,
                    "per_page": per_page, "total": len(found), "next": next_url})


@bp.route("/api/v1/openapi.json")
@public
def api_openapi():
    return jsonify(openapi_document(request.host_url.rstrip("/")))
