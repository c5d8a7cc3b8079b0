"""The forum's one blueprint; the view modules (views, post_views, moderation_views, feeds)
add their routes to it."""

from flask import Blueprint

bp = Blueprint("forum", __name__)

POST_KINDS = ("vraag", "antwoord")


def post_route(pattern: str, **options):
    """Register a view for questions and answers alike: `{kind}` in the pattern becomes
    'vraag' or 'antwoord' (two plain rules, so every URL is spelled out in the map)."""

    def decorate(view):
        for kind in POST_KINDS:
            bp.add_url_rule(pattern.format(kind=kind), view_func=view,
                            defaults={"kind": kind}, **options)
        return view

    return decorate
