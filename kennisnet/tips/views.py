from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kennisnet.extensions import db
from kennisnet.forum.queries import questions_for_tip
from kennisnet.permissions import can_edit_content, public, require
from kennisnet.tips import queries, services
from kennisnet.tips.forms import GuidePageForm, TipForm
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
                           following=following, tip_questions=questions_for_tip(tip.id))


@bp.route("/kennisbronnen")
@public
def sources():
    return render_template("tips/sources.html", grouped=queries.sources_by_level())


@bp.route("/gids/<slug>/bewerken", methods=["GET", "POST"])
def edit_guide_page(slug):
    require(can_edit_content(current_user))
    page = _get_by_slug(GuidePage, slug)
    form = GuidePageForm(obj=page)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("tips/edit.html", form=form, item=page,
                               heading=_("Gidspagina bewerken")), status
    services.update_guide_page(page, form.title.data, form.summary.data, form.body.data)
    db.session.commit()
    flash(_("De pagina is opgeslagen."), "success")
    return redirect(url_for("tips.guide_page", slug=page.slug))


@bp.route("/tips/<slug>/bewerken", methods=["GET", "POST"])
def edit_tip(slug):
    require(can_edit_content(current_user))
    tip = _get_by_slug(Tip, slug)
    form = TipForm(obj=tip)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("tips/edit.html", form=form, item=tip,
                               heading=_("Tip bewerken")), status
    services.update_tip(tip, form.title.data, form.explanation.data, form.quote.data,
                        form.quote_by.data)
    db.session.commit()
    flash(_("De tip is opgeslagen."), "success")
    return redirect(url_for("tips.tip_detail", slug=tip.slug))
