"""Filters and globals every template can use."""

from datetime import datetime
from functools import lru_cache

from flask import Flask, current_app, g, request, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
    gettext,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from kennisnet import permissions
from kennisnet.markdown import render_markdown
from kennisnet.vocab import PROVINCES


class _Rules:
    """`can.can_edit_for(current_user, org)` in templates calls the same rule as the views."""

    def __getattr__(self, name):
        try:
            return permissions.TEMPLATE_RULES[name]
        except KeyError as error:
            raise AttributeError(name) from error


def _date(value: datetime | None, style: str = "long") -> str:
    return _formatted("date", value, style, *_format_key()) if value else ""


def _datetime(value: datetime | None, style: str = "long") -> str:
    if not value:
        return ""
    return _formatted("datetime", value, style, *_format_key())


def _format_key() -> tuple[str, str]:
    """(locale, time zone) of the request, resolved once: a list page formats many dates."""
    try:
        return g._kennisnet_format_key
    except AttributeError:
        key = g._kennisnet_format_key = (str(get_locale()), str(get_timezone()))
        return key


# Babel takes about 45 µs per date; a question with 50 answers shows 51 of them. The result
# depends only on these arguments, so pages viewed again reuse it.
@lru_cache(maxsize=8192)
def _formatted(kind: str, value: datetime, style: str, _locale: str, _zone: str) -> str:
    if kind == "date":
        return format_date(value, style)
    if style != "long":
        return format_datetime(value, style)
    return gettext("%(date)s om %(time)s", date=format_date(value, "long"),
                   time=format_time(value, "HH:mm"))


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def select_options(pairs, selected="") -> Markup:
    """`<option>` elements for (value, label) pairs, the one equal to `selected` marked.

    Filters list up to a thousand organisations; built in Jinja that is most of a page's CPU,
    so the escaped markup is kept per list and only the selected mark is added per view."""
    pairs = tuple((str(value), str(label)) for value, label in pairs)
    markup = _options_markup(pairs)
    if selected not in (None, ""):
        needle = f'<option value="{escape(str(selected))}">'
        markup = markup.replace(needle, needle[:-1] + " selected>", 1)
    return Markup(markup)  # noqa: S704 - built from escaped parts only


@lru_cache(maxsize=64)
def _options_markup(pairs: tuple) -> str:
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>'
                   for value, label in pairs)


MAX_FRAGMENTS = 256


def cached_fragment(*key, caller) -> Markup:
    """`{% call cached_fragment(name, ...) %}...{% endcall %}` renders the block once per key.
    The key must hold everything the block depends on (the language is added here). For GET
    filter forms built with WTForms, whose rendering costs a few ms a view; never for blocks
    with a CSRF token or anything of the visitor."""
    fragments = current_app.extensions.setdefault("kennisnet.fragments", {})
    full_key = (_format_key()[0], *key)
    fragment = fragments.get(full_key)
    if fragment is None:
        fragment = Markup(caller())  # noqa: S704 - a rendered, autoescaped template block
        if len(fragments) >= MAX_FRAGMENTS:
            fragments.pop(next(iter(fragments)))  # the oldest: dicts keep insertion order
        fragments[full_key] = fragment
    return fragment


# The main menu in order; an entry shows once its blueprint is registered.
NAV_ITEMS = (
    ("tips.guide_index", _l("Gids")),
    ("tips.tip_list", _l("Tips")),
    ("tips.sources", _l("Kennisbronnen")),
    ("initiatives.directory", _l("Initiatieven")),
    ("documents.library", _l("Documenten")),
    ("events.agenda", _l("Agenda")),
    ("forum.questions", _l("Vragen")),
)


def register_templating(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.globals.update(can=_Rules(), provinces=PROVINCES, url_with=url_with,
                                 select_options=select_options, cached_fragment=cached_fragment,
                                 get_locale=get_locale)

    # Blueprints are registered before this runs, so the menu knows which domains exist.
    app.jinja_env.globals.update(
        nav_endpoints=frozenset(app.view_functions),
        nav_items=[(endpoint, label) for endpoint, label in NAV_ITEMS
                   if endpoint in app.view_functions],
    )
