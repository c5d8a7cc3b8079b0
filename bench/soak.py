"""Soak: the concurrency test's mix (20 members asking, answering, uploading, searching and
taking one of five places) for 30 minutes against gunicorn with 4 workers, the search indexer and
the text extraction worker. Nightly (`make soak`), not part of `make test`.

    .venv/bin/python bench/soak.py                     # SQLite in a temporary folder, 30 min
    SOAK_MINUTES=2 .venv/bin/python bench/soak.py      # a short proof run
    SOAK_DATABASE_URL=postgresql+psycopg://.../soak .venv/bin/python bench/soak.py

SOAK_DATABASE_URL must name a throwaway database: the soak drops and recreates every table.

Prints the deployment's memory (RSS summed, and PSS) every minute with the requests so far, then
the same checks as tests/test_concurrency.py; exits 1 when a check fails.
"""

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kennisnet import create_app  # noqa: E402
from kennisnet.accounts import services as accounts  # noqa: E402
from kennisnet.events.models import Registration  # noqa: E402
from kennisnet.extensions import db  # noqa: E402
from kennisnet.initiatives.models import Initiative  # noqa: E402
from tests.factories_events import make_event  # noqa: E402
from tests.load_client import (  # noqa: E402
    Deployment,
    Stats,
    audit_submissions,
    deployment_env,
    run_load,
    wait_for_extraction,
    wait_for_index,
)

MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
USERS = int(os.environ.get("SOAK_USERS", "20"))
SAMPLE_SECONDS = float(os.environ.get("SOAK_SAMPLE_SECONDS", "60"))
PLACES = 5
PASSWORD = "soak-password-long-enough"


def make_app(workdir: Path):
    database = os.environ.get("SOAK_DATABASE_URL") or \
        "sqlite:///" + str(workdir / "soak.sqlite3")
    return create_app({
        "SECRET_KEY": "soak-secret-key-that-is-long-enough-1234567890",
        "SQLALCHEMY_DATABASE_URI": database,
        "SEARCH_INDEX_DIR": str(workdir / "search-index"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "MAIL_OUTBOX_DIR": str(workdir / "mail"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # logins measure the site, not hashing
    })


def prepare() -> tuple[list[tuple[str, str]], int]:
    db.drop_all()
    db.create_all()
    accounts_made = []
    for n in range(USERS):
        user = accounts.create_user(f"Soaklid {n}", f"soak{n}@example.nl", PASSWORD)
        accounts_made.append((user.email, PASSWORD))
    initiative = Initiative(slug="soak", name="Soakinitiatief", kind="zorgcooperatie",
                            legal_form="cooperatie", status="actief", place="Hoogeloon",
                            municipality="Bladel", province="noord-brabant", latitude=51.39,
                            longitude=5.25, description="Een zorgcoöperatie in het dorp.")
    db.session.add(initiative)
    db.session.commit()
    event = make_event(initiative, capacity=PLACES)
    return accounts_made, event.id


def sample(deployment: Deployment, stats: Stats, minute: int) -> dict:
    memory = deployment.memory_mb(extractor=True)
    summary = stats.summary()
    print(f"minute {minute:3d}: RSS {memory['rss_mb']:7.1f} MB  PSS {memory['pss_mb']:7.1f} MB  "
          f"requests {summary['requests']:6d}  5xx {summary['server_errors']}  "
          f"errors {summary['client_errors']}", flush=True)
    return memory


def checks(deployment: Deployment, stats: Stats, event_id: int) -> list[str]:
    index_seconds, check_seconds, report = wait_for_index(timeout=120)
    extraction = wait_for_extraction(timeout=300)
    final_seconds, _, final_report = wait_for_index(timeout=120)
    audit = audit_submissions(stats)
    places = db.session.scalars(db.select(Registration.status).where(
        Registration.event_id == event_id)).all()
    summary = stats.summary()
    print(f"summary: {summary}")
    print(f"submissions sent {audit['sent']}, lost {len(audit['lost'])}, duplicated "
          f"{len(audit['duplicated'])}, rows {audit['rows']}")
    print(f"places: {places.count('confirmed')} given, {places.count('waiting')} waiting")
    print(f"'database is locked' in the logs: {deployment.lock_errors()}; "
          f"tracebacks: {deployment.tracebacks()}")
    print(f"after the load: outbox empty after {index_seconds} s, then `search check` clean "
          f"(it took {check_seconds} s); extraction backlog "
          f"{extraction} s, then index again in {final_seconds} s")
    failures = []
    for failed, message in (
        (summary["server_errors"], "5xx responses"),
        (summary["client_errors"], "connection errors"),
        (summary["refused"], "refused create forms"),
        (deployment.lock_errors(), "'database is locked' in the logs"),
        (audit["lost"] or audit["duplicated"], "lost or duplicated submissions"),
        (stats.double_mismatches, "double submits that went elsewhere"),
        (places.count("confirmed") != PLACES, "not exactly five places given"),
        (index_seconds is None or index_seconds > 60, f"index not caught up: {report}"),
        (extraction is None, "text extraction did not finish"),
        (final_seconds is None or final_seconds > 60, f"index not caught up: {final_report}"),
    ):
        if failed:
            failures.append(message)
    return failures


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kennisnet-soak-") as folder:
        workdir = Path(folder)
        app = make_app(workdir)
        with app.app_context():
            accounts_made, event_id = prepare()
            deployment = Deployment(deployment_env(app.config, workdir / "instance"),
                                    workdir / "logs", workers=4).start()
            try:
                stats = Stats()
                load = threading.Thread(target=run_load, args=(
                    deployment.base, accounts_made, MINUTES * 60, 0.3, event_id, stats))
                load.start()
                samples = []
                minute = 0
                while load.is_alive():
                    load.join(timeout=SAMPLE_SECONDS)
                    minute += 1
                    samples.append(sample(deployment, stats, minute))
                failures = checks(deployment, stats, event_id)
            finally:
                deployment.stop()
            growth = samples[-1]["pss_mb"] - samples[0]["pss_mb"]
            print(f"memory growth first to last sample: PSS {growth:+.1f} MB, RSS "
                  f"{samples[-1]['rss_mb'] - samples[0]['rss_mb']:+.1f} MB over {minute} min")
            db.session.remove()
            db.engine.dispose()
    print("FAILED: " + "; ".join(failures) if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
