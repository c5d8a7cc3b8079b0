"""URL converters and request-input checks shared by every blueprint."""

from flask import abort, current_app, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest id PostgreSQL's INTEGER holds


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route. Larger numbers cannot be ids (or years or months), so they
    are a plain 404 instead of an OverflowError (SQLite) or "integer out of range"
    (PostgreSQL) and a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


MAX_PAGE = 100_000  # far beyond any real list; keeps OFFSET within what databases accept


def id_arg(value: str | None) -> int | None:
    """A query-string id, or None: only ASCII digits ("²" passes str.isdigit() but not int())
    and never beyond MAX_ID, which the database would refuse with an error."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def page_arg(value: int | None) -> int:
    """A page number from the query string, between 1 and MAX_PAGE."""
    return min(max(1, value or 1), MAX_PAGE)


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def cleans_its_query(view):
    """Mark a view that removes control characters from its query string itself (search):
    odd input there gets a normal answer instead of the 400 below."""
    view.cleans_its_query = True
    return view


def refuse_nul_characters():
    """400 for a NUL (0x00) anywhere in the path, query string or form. PostgreSQL cannot
    store or even compare text holding one, so it would otherwise end in a 500 on whichever
    route passes it to a query; no honest visitor sends one."""
    view = current_app.view_functions.get(request.endpoint or "")
    if "\x00" in request.path:
        abort(400)
    if _has_nul(request.args) and not getattr(view, "cleans_its_query", False):
        abort(400)
    if request.method not in ("GET", "HEAD", "OPTIONS") and _has_nul(request.form):
        abort(400)
