from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from kennisnet import ratelimit
from kennisnet.accounts import services
from kennisnet.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from kennisnet.accounts.redirects import safe_next_path
from kennisnet.accounts.session import mark_active
from kennisnet.errors import too_many_requests
from kennisnet.extensions import db
from kennisnet.permissions import has_second_factor, public
from kennisnet.twofactor import pending as pending_login

bp = Blueprint("accounts", __name__)

INVALID_FORM = 422


@bp.route("/aanmelden", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if not form.validate_on_submit():
        status = INVALID_FORM if form.is_submitted() else 200
        return render_template("accounts/register.html", form=form), status
    wait = _limit(f"register-ip:{request.remote_addr}", limit=10)
    if wait:
        raise too_many_requests(wait)
    ratelimit.record_attempt(f"register-ip:{request.remote_addr}")
    services.register(form.display_name.data, form.email.data, form.password.data)
    db.session.commit()
    return redirect(url_for("accounts.check_mail"))


@bp.route("/aanmelden/controleer-je-mail")
@public
def check_mail():
    return render_template("accounts/check_mail.html")


@bp.route("/bevestigen/<token>")
@public
def confirm_email(token):
    return render_template("accounts/confirm.html", token=token)


@bp.route("/bevestigen/<token>", methods=["POST"])
@public
def confirm_email_post(token):
    # Confirmation changes state, so it is a POST from the page the mailed link opens.
    user = services.confirm_email(token)
    if user is None:
        flash(_("Deze link werkt niet meer. Log in; dan sturen we je een nieuwe."), "error")
        return redirect(url_for("accounts.login"))
    db.session.commit()
    flash(_("Je e-mailadres is bevestigd. Je kunt nu inloggen."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/inloggen", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        status = INVALID_FORM if form.is_submitted() else 200
        return render_template("accounts/login.html", form=form), status
    account_key = f"login-account:{form.email.data.strip().lower()}"
    ip_key = f"login-ip:{request.remote_addr}"
    config = current_app.config
    wait = max(_limit(account_key, config["LOGIN_LIMIT_PER_ACCOUNT"]),
               _limit(ip_key, config["LOGIN_LIMIT_PER_IP"], config["LOGIN_LIMIT_IP_WINDOW"]),
               _limit(ip_key, config["LOGIN_LIMIT_PER_IP_PER_MINUTE"], timedelta(minutes=1)))
    if wait:
        raise too_many_requests(wait)
    user = services.authenticate(form.email.data, form.password.data)
    if user is None:
        ratelimit.record_attempt(account_key)
        ratelimit.record_attempt(ip_key)
        db.session.commit()
        form.password.errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
        return render_template("accounts/login.html", form=form), 401
    if user.email_confirmed_at is None:
        services.send_confirmation(user)
        db.session.commit()
        flash(_("Bevestig eerst je e-mailadres. We hebben je een nieuwe link gestuurd."), "info")
        return redirect(url_for("accounts.check_mail"))
    ratelimit.clear_attempts(account_key)
    db.session.commit()
    next_path = safe_next_path(request.args.get("next"), url_for("main.home"))
    if has_second_factor(user):
        # Not logged in yet: the session only remembers that the password was right.
        pending_login.start(user, remember=form.remember.data, next_path=next_path)
        return redirect(url_for("twofactor.login_code"))
    login_user(user, remember=form.remember.data)
    flash(_("Welkom terug, %(name)s.", name=user.display_name), "success")
    return redirect(next_path)


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("Je bent uitgelogd, op al je apparaten."), "success")
    return redirect(url_for("main.home"))


@bp.route("/sessie/verlengen", methods=["POST"])
@login_required
def stay_logged_in():
    """The button of the idle warning (and typing in a form): counts as activity."""
    mark_active()
    return "", 204


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def reset_request():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        status = INVALID_FORM if form.is_submitted() else 200
        return render_template("accounts/reset_request.html", form=form), status
    wait = _limit(f"reset-ip:{request.remote_addr}", limit=10)
    if wait:
        raise too_many_requests(wait)
    ratelimit.record_attempt(f"reset-ip:{request.remote_addr}")
    services.request_password_reset(form.email.data)
    db.session.commit()
    return render_template("accounts/reset_sent.html")


@bp.route("/nieuw-wachtwoord/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("Deze link werkt niet meer. Vraag een nieuwe aan."), "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        status = INVALID_FORM if form.is_submitted() else 200
        return render_template("accounts/reset_password.html", form=form), status
    services.set_password(user, form.password.data)
    db.session.commit()
    logout_user()
    flash(_("Je wachtwoord is veranderd. Log in met je nieuwe wachtwoord."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if not form.validate_on_submit():
        status = INVALID_FORM if form.is_submitted() else 200
        return render_template("accounts/profile.html", form=form), status
    services.update_profile(current_user, form.display_name.data, form.field_role.data,
                            form.province.data, form.bio.data)
    db.session.commit()
    flash(_("Je profiel is opgeslagen."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/profiel/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        status = INVALID_FORM if form.is_submitted() else 200
        return render_template("accounts/change_password.html", form=form), status
    if services.authenticate(current_user.email, form.current_password.data) is None:
        form.current_password.errors.append(_("Je huidige wachtwoord klopt niet."))
        return render_template("accounts/change_password.html", form=form), INVALID_FORM
    services.set_password(current_user, form.password.data)
    db.session.commit()
    login_user(current_user)  # this device stays logged in with the new epoch; others do not
    flash(_("Je wachtwoord is veranderd. Op andere apparaten ben je uitgelogd."), "success")
    return redirect(url_for("accounts.profile"))


def _limit(key: str, limit: int, window: timedelta | None = None) -> int:
    return ratelimit.seconds_until_allowed(
        key, limit, window or current_app.config["LOGIN_LIMIT_WINDOW"])
