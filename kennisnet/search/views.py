"""/zoeken and /zoeken/suggesties. Reads only: no request ever opens an index writer."""

import json
import logging
from dataclasses import replace

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict

from kennisnet.permissions import public
from kennisnet.routing import cleans_its_query
from kennisnet.search import engine
from kennisnet.search.hits import VisibilityFilter, kind_label
from kennisnet.search.query import clean_query
from kennisnet.search.store import SearchUnavailable
from kennisnet.vocab import INITIATIVE_STATUSES, PROVINCES, TIP_PHASES

log = logging.getLogger(__name__)

bp = Blueprint("search", __name__)


@bp.before_request
def clean_query_argument():
    """Everything that echoes the query, the header search box in base.html included, sees the
    cleaned query: at most 256 characters, no NUL, no lone surrogates."""
    if "q" in request.args:
        args = request.args.copy()
        args.setlist("q", [clean_query(value) for value in args.getlist("q")])
        request.args = ImmutableMultiDict(args)

# URL parameter -> facet field of the index.
FILTER_PARAMS = {"soort": "kind", "provincie": "province", "tag": "tags", "fase": "phase"}
MAX_FILTER_VALUES = 10
MAX_FILTER_LENGTH = 100
PHASE_LABELS = {**TIP_PHASES, **INITIATIVE_STATUSES}


def _filters(args) -> dict[str, tuple[str, ...]]:
    filters = {}
    for param, field in FILTER_PARAMS.items():
        values = [clean_query(v)[:MAX_FILTER_LENGTH] for v in args.getlist(param)]
        values = tuple(dict.fromkeys(v for v in values if v))[:MAX_FILTER_VALUES]
        if values:
            filters[field] = values
    return filters


def _page(args) -> int:
    try:
        return max(1, min(int(args.get("pagina", "1")), engine.MAX_PAGE))
    except ValueError:
        return 1


def _search_request(args) -> engine.SearchRequest:
    sort = args.get("sorteer", "relevantie")
    return engine.SearchRequest(
        text=clean_query(args.get("q", "")),
        filters=_filters(args),
        sort=sort if sort in engine.SORTS else "relevantie",
        page=_page(args),
        include_members=bool(current_user.is_authenticated),
    )


def facet_label(field: str, value: str) -> str:
    if field == "kind":
        return kind_label(value)
    if field == "province":
        return PROVINCES.get(value, value)
    if field == "phase":
        return str(PHASE_LABELS.get(value, value))
    return value


def _facet_groups(result: engine.SearchResult, search: engine.SearchRequest) -> list[dict]:
    """The filter lists shown beside the results: every value with hits, plus selected ones."""
    groups = []
    for param, field in FILTER_PARAMS.items():
        counts = result.facets.get(field, {})
        selected = set(search.filters.get(field, ()))
        values = set(counts) | selected
        order = sorted(values, key=lambda v: facet_label(field, v).casefold())
        options = [{"value": v, "label": facet_label(field, v), "count": counts.get(v, 0),
                    "selected": v in selected} for v in order]
        if options:
            groups.append({"param": param, "field": field, "options": options})
    return groups


def results_url(search: engine.SearchRequest, **changes) -> str:
    """A link to the results with some parameters changed, built from the *cleaned* request
    (never from raw request.args), so odd input cannot reach url_for."""
    params = {"q": search.text, "sorteer": None if search.sort == "relevantie" else search.sort,
              "pagina": search.page if search.page > 1 else None}
    for param, field in FILTER_PARAMS.items():
        params[param] = list(search.filters.get(field, ())) or None
    params.update(changes)
    return url_for("search.results", **{k: v for k, v in params.items() if v not in (None, "")})


@bp.route("/zoeken")
@public
@cleans_its_query
def results():
    search = _search_request(request.args)
    context = {"search": search, "query": search.text, "result": None, "hits": [],
               "groups": [], "unavailable": False,
               "link": lambda **changes: results_url(search, **changes)}
    if not search.text:
        return render_template("search/results.html", **context)
    visibility = VisibilityFilter(current_user)
    try:
        result = engine.run_search(search, visibility)
    except SearchUnavailable:
        log.exception("search unavailable")
        context["unavailable"] = True
        return render_template("search/results.html", **context), 503
    broadened = _any_word_search(search) if result.total == 0 else None
    if broadened is not None:
        broader = engine.run_search(broadened, visibility)
        if broader.total:
            result = replace(broader, suggestion=result.suggestion)
            context["broadened"] = True
    context.update(result=result, hits=visibility.shown(result.hits, _positive_words(search.text)),
                   groups=_facet_groups(result, search))
    return render_template("search/results.html", **context)


def _positive_words(text: str) -> list[str]:
    """The words a visitor wants to see, without syntax: no -excluded words, no OR."""
    words = text.replace('"', " ").replace("(", " ").replace(")", " ").split()
    return [w for w in words if w != "OR" and not w.startswith("-")]


def _any_word_search(search: engine.SearchRequest) -> engine.SearchRequest | None:
    """Beginners type several words ("vervoer vrijwilligers"); when no item has all of them,
    show items with any of them rather than an empty page. Queries with syntax are left alone."""
    words = search.text.split()
    if len(words) < 2 or any(ch in search.text for ch in '"-()') or "OR" in words:
        return None
    return replace(search, text=" OR ".join(words))


@bp.route("/zoeken/suggesties")
@public
@cleans_its_query
def suggest():
    text = clean_query(request.args.get("q", ""))
    visibility = VisibilityFilter(current_user)
    status = 200
    try:
        keys = engine.suggest_titles(text, visibility, current_user.is_authenticated)
    except SearchUnavailable:
        keys, status = [], 503
    suggestions = [{"title": doc.title, "url": doc.url, "kind": kind_label(key[0])}
                   for key in keys if (doc := visibility.documents.get(key))]
    body = {"query": text, "suggestions": suggestions,
            "search_url": url_for("search.results", q=text)}
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8",
                    headers={"Cache-Control": "no-store"})
