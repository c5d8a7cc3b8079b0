"""Twenty members at once against gunicorn with four worker processes, the search indexer and the
text extraction worker (catalogue R02-R04 and Z04; headline figure 3). Runs on SQLite and, with
KENNISNET_TEST_PG_URL, on PostgreSQL.

The members ask and answer questions, upload small documents, search, and all take one of five
places at the same moment. Afterwards: no 5xx, no "database is locked" in any log, every
acknowledged submission in the database exactly once, five places given, and the search index
equal to the database within five seconds.
"""

import os
import re
from pathlib import Path

import pytest

from kennisnet.events.models import Registration
from kennisnet.search.indexer import pending_count
from tests.conftest import TEST_PASSWORD
from tests.factories_events import make_event
from tests.load_client import (
    Deployment,
    audit_submissions,
    deployment_env,
    run_load,
    wait_for_extraction,
    wait_for_index,
)

USERS = 20
PLACES = 5
LOAD_SECONDS = float(os.environ.get("KENNISNET_TEST_LOAD_SECONDS", "120"))
# Headline figure 3: the outbox is empty (the index holds every committed change) within 60 s
# of the load stopping. The aim is 5 s: met when the load leaves no backlog, not yet when the
# members post faster than the indexer keeps up (16.5 s measured at 24 req/s in `make soak`).
INDEX_CATCH_UP_SECONDS = 60.0
INDEX_CATCH_UP_AIM = 5.0
REGISTRATION = "registration"


@pytest.fixture
def deployment(app, tmp_path):
    running = Deployment(deployment_env(app.config, tmp_path / "instance"), tmp_path / "logs",
                         workers=4)
    try:
        yield running  # the test starts it once its data is in (no writers racing the set-up)
    finally:
        running.stop()


@pytest.mark.timeout(LOAD_SECONDS + 300)
def test_twenty_members_for_two_minutes(app, db, make_user, make_initiative, deployment,
                                        report_figure):
    accounts = [(make_user().email, TEST_PASSWORD) for _ in range(USERS)]
    event = make_event(make_initiative(), capacity=PLACES)
    db.session.commit()
    deployment.start()

    stats = run_load(deployment.base, accounts, LOAD_SECONDS, think=0.3, event_id=event.id)
    backlog = pending_count()
    # The index must match the database within seconds; documents still waiting for text
    # extraction are not visible yet, so they are not expected in the index either.
    index_seconds, check_seconds, index_report = wait_for_index(timeout=90)
    extraction_seconds = wait_for_extraction(timeout=120)
    final_seconds, _, final_report = wait_for_index(timeout=90)
    memory = deployment.memory_mb()
    with_extractor = deployment.memory_mb(extractor=True)
    audit = audit_submissions(stats)
    places = db.session.scalars(db.select(Registration.status).where(
        Registration.event_id == event.id)).all()
    summary = stats.summary()

    backend = db.engine.dialect.name
    report_figure(f"concurrency[{backend}] requests", summary["requests"])
    report_figure(f"concurrency[{backend}] req/s", summary["req_per_s"])
    report_figure(f"concurrency[{backend}] 5xx / connection errors / 4xx on create",
                  f"{summary['server_errors']} / {summary['client_errors']} / "
                  f"{summary['refused']}")
    report_figure(f"concurrency[{backend}] database-is-locked", deployment.lock_errors())
    report_figure(f"concurrency[{backend}] submissions sent/lost/duplicated",
                  f"{audit['sent']}/{len(audit['lost'])}/{len(audit['duplicated'])}")
    report_figure(f"concurrency[{backend}] rows made (questions, answers, documents)",
                  audit["rows"])
    report_figure(f"concurrency[{backend}] double submits (mismatched)",
                  f"{summary['double_submits']} ({len(stats.double_mismatches)})")
    report_figure(f"concurrency[{backend}] places given / waiting",
                  f"{places.count('confirmed')} / {places.count('waiting')}")
    report_figure(f"concurrency[{backend}] p95 create (s)", summary["p95_create_s"])
    report_figure(f"concurrency[{backend}] outbox empty after the load "
                  f"(s, aim {INDEX_CATCH_UP_AIM:g}; rows at stop)",
                  f"{index_seconds and round(index_seconds, 2)} ({backlog}); the check "
                  f"itself {check_seconds and round(check_seconds, 2)}")
    report_figure(f"concurrency[{backend}] text extraction backlog, then index again (s)",
                  f"{extraction_seconds and round(extraction_seconds, 2)}, then "
                  f"{final_seconds and round(final_seconds, 2)}")
    report_figure(f"concurrency[{backend}] memory gunicorn+4 workers+indexer (MB RSS sum / PSS)",
                  f"{memory['rss_mb']} / {memory['pss_mb']}")
    report_figure(f"concurrency[{backend}] memory with text extraction worker (MB RSS / PSS)",
                  f"{with_extractor['rss_mb']} / {with_extractor['pss_mb']}")

    assert stats.server_errors == [], stats.server_errors[:10]
    assert stats.client_errors == [], stats.client_errors[:10]
    assert stats.refused == [], stats.refused[:10]
    assert deployment.lock_errors() == 0, deployment.log("gunicorn")[-3000:]
    assert deployment.tracebacks() == 0, deployment.log("gunicorn")[-3000:]
    assert audit["lost"] == [] and audit["duplicated"] == [], audit
    assert stats.double_mismatches == [], stats.double_mismatches[:10]
    assert sum(summary["acknowledged"].values()) > USERS, summary  # the load really ran
    assert sorted(places) == ["confirmed"] * PLACES + ["waiting"] * (USERS - PLACES)
    assert index_seconds is not None and index_seconds <= INDEX_CATCH_UP_SECONDS, index_report
    assert extraction_seconds is not None, "text extraction did not finish"
    assert final_seconds is not None and final_seconds <= INDEX_CATCH_UP_SECONDS, final_report


def test_only_the_indexer_opens_an_index_writer():
    """R03: web requests never take Whoosh's one writer (they add to the outbox instead)."""
    root = Path(__file__).resolve().parent.parent / "kennisnet"
    writers = re.compile(r"\.writer\(|AsyncWriter|BufferedWriter|whoosh\.writing")
    found = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                   if writers.search(path.read_text(encoding="utf-8").replace("csv.writer(", "")))
    assert found == ["search/bulk.py", "search/indexer.py"]  # the live index; rebuilds
