"""Site administration: who is moderator or administrator."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from kennisnet.accounts import services
from kennisnet.accounts.forms import SiteRoleForm
from kennisnet.accounts.models import User
from kennisnet.database import LIKE_ESCAPE, contains_pattern
from kennisnet.extensions import db
from kennisnet.permissions import can_manage_users, require
from kennisnet.routing import page_arg
from kennisnet.vocab import SITE_ROLES

bp = Blueprint("admin", __name__, url_prefix="/beheer")

PAGE_SIZE = 50


@bp.route("/gebruikers")
def users():
    require(can_manage_users(current_user))
    term = request.args.get("q", "").strip()[:100]
    query = (select(User).options(selectinload(User.totp_credential))
             .order_by(func.lower(User.display_name)))
    if term:
        pattern = contains_pattern(term)
        query = query.where(or_(*(func.lower(column).like(pattern, escape=LIKE_ESCAPE)
                                  for column in (User.email, User.display_name))))
    page = db.paginate(query, page=page_arg(request.args.get("page", 1, type=int)),
                       per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, term=term, form=SiteRoleForm())


@bp.route("/gebruikers/<int:user_id>/rol", methods=["POST"])
def set_role(user_id):
    require(can_manage_users(current_user))
    user = db.session.get(User, user_id) or abort(404)
    form = SiteRoleForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id and form.site_role.data != "admin":
        flash(_("Je kunt jezelf de beheerdersrol niet afnemen."), "error")
        return redirect(url_for("admin.users"))
    services.set_site_role(user, form.site_role.data)
    db.session.commit()
    flash(_("%(name)s heeft nu de rol %(role)s.", name=user.display_name,
            role=SITE_ROLES[form.site_role.data]), "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))
