"""Flask-Login wiring: the session carries the user's epoch, so raising it logs out everywhere."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from kennisnet.extensions import db, login_manager


def load_user(session_id: str):
    from kennisnet.accounts.models import User

    user_id, _, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in om deze pagina te bekijken.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
