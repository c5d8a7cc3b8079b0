from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from kennisnet import ratelimit
from kennisnet.database import utcnow
from kennisnet.documents import services as document_services
from kennisnet.documents import storage
from kennisnet.errors import too_many_requests
from kennisnet.extensions import db
from kennisnet.permissions import public
from kennisnet.privacy import services
from kennisnet.privacy.export import build_export, stream_zip
from kennisnet.privacy.forms import DELETE_POSTS, DeleteAccountForm, ExportForm

bp = Blueprint("privacy", __name__)

INVALID_FORM = 422


@bp.route("/privacy")
@public
def statement():
    return render_template("privacy/statement.html")


@bp.route("/toegankelijkheid")
@public
def accessibility():
    return render_template("privacy/accessibility.html")


def _private(body, status: int = 200):
    # Pages about one person's account must not stay in a shared computer's cache (P07).
    return body, status, {"Cache-Control": "no-store"}


def _password_refused(form) -> bool:
    """True when the password is wrong (the error is on the form); 429 when tried too often."""
    wait = services.reauth_wait(current_user)
    if wait:
        raise too_many_requests(wait)
    if services.password_matches(current_user, form.password.data):
        return False
    db.session.commit()  # keep the counted attempt
    form.password.errors.append(_("Dit wachtwoord klopt niet."))
    return True


@bp.route("/profiel/mijn-gegevens", methods=["GET", "POST"])
@login_required
def export():
    form = ExportForm()
    if not form.validate_on_submit() or _password_refused(form):
        status = INVALID_FORM if form.is_submitted() else 200
        return _private(render_template("privacy/export.html", form=form), status)
    wait = services.export_wait(current_user)
    if wait:
        raise too_many_requests(wait)
    ratelimit.record_attempt(services.export_key(current_user))
    package = build_export(current_user)
    db.session.commit()
    filename = f"kennisnet-mijn-gegevens-{utcnow():%Y-%m-%d}.zip"
    return Response(stream_zip(package), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.route("/profiel/account-verwijderen", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit() or _password_refused(form):
        status = INVALID_FORM if form.is_submitted() else 200
        page = render_template(
            "privacy/delete.html", form=form,
            sole_admin_of=services.sole_administrator_of(current_user),
            kept_questions=services.kept_questions(current_user))
        return _private(page, status)
    hashes = services.erase_account(current_user, delete_posts=form.mode.data == DELETE_POSTS)
    db.session.commit()
    services.flush_database_file()
    storage.remove_unused(hashes, document_services.hash_in_use)
    logout_user()
    flash(_("Je account is verwijderd. Bedankt dat je meedeed aan kennisnet."), "success")
    return redirect(url_for("main.home"), 303)
