"""The OpenAPI 3.0 description of the read-only API, served at /api/v1/openapi.json."""

from kennisnet.vocab import (
    EVENT_KINDS,
    INITIATIVE_KINDS,
    INITIATIVE_STATUSES,
    LEGAL_FORMS,
    PROVINCES,
    SERVICES,
)


def _enum(vocabulary: dict) -> list[str]:
    return list(vocabulary)


def _query(name: str, description: str, schema: dict, explode: bool = False) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description,
                 "schema": schema}
    if explode:
        parameter.update(style="form", explode=True)
    return parameter


def _string_or_null(**extra) -> dict:
    return {"type": "string", "nullable": True, **extra}


PAGING = [
    _query("page", "Paginanummer, vanaf 1.", {"type": "integer", "minimum": 1, "maximum": 100000}),
    _query("per_page", "Aantal per pagina (1 tot en met 100).",
           {"type": "integer", "minimum": 1, "maximum": 100}),
]

FILTERS = [
    _query("q", "Woorden in naam, plaats, gemeente of beschrijving.",
           {"type": "string", "maxLength": 100}),
    _query("provincie", "Provincie.", {"type": "string", "enum": _enum(PROVINCES)}),
    _query("soort", "Soort initiatief.", {"type": "string", "enum": _enum(INITIATIVE_KINDS)}),
    _query("rechtsvorm", "Rechtsvorm.", {"type": "string", "enum": _enum(LEGAL_FORMS)}),
    _query("status", "Status.", {"type": "string", "enum": _enum(INITIATIVE_STATUSES)}),
    _query("dienst", "Dienst die het initiatief biedt (meerdere keren mogelijk: alle moeten).",
           {"type": "array", "items": {"type": "string", "enum": _enum(SERVICES)}}, explode=True),
]

FIELDS = _query("velden", "alle: alle openbare velden; kaart: alleen naam en slug.",
               {"type": "string", "enum": ["alle", "kaart"]})

SLUG = {"name": "slug", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 120}}

INITIATIVE = {
    "type": "object",
    "required": ["slug", "name", "description", "services", "last_confirmed_at", "url"],
    "properties": {
        "slug": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": "string", "description": "Markdown"},
        "kind": _string_or_null(), "legal_form": _string_or_null(), "status": _string_or_null(),
        "services": {"type": "array", "items": {"type": "string"}},
        "place": _string_or_null(), "municipality": _string_or_null(),
        "province": _string_or_null(),
        "latitude": {"type": "number", "nullable": True},
        "longitude": {"type": "number", "nullable": True},
        "founded_year": {"type": "integer", "nullable": True},
        "website": _string_or_null(), "contact_email": _string_or_null(),
        "last_confirmed_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string", "format": "uri"},
    },
}

NETWORK = {
    "type": "object",
    "required": ["slug", "name", "description", "provinces", "members", "url"],
    "properties": {
        "slug": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": "string"}, "level": _string_or_null(),
        "provinces": {"type": "array", "items": {"type": "string"}},
        "website": _string_or_null(),
        "members": {"type": "array", "items": {"type": "string"},
                    "description": "Slugs van de deelnemende initiatieven"},
        "url": {"type": "string", "format": "uri"},
    },
}

EVENT = {
    "type": "object",
    "required": ["id", "occurrence", "title", "starts_at", "ends_at", "organisation", "url"],
    "properties": {
        "id": {"type": "integer"}, "occurrence": {"type": "string"},
        "title": {"type": "string"}, "description": {"type": "string"},
        "kind": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "is_online": {"type": "boolean"}, "place": _string_or_null(),
        "province": _string_or_null(),
        "organisation": {"type": "string", "description": "Slug van de organisator"},
        "url": {"type": "string", "format": "uri"},
    },
}

EVENT_FILTERS = [
    _query("provincie", "Provincie.", {"type": "string", "enum": _enum(PROVINCES)}),
    _query("soort", "Soort bijeenkomst.", {"type": "string", "enum": _enum(EVENT_KINDS)}),
]

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


def _page_schema(item_ref: str) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total", "next"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": item_ref}},
                "page": {"type": "integer"}, "per_page": {"type": "integer"},
                "total": {"type": "integer"},
                "next": {"type": "string", "format": "uri", "nullable": True}}}


def _json(schema: dict, description: str, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": schema}}}


BAD_REQUEST = _json({"$ref": "#/components/schemas/Error"}, "Ongeldige parameter")
NOT_FOUND = _json({"$ref": "#/components/schemas/Error"}, "Niet gevonden")

FEATURE_COLLECTION = {
    "type": "object", "required": ["type", "features"],
    "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                   "features": {"type": "array", "items": {"type": "object"}}},
}


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Kennisnet open data", "version": "1.0.0",
                 "description": "Alleen lezen: initiatieven, netwerken en bijeenkomsten. "
                                "Vrij te gebruiken op je eigen site."},
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/initiatives": {"get": {
                "summary": "Initiatieven, op naam", "operationId": "listInitiatives",
                "parameters": FILTERS + PAGING,
                "responses": {"200": _json(_page_schema("#/components/schemas/Initiative"),
                                           "Een pagina initiatieven"),
                              "400": BAD_REQUEST}}},
            "/api/v1/initiatives/{slug}": {"get": {
                "summary": "Eén initiatief", "operationId": "getInitiative",
                "parameters": [SLUG],
                "responses": {"200": _json({"$ref": "#/components/schemas/Initiative"},
                                           "Het initiatief"), "404": NOT_FOUND}}},
            "/api/v1/networks": {"get": {
                "summary": "Netwerken, op naam", "operationId": "listNetworks",
                "parameters": PAGING,
                "responses": {"200": _json(_page_schema("#/components/schemas/Network"),
                                           "Een pagina netwerken"), "400": BAD_REQUEST}}},
            "/api/v1/networks/{slug}": {"get": {
                "summary": "Eén netwerk", "operationId": "getNetwork", "parameters": [SLUG],
                "responses": {"200": _json({"$ref": "#/components/schemas/Network"},
                                           "Het netwerk"), "404": NOT_FOUND}}},
            "/api/v1/events": {"get": {
                "summary": "Bijeenkomsten in het komende jaar, de eerstvolgende eerst",
                "operationId": "listEvents", "parameters": EVENT_FILTERS + PAGING,
                "responses": {"200": _json(_page_schema("#/components/schemas/Event"),
                                           "Een pagina bijeenkomsten"), "400": BAD_REQUEST}}},
            "/initiatieven.geojson": {"get": {
                "summary": "Initiatieven met een plek, als GeoJSON (RFC 7946)",
                "operationId": "initiativesGeoJSON", "parameters": FILTERS + [FIELDS],
                "responses": {"200": _json(FEATURE_COLLECTION, "FeatureCollection",
                                           "application/geo+json"), "400": BAD_REQUEST}}},
        },
        "components": {"schemas": {"Initiative": INITIATIVE, "Network": NETWORK,
                                   "Event": EVENT, "Error": ERROR}},
    }
