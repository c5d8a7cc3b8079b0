from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from kennisnet.extensions import db
from kennisnet.permissions import public
from kennisnet.tips import queries
from kennisnet.tips.models import GuidePage, Tip
from kennisnet.vocab import TIP_PHASES

bp = Blueprint("tips", __name__)


def _get_by_slug(model, slug):
    item = db.session.scalar(select(model).where(model.slug == slug))
    if item is None:
        abort(404)
    return item


@bp.route("/gids")
@public
def guide_index():
    return render_template("tips/guide_index.html", pages=queries.guide_pages())


@bp.route("/gids/<slug>")
@public
def guide_page(slug):
    page = _get_by_slug(GuidePage, slug)
    previous, following = queries.neighbours(page)
    return render_template("tips/guide_page.html", page=page, previous=previous,
                           following=following)


@bp.route("/tips")
@public
def tip_list():
    phase = request.args.get("fase", "")
    if phase and phase not in TIP_PHASES:
        phase = ""
    return render_template("tips/tip_list.html", tips=queries.tips_in_phase(phase or None),
                           phase=phase, phases=TIP_PHASES)


@bp.route("/tips/<slug>")
@public
def tip_detail(slug):
    tip = _get_by_slug(Tip, slug)
    previous, following = queries.tip_neighbours(tip)
    return render_template("tips/tip_detail.html", tip=tip, previous=previous,
                           following=following)


@bp.route("/kennisbronnen")
@public
def sources():
    return render_template("tips/sources.html", grouped=queries.sources_by_level())
