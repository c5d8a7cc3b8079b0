"""Migrations build the same schema as the models, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from kennisnet import create_app
from kennisnet.extensions import db, init_migrations
from tests.conftest import PG_URL


@pytest.fixture
def empty_database_url(tmp_path):
    if not PG_URL:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    name = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _is_test_table_change(difference) -> bool:
    return difference[0] == "add_table" and difference[1].name.startswith("test_")


def test_migrations_match_models_and_go_both_ways(empty_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True,
                      "SECRET_KEY": "x" * 40, "MAIL_OUTBOX_DIR": str(tmp_path)})
    init_migrations(app)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        # Some test modules declare throwaway models (tables named test_*); they are not ours.
        differences = [d for d in differences if not _is_test_table_change(d)]
        assert differences == []
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_web_workers_do_not_load_alembic(tmp_path):
    # gunicorn serves create_app(); only the `kennisnet` command (and this test) migrates.
    script = ("import sys; from kennisnet import create_app; create_app(); "
              "print(sorted(name for name in sys.modules if name.split('.')[0] in "
              "('alembic', 'flask_migrate', 'mako')))")
    env = {**os.environ, "KENNISNET_INSTANCE_PATH": str(tmp_path)}
    output = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=True).stdout
    assert output.strip() == "[]"
