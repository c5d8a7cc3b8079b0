"""Pages anyone can read: the directory with its map, profiles, networks and figures."""

from flask import abort, current_app, render_template, request
from flask_login import current_user

from kennisnet.database import utcnow
from kennisnet.extensions import db
from kennisnet.initiatives import api_views, manage_views, queries, related  # noqa: F401 - routes
from kennisnet.initiatives.blueprint import bp
from kennisnet.initiatives.forms import DirectoryFilterForm
from kennisnet.initiatives.models import Initiative, Network
from kennisnet.initiatives.queries import DirectoryFilter
from kennisnet.permissions import can_view_organisation, public
from kennisnet.routing import page_arg
from kennisnet.vocab import INITIATIVE_KINDS, PROVINCES

PER_PAGE = 20


def parse_filters(args) -> tuple[DirectoryFilterForm, DirectoryFilter | None]:
    """The filter form and its filter, or None as filter when the query string is invalid."""
    form = DirectoryFilterForm(args)
    return form, (form.to_filter() if form.validate() else None)


def get_visible_or_404(model, slug: str):
    organisation = queries.approved_by_slug(model, slug)
    if organisation is None or not can_view_organisation(current_user, organisation):
        abort(404)  # unapproved profiles do not exist for outsiders
    return organisation


def map_config() -> dict:
    return {"tile_url": current_app.config.get("MAP_TILE_URL") or "",
            "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or ""}


@bp.route("/initiatieven")
@public
def directory():
    form, filters = parse_filters(request.args)
    page = page_arg(request.args.get("pagina", 1, type=int))
    pagination = queries.directory_page(filters or DirectoryFilter(), page, PER_PAGE)
    # The map asks the GeoJSON with the same filters as the list.
    geo_args = {key: request.args.getlist(key) for key in request.args if key != "pagina"}
    return render_template(
        "initiatives/directory.html", form=form, pagination=pagination, filters=filters,
        geo_args=geo_args if filters else {}, map=map_config(),
    ), (200 if filters is not None else 400)


@bp.route("/initiatieven/<slug>")
@public
def detail(slug):
    initiative = get_visible_or_404(Initiative, slug)
    now = utcnow()
    return render_template(
        "initiatives/profile.html", initiative=initiative, organisation=initiative,
        nearby=queries.nearest(initiative), networks=queries.networks_of(initiative),
        member_count=queries.member_count(initiative), now=now, map=map_config(),
        join_request=queries.pending_join_request(current_user, initiative),
        events=related.upcoming_events([initiative], now),
        documents=related.documents_of(initiative, current_user),
        questions=related.questions_answered_by_members(initiative),
    )


@bp.route("/netwerken")
@public
def networks():
    return render_template("initiatives/networks.html",
                           networks=list(db.session.scalars(queries.networks_query())))


@bp.route("/netwerken/<slug>")
@public
def network(slug):
    network = get_visible_or_404(Network, slug)
    members, now = queries.network_members(network), utcnow()
    return render_template(
        "initiatives/network.html", network=network, organisation=network, members=members,
        member_count=queries.member_count(network), now=now,
        join_request=queries.pending_join_request(current_user, network),
        # The network's agenda: its own events and those of its member initiatives.
        events=related.upcoming_events([network, *members], now, limit=10),
        documents=related.documents_of(network, current_user),
    )


@bp.route("/initiatieven/cijfers")
@public
def figures():
    by_province = [(PROVINCES.get(k, k), n) for k, n in queries.counts_by(Initiative.province)]
    by_kind = [(str(INITIATIVE_KINDS.get(k, k)), n) for k, n in queries.counts_by(Initiative.kind)]
    growth = queries.growth_by_year()
    cumulative, total = [], 0
    for year, n in growth:
        total += n
        cumulative.append((year, n, total))
    return render_template("initiatives/figures.html", by_province=by_province, by_kind=by_kind,
                           growth=cumulative)
