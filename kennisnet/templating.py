"""Filters and globals every template can use."""

from datetime import datetime

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_time, get_locale, gettext
from flask_babel import lazy_gettext as _l

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
    return format_date(value, style) if value else ""


def _datetime(value: datetime | None, style: str = "long") -> str:
    if not value:
        return ""
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
                                 get_locale=get_locale)

    # Blueprints are registered before this runs, so the menu knows which domains exist.
    app.jinja_env.globals.update(
        nav_endpoints=frozenset(app.view_functions),
        nav_items=[(endpoint, label) for endpoint, label in NAV_ITEMS
                   if endpoint in app.view_functions],
    )
