from flask import Blueprint, redirect, render_template, request, session, url_for

from kennisnet.accounts.redirects import safe_next_path
from kennisnet.extensions import csrf
from kennisnet.i18n import SUPPORTED_LOCALES
from kennisnet.permissions import public
from kennisnet.security import refuse_cross_origin_request
from kennisnet.tips import queries as tip_queries

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home():
    # Guide pages first: the tips' guide pages are then found loaded, and one tip query
    # serves both lists.
    guide_pages = tip_queries.guide_pages()
    tips = tip_queries.tips_in_phase()
    return render_template(
        "main/home.html",
        start_tips=[tip for tip in tips if tip.phase == "start"],
        growth_tips=[tip for tip in tips if tip.phase == "groei"],
        guide_pages=guide_pages,
    )


@bp.route("/taal", methods=["POST"])
@public
@csrf.exempt  # checked by origin instead: see refuse_cross_origin_request
def choose_language():
    refuse_cross_origin_request()
    lang = request.form.get("lang")
    if lang in SUPPORTED_LOCALES:
        session["lang"] = lang
    return redirect(safe_next_path(request.form.get("next"), url_for("main.home")))
