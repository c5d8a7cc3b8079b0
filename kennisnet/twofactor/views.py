"""Setting up, using and turning off the second factor, and the code step of logging in."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user

from kennisnet import ratelimit
from kennisnet.accounts import services as accounts
from kennisnet.errors import too_many_requests
from kennisnet.extensions import db
from kennisnet.permissions import public
from kennisnet.twofactor import pending, services
from kennisnet.twofactor.forms import (
    ConfirmedChangeForm,
    ConfirmSetupForm,
    LoginCodeForm,
    StartForm,
)

bp = Blueprint("twofactor", __name__)

INVALID_FORM = 422


def _change_forms():
    return ConfirmedChangeForm(prefix="nieuw"), ConfirmedChangeForm(prefix="uit")


@bp.route("/tweestapsverificatie")
def overview():
    codes_form, disable_form = _change_forms()
    return _overview(codes_form, disable_form)


def _overview(codes_form, disable_form, status=200):
    enabled = services.is_enabled(_me())
    return render_template(
        "twofactor/overview.html", enabled=enabled, start_form=StartForm(),
        codes_left=services.recovery_codes_left(_me()) if enabled else 0,
        codes_form=codes_form, disable_form=disable_form,
    ), status


@bp.route("/tweestapsverificatie/instellen/start", methods=["POST"])
def start_setup():
    if not StartForm().validate_on_submit():
        abort(400)
    if services.is_enabled(_me()):
        return redirect(url_for("twofactor.overview"))
    services.start_setup(_me())
    db.session.commit()
    return redirect(url_for("twofactor.setup"))


@bp.route("/tweestapsverificatie/instellen", methods=["GET", "POST"])
def setup():
    if services.is_enabled(_me()):
        flash(_("Tweestapsverificatie staat al aan."), "info")
        return redirect(url_for("twofactor.overview"))
    credential = services.pending_setup(_me())
    secret = services.secret_of(credential) if credential is not None else None
    if secret is None:
        return render_template("twofactor/setup.html", secret=None, start_form=StartForm())
    form = ConfirmSetupForm()
    if form.validate_on_submit():
        _check_code_limit()
        codes = services.confirm_setup(credential, form.code.data)
        if codes is not None:
            return _show_recovery_codes(codes, first_time=True)
        _count_failed_code()
        form.code.errors.append(_("Deze code klopt niet. Kijk of de tijd op je telefoon goed "
                                  "staat en vul de code in die de app nu laat zien."))
    status = INVALID_FORM if form.is_submitted() else 200
    return _no_store(render_template("twofactor/setup.html", form=form, secret=secret,
                                     grouped_secret=services.grouped(secret)), status)


@bp.route("/tweestapsverificatie/instellen/qr.svg")
def qr_code():
    credential = services.pending_setup(_me())
    secret = services.secret_of(credential) if credential is not None else None
    if secret is None:
        abort(404)
    response = make_response(services.qr_svg(_me(), secret))
    response.mimetype = "image/svg+xml"
    return _no_store(response)


@bp.route("/tweestapsverificatie/herstelcodes", methods=["POST"])
def new_recovery_codes():
    codes_form, disable_form = _change_forms()
    if not _confirm_change(codes_form):
        return _overview(codes_form, disable_form, INVALID_FORM)
    codes = services.new_recovery_codes(_me())
    return _show_recovery_codes(codes, first_time=False)


@bp.route("/tweestapsverificatie/uitzetten", methods=["POST"])
def disable():
    codes_form, disable_form = _change_forms()
    if not _confirm_change(disable_form):
        return _overview(codes_form, disable_form, INVALID_FORM)
    services.disable(_me())
    db.session.commit()
    flash(_("Tweestapsverificatie staat uit. Je herstelcodes werken niet meer."), "success")
    return redirect(url_for("twofactor.overview"))


def _confirm_change(form) -> bool:
    """Both factors again: the password and a code from the app (or a recovery code)."""
    if not services.is_enabled(_me()) or not form.validate_on_submit():
        return False
    _check_code_limit()
    if accounts.authenticate(current_user.email, form.password.data) is None:
        form.password.errors.append(_("Je wachtwoord klopt niet."))
    elif services.verify_second_factor(_me(), form.code.data) is None:
        form.code.errors.append(_("Deze code klopt niet."))
    else:
        ratelimit.clear_attempts(_limit_key(current_user.id))
        return True
    _count_failed_code()
    return False


def _show_recovery_codes(codes, first_time: bool):
    ratelimit.clear_attempts(_limit_key(current_user.id))
    db.session.commit()
    return _no_store(render_template("twofactor/recovery_codes.html", codes=codes,
                                     first_time=first_time))


@bp.route("/inloggen/code", methods=["GET", "POST"])
@public
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    found = pending.current()
    if found is None:
        flash(_("Log opnieuw in; de tijd voor de code was om."), "info")
        return redirect(url_for("accounts.login"))
    user, marker = found
    form = LoginCodeForm()
    if not form.validate_on_submit():
        status = INVALID_FORM if form.is_submitted() else 200
        return render_template("twofactor/login_code.html", form=form), status
    _check_code_limit(user.id)
    used = services.verify_second_factor(user, form.code.data)
    if used is None:
        _count_failed_code(user.id)
        form.code.errors.append(_("Deze code klopt niet. Vul de code in die de app nu laat "
                                  "zien."))
        return render_template("twofactor/login_code.html", form=form), 401
    return _finish_login(user, marker, used)


def _finish_login(user, marker, used: str):
    ratelimit.clear_attempts(_limit_key(user.id))
    db.session.commit()
    pending.clear()
    login_user(user, remember=marker.get("remember", False))
    flash(_("Welkom terug, %(name)s.", name=user.display_name), "success")
    if used == "recovery":
        flash(_("Je hebt een herstelcode gebruikt. Je hebt er nog %(count)d over.",
                count=services.recovery_codes_left(user)), "info")
    return redirect(marker.get("next") or url_for("main.home"))


def _me():
    # Services keep references to the user they are given; hand them the row, not the proxy.
    return current_user._get_current_object()


def _limit_key(user_id: int) -> str:
    return f"totp:{user_id}"


def _check_code_limit(user_id: int | None = None) -> None:
    key = _limit_key(user_id or current_user.id)
    wait = ratelimit.seconds_until_allowed(key, current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
                                           current_app.config["LOGIN_LIMIT_WINDOW"])
    if wait:
        raise too_many_requests(wait)


def _count_failed_code(user_id: int | None = None) -> None:
    # Committed at once: the failed attempt must count even though the page only re-renders.
    ratelimit.record_attempt(_limit_key(user_id or current_user.id))
    db.session.commit()


def _no_store(response, status=None):
    # Pages with the secret or the recovery codes must not stay in any cache.
    response = make_response(response if status is None else (response, status))
    response.headers["Cache-Control"] = "no-store"
    return response
