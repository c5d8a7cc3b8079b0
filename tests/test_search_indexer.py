"""The outbox and the indexer: nothing lost, nothing extra, whatever crashes when."""

# Fixtures come from tests/search_support.py by import; pytest injects them by name.
# ruff: noqa: F811

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from kennisnet.extensions import db
from kennisnet.search.indexer import check, indexed_hashes, pending_count, rebuild, run_batch
from kennisnet.search.models import SearchOutbox
from kennisnet.search.store import (
    CURRENT_FILE,
    SearchUnavailable,
    current_generation,
    ensure_index,
    open_current,
)
from kennisnet.search.worker import prepare_index, run_worker
from kennisnet.tips.models import Tip
from tests.index_support import indexer_lock_is_held
from tests.search_support import (  # noqa: F401
    MemberNote,
    MemberNoteReply,
    drain,
    found,
    make_note,
    make_page,
    make_tip,
    note_rule,
)

ROOT = Path(__file__).resolve().parents[1]


def outbox_keys():
    return sorted((row.kind, row.item_id) for row in db.session.execute(
        select(SearchOutbox.kind, SearchOutbox.item_id)))


def indexed_keys(app) -> list[str]:
    return sorted(indexed_hashes(Path(app.config["SEARCH_INDEX_DIR"])))


def indexed_documents(app) -> list[str]:
    """Every indexed item, duplicates included (indexed_keys would hide them)."""
    ix = open_current(Path(app.config["SEARCH_INDEX_DIR"]))
    with ix.searcher() as searcher:
        return [fields["key"] for _n, fields in searcher.reader().iter_docs() if "key" in fields]


def test_changes_are_recorded_in_the_outbox(make_tip, app):
    tip = make_tip(title="Eerste versie")
    assert outbox_keys() == [("tip", tip.id)]
    tip.title = "Tweede versie"
    db.session.commit()
    db.session.delete(tip)
    db.session.commit()
    assert outbox_keys() == [("tip", tip.id)] * 3


def test_loading_without_changing_records_nothing(make_tip, drain):
    tip = make_tip(title="Alleen lezen")
    drain()
    tip.title = tip.title  # touched, not changed
    db.session.commit()
    assert outbox_keys() == []


def test_update_and_delete_are_searchable_after_drain(make_tip, drain, found):
    tip = make_tip(title="Oude titel over vervoer")
    drain()
    assert found("vervoer") == ["Oude titel over vervoer"]
    tip.title = "Nieuwe titel over maaltijden"
    db.session.commit()
    drain()
    assert found("vervoer") == [] and found("maaltijden") == ["Nieuwe titel over maaltijden"]
    db.session.delete(tip)
    db.session.commit()
    drain()
    assert found("maaltijden") == []
    assert outbox_keys() == []


def test_rollback_indexes_nothing(app, drain, found):
    tip = Tip(slug="teruggedraaid", number=1, phase="start", title="Teruggedraaide tip")
    db.session.add(tip)
    db.session.flush()  # the outbox row is written inside the transaction...
    assert outbox_keys() == [("tip", tip.id)]
    db.session.rollback()  # ...and disappears with it
    assert outbox_keys() == []
    drain()
    assert found("teruggedraaide") == []


def test_autoflushed_changes_are_still_recorded(app, drain, found):
    # The pitfall of before_commit + session.new: an autoflush empties session.new early.
    db.session.add(Tip(slug="autoflush", number=1, phase="start", title="Autoflush tip"))
    db.session.scalar(select(func.count(Tip.id)))  # triggers the autoflush
    db.session.commit()
    drain()
    assert found("autoflush") == ["Autoflush tip"]


def test_a_child_requeues_its_parent(make_note, drain, found):
    note = make_note(title="Vraag over vervoer", body="Wie rijdt er?")
    drain()
    db.session.add(MemberNoteReply(note_id=note.id, text="De buurtbus van Hoogeloon."))
    db.session.commit()
    assert outbox_keys() == [("testnotitie", note.id)]
    drain()
    assert found("buurtbus") == ["Vraag over vervoer"]


def test_crash_between_index_commit_and_outbox_delete_loses_nothing(app, make_tip, found):
    ensure_index(Path(app.config["SEARCH_INDEX_DIR"]))
    for n in range(5):
        make_tip(title=f"Crashtip {n}")

    def crash():
        raise RuntimeError("indexer killed after the index commit")

    with pytest.raises(RuntimeError):
        run_batch(after_index_commit=crash)
    assert pending_count() == 5  # the outbox still holds the work
    assert run_batch() == 5  # the restarted indexer applies it again, harmlessly
    assert pending_count() == 0
    assert len(found("crashtip")) == 5
    assert len(indexed_documents(app)) == 5  # applied twice, indexed once


def _subprocess_env(app) -> dict:
    env = dict(os.environ)
    env.update(KENNISNET_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               KENNISNET_SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
               KENNISNET_INSTANCE_PATH=str(Path(app.config["SEARCH_INDEX_DIR"]).parent),
               PYTHONPATH=str(ROOT))
    return env



def test_sigkill_while_holding_the_writer_loses_nothing(app, drain, found):
    long_text = " ".join(["Vrijwilligers rijden mensen naar de huisarts in het dorp."] * 60)
    db.session.execute(insert(Tip), [
        {"slug": f"kill-{n}", "number": n, "phase": "start", "title": f"Killtip {n}",
         "explanation": long_text} for n in range(300)])
    db.session.execute(insert(SearchOutbox), [
        {"kind": "tip", "item_id": tip_id} for tip_id in db.session.scalars(select(Tip.id))])
    db.session.commit()
    root = Path(app.config["SEARCH_INDEX_DIR"])
    ensure_index(root)
    worker = subprocess.Popen(
        [sys.executable, "-c", "from kennisnet.cli import main; main()", "search", "drain"],
        env=_subprocess_env(app), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not indexer_lock_is_held(root):
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the indexer never took the writer"
        time.sleep(0.005)
    time.sleep(0.05)  # well inside the batch: writing 200 long items takes far longer
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert worker.returncode == -signal.SIGKILL
    assert pending_count() > 0, "killed too late: the batch was finished"
    open_current(root).close()  # the index is intact
    drain()  # the restarted indexer
    assert pending_count() == 0
    assert len(indexed_documents(app)) == 300  # no item lost, none twice
    assert len(found("killtip", pagina=1)) == 10


def test_check_finds_and_repair_fixes_planted_differences(make_tip, drain, runner, app):
    gone = make_tip(title="Wordt stiekem verwijderd")  # not the highest id: SQLite reuses that
    stale = make_tip(title="Wordt stiekem veranderd")
    keep = make_tip(title="Blijft gelijk")
    drain()
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    # Core statements bypass the ORM, so no outbox rows: the index silently drifts.
    db.session.execute(update(Tip).where(Tip.id == stale.id).values(title="Veranderd"))
    db.session.execute(delete(Tip).where(Tip.id == gone.id))
    db.session.execute(insert(Tip).values(slug="stiekem", number=99, phase="start",
                                          title="Stiekem toegevoegd"))
    db.session.commit()
    missing_id = db.session.scalar(select(Tip.id).where(Tip.slug == "stiekem"))

    report = check()
    assert report.missing == [f"tip:{missing_id}"]
    assert report.stale == [f"tip:{stale.id}"]
    assert report.extra == [f"tip:{gone.id}"]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code != 0 and "3 verschillen" in result.output

    result = runner.invoke(args=["search", "check", "--repair"])
    assert result.exit_code == 0, result.output
    assert "3 verschillen hersteld" in result.output
    second = runner.invoke(args=["search", "check"])
    assert second.exit_code == 0 and "komen overeen" in second.output
    assert f"tip:{keep.id}" in indexed_keys(app)


def test_check_leaves_pending_outbox_items_alone(make_tip, drain):
    drain()
    make_tip(title="Nog niet geïndexeerd")
    report = check()
    assert report.differences == 0 and report.pending == 1


def test_rebuild_swaps_atomically_while_searches_keep_answering(make_tip, drain, app):
    for n in range(40):
        make_tip(title=f"Rebuildtip {n}", explanation="Over vrijwilligers en vervoer.")
    drain()
    root = Path(app.config["SEARCH_INDEX_DIR"])
    first = current_generation(root)
    statuses, stop = [], threading.Event()

    def search_in_a_loop():
        client = app.test_client()
        while not stop.is_set():
            response = client.get("/zoeken?q=vrijwilligers")
            statuses.append((response.status_code,
                             response.get_data(as_text=True).count('class="search-hit"')))

    thread = threading.Thread(target=search_in_a_loop)
    thread.start()
    try:
        time.sleep(0.2)
        for _ in range(3):
            assert rebuild() == 40
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert statuses and all(status == (200, 10) for status in statuses), set(statuses)
    assert current_generation(root) != first
    generations = [p.name for p in root.iterdir() if p.name.startswith("gen-")]
    assert len(generations) <= 2  # the live one and the one before it
    assert len(indexed_keys(app)) == 40


def test_changes_during_a_rebuild_reach_the_new_index(make_tip, drain, found, app):
    make_tip(title="Voor de rebuild")
    drain()
    make_tip(title="Tijdens de rebuild")  # still in the outbox when the swap happens
    rebuild()
    drain()
    assert sorted(found("rebuild")) == ["Tijdens de rebuild", "Voor de rebuild"]


def test_worker_makes_new_items_searchable_within_two_seconds(app, make_tip, found):
    make_tip(title="Bestond al")
    stop = threading.Event()
    worker_app = app

    def work():
        with worker_app.app_context():
            run_worker(stop, poll=0.1)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while current_generation(Path(app.config["SEARCH_INDEX_DIR"])) is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        make_tip(title="Net toegevoegd")
        committed = time.monotonic()
        while "Net toegevoegd" not in found("toegevoegd"):
            assert time.monotonic() - committed < 2.0, "not searchable within 2 seconds"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert "Bestond al" in found("bestond")


def test_the_indexer_does_not_silently_recreate_a_missing_index(app, make_tip, drain):
    make_tip(title="Eerst geïndexeerd")
    drain()
    (Path(app.config["SEARCH_INDEX_DIR"]) / CURRENT_FILE).unlink()
    make_tip(title="Daarna")
    with pytest.raises(SearchUnavailable):
        run_batch()
    assert pending_count() == 1  # kept for after `kennisnet search rebuild`


def test_first_start_builds_the_index_from_the_database(make_tip, app, found):
    make_tip(title="Van voor de index")
    db.session.execute(delete(SearchOutbox))
    db.session.commit()
    assert current_generation(Path(app.config["SEARCH_INDEX_DIR"])) is None
    prepare_index()
    assert found("index") == ["Van voor de index"]


def test_cli_group_is_available(runner):
    result = runner.invoke(args=["search", "--help"])  # scripts/run-dev.sh checks this
    assert result.exit_code == 0
    for command in ("worker", "run-once", "drain", "rebuild", "check"):
        assert command in result.output


def test_cli_run_once_and_rebuild(make_tip, runner, found, app):
    make_tip(title="Via de opdrachtregel")
    result = runner.invoke(args=["search", "run-once"])
    assert result.exit_code == 0, result.output
    assert found("opdrachtregel") == ["Via de opdrachtregel"]
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and "1 items" in result.output
    assert (Path(app.config["SEARCH_INDEX_DIR"]) / CURRENT_FILE).exists()
    assert runner.invoke(args=["search", "drain"]).exit_code == 0


def test_two_indexers_at_once_lose_nothing(app, make_tip, found):
    ensure_index(Path(app.config["SEARCH_INDEX_DIR"]))
    for n in range(30):
        make_tip(title=f"Parallel {n}")
    errors = []

    def drain_in_thread():
        with app.app_context():
            try:
                while run_batch(batch_size=3):
                    pass
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

    threads = [threading.Thread(target=drain_in_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert pending_count() == 0
    assert len(indexed_keys(app)) == 30


def test_opening_the_index_survives_commits_in_between(app, make_tip):
    """An indexer commit deletes the table of contents a reader has just listed; a reader
    (the consistency check, a search) must then read the newer one, not fail."""
    root = Path(app.config["SEARCH_INDEX_DIR"])
    ensure_index(root)
    for n in range(60):
        make_tip(title=f"Tussendoor {n}")
    db.session.commit()
    errors, opened, done = [], [0], threading.Event()

    def drain_one_by_one():
        with app.app_context():
            try:
                while run_batch(batch_size=1):
                    pass
            finally:
                done.set()

    thread = threading.Thread(target=drain_one_by_one)
    thread.start()
    try:
        while not done.is_set():
            try:
                indexed_hashes(root)
                opened[0] += 1
            except SearchUnavailable as error:
                errors.append(error)
    finally:
        thread.join()
    assert opened[0] > 5  # the reads really overlapped the commits
    assert errors == []
    assert len(indexed_hashes(root)) == 60
