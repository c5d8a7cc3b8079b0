"""Extension objects, created once and bound to the app in create_app()."""

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from kennisnet.i18n import KennisnetBabel

# Stable constraint names keep migrations reviewable and let SQLite's batch mode find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = KennisnetBabel()


def init_migrations(app) -> None:
    """Bind Flask-Migrate. Only the `kennisnet` command migrates, and importing Alembic costs
    every web worker 12 MB, so the web app (gunicorn's create_app()) goes without it."""
    import os

    from flask_migrate import Migrate

    directory = os.path.join(os.path.dirname(app.root_path), "migrations")
    Migrate(render_as_batch=True, compare_type=True).init_app(app, db, directory=directory)
