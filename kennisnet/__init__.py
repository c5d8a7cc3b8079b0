"""Kennisnet: where citizens' care and welfare initiatives share what they know."""

import os

from flask import Flask

import config as settings
from kennisnet.routing import BoundedIntConverter


def create_app(overrides: dict | None = None) -> Flask:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=os.environ.get("KENNISNET_INSTANCE_PATH") or os.path.join(root, "instance"),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    app.config.update(settings.load(app.instance_path))
    app.config.update(overrides or {})
    settings.check_production(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from kennisnet import database  # noqa: F401 - installs the SQLite connection events
    from kennisnet.accounts.session import configure_login
    from kennisnet.extensions import babel, csrf, db
    from kennisnet.i18n import install_fast_domain_lookup, install_template_gettext, select_locale

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    install_fast_domain_lookup(app)
    configure_login(app)
    import_models()


def import_models() -> None:
    """Load every model so metadata, migrations and relationships see all tables."""
    from kennisnet.accounts import models as _accounts  # noqa: F401
    from kennisnet.documents import models as _documents  # noqa: F401
    from kennisnet.events import models as _events  # noqa: F401
    from kennisnet.forum import models as _forum  # noqa: F401
    from kennisnet.initiatives import models as _initiatives  # noqa: F401
    from kennisnet.search import models as _search  # noqa: F401
    from kennisnet.tips import models as _tips  # noqa: F401
    from kennisnet.twofactor import models as _twofactor  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from kennisnet.accounts.views import bp as accounts_bp
    from kennisnet.admin.views import bp as admin_bp
    from kennisnet.documents.views import bp as documents_bp
    from kennisnet.events.views import bp as events_bp
    from kennisnet.forum.views import bp as forum_bp
    from kennisnet.initiatives.views import bp as initiatives_bp
    from kennisnet.main.views import bp as main_bp
    from kennisnet.privacy.views import bp as privacy_bp
    from kennisnet.search.views import bp as search_bp
    from kennisnet.tips.views import bp as tips_bp
    from kennisnet.twofactor.views import bp as twofactor_bp

    for blueprint in (main_bp, accounts_bp, tips_bp, admin_bp, search_bp, documents_bp,
                      initiatives_bp, events_bp, forum_bp, twofactor_bp, privacy_bp):
        app.register_blueprint(blueprint)


def register_hooks(app: Flask) -> None:
    from kennisnet.errors import register_error_handlers
    from kennisnet.pagecache import register_page_cache
    from kennisnet.security import register_security
    from kennisnet.templating import register_templating

    register_page_cache(app)  # first: looks pages up before, and keeps them after, the others
    register_security(app)
    register_error_handlers(app)
    register_templating(app)


def register_commands(app: Flask) -> None:
    from kennisnet.cli import register_cli

    register_cli(app)
