"""The only code that writes the index: drains the outbox, rebuilds, checks and repairs.

One process at a time holds the indexer lock and one Whoosh writer. Outbox rows are deleted only
after the index commit, so a crash at any point leaves the work in the outbox for the next run
(applying a document twice is harmless: updates are keyed by kind and id).
"""

import logging
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kennisnet.extensions import db
from kennisnet.search.analysis import rebuild_word_cache
from kennisnet.search.bulk import write_segments
from kennisnet.search.models import SearchOutbox
from kennisnet.search.registry import (
    SearchDocument,
    document_key,
    get_kind,
    parse_key,
    searchable_kinds,
)
from kennisnet.search.schema import SPELLING_FIELD, document_words, index_fields
from kennisnet.search.store import (
    activate,
    ensure_index,
    index_root,
    indexer_lock,
    new_generation,
    open_current,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 200
CHUNK_SIZE = 500
WRITER_TIMEOUT = 30.0
REBUILD_LOCK_TIMEOUT = 600.0
# Processes that each write one segment of a rebuilt index (bench/search.py).
REBUILD_PROCS = min(2, os.cpu_count() or 1)
WORDS_PER_ENTRY = 5000

Key = tuple[str, int]

# An outbox row of this kind asks for a purge (see _purge); its item id means nothing.
PURGE_KIND = "purge"


@contextmanager
def _document_context() -> Iterator[None]:
    """search_document() may call url_for(); it runs as a read-only GET request would, which
    also keeps SQLite's cheap deferred BEGIN for these reads."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=current_app.config.get("BASE_URL")):
        yield


def _session() -> Session:
    # The indexer's own session: it never touches (or waits on) a caller's transaction.
    return Session(db.engine, expire_on_commit=False)


def build_documents(session: Session, keys: Iterable[Key]) -> dict[Key, SearchDocument | None]:
    """The current document of each item; None where it is gone or must not be found."""
    documents: dict[Key, SearchDocument | None] = {key: None for key in keys}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, item_id in documents:
        by_kind[kind].append(item_id)
    with _document_context():
        for kind, ids in by_kind.items():
            info = get_kind(kind)
            if info is None:
                continue  # a kind that no longer exists: its entries are removed
            for row in info.model.search_load(session, ids):
                documents[(kind, row.id)] = row.search_document()
    return documents


def apply_documents(writer, documents: dict[Key, SearchDocument | None]) -> None:
    words: set[str] = set()
    for (kind, item_id), document in documents.items():
        if document is None:
            writer.delete_by_term("key", document_key(kind, item_id))
        else:
            writer.update_document(**index_fields(document))
            words |= document_words(document)
    reader = writer.searcher().reader()  # the writer's own cached view of the committed index
    add_new_words(writer, {word for word in words if (SPELLING_FIELD, word) not in reader})


def add_new_words(writer, words: set[str]) -> None:
    """Record words for did-you-mean in the live index (see spelling_entry)."""
    if words:
        writer.add_document(**spelling_entry(words))


def spelling_entry(words: set[str]) -> dict:
    """One dictionary entry for did-you-mean: an index document with only the `spell` field
    (no key, kind or text, so no search ever matches it).

    Whoosh's own spelling fields index every word of every document a second time; an entry
    per batch of new words costs a fraction of that and gives the same dictionary.
    """
    return {"spell": " ".join(sorted(words))}


def _write(root, documents: dict[Key, SearchDocument | None]) -> None:
    """Apply documents to the live index with one writer and commit.

    A missing index is not silently recreated here (that would hide everything indexed so far);
    the worker builds it from the database on start, tests call drain_outbox().
    """
    writer = open_current(root).writer(timeout=WRITER_TIMEOUT, delay=0.05)
    try:
        apply_documents(writer, documents)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def run_batch(batch_size: int = BATCH_SIZE,
              after_index_commit: Callable[[], None] | None = None) -> int:
    """Index the oldest outbox entries; returns how many outbox rows were done."""
    root = index_root()
    with _session() as session:
        with _document_context():
            rows = session.execute(
                select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.item_id)
                .order_by(SearchOutbox.id).limit(batch_size)
            ).all()
            documents = build_documents(session, {(r.kind, r.item_id) for r in rows})
            session.rollback()  # end the read before the (slower) index write
        if not rows:
            return 0
        with indexer_lock(root, timeout=WRITER_TIMEOUT):
            _write(root, documents)
            if any(r.kind == PURGE_KIND for r in rows):
                _purge(root)
            if after_index_commit is not None:
                after_index_commit()
            # Only now: a crash before this line leaves the rows for the next run.
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
            session.commit()
    return len(rows)


def _purge(root) -> None:
    """Replace the index by a fresh generation built from the database, and delete the old
    ones: Whoosh keeps deleted documents' words in its segment files and the did-you-mean
    dictionary, which an account erasure must not leave behind. Call with the lock held."""
    with _session() as session:
        documents = (doc for _key, doc in iter_all_documents(session) if doc is not None)
        name, count = build_generation(root, documents, procs=1)
    activate(root, name, keep_previous=False)
    log.info("search index purged: %d items in %s", count, name)


def drain_outbox(batch_size: int = BATCH_SIZE) -> int:
    """Index everything committed so far and return the number of outbox rows done.

    Commits the caller's session first, so the changes it made are included (tests call this
    instead of waiting for the worker). Creates an empty index if there is none; the worker and
    `run-once` build a missing index from the database instead (see worker.prepare_index).
    """
    db.session.commit()
    ensure_index(index_root())
    done = 0
    while True:
        batch = run_batch(batch_size)
        if not batch:
            return done
        done += batch


def pending_count() -> int:
    with _session() as session, _document_context():
        return session.scalar(select(func.count(SearchOutbox.id))) or 0


def iter_all_documents(session: Session, chunk_size: int = CHUNK_SIZE
                       ) -> Iterator[tuple[Key, SearchDocument | None]]:
    """Every searchable row's document, kind by kind, loaded in chunks (in one read-only
    transaction: on SQLite it takes no write lock, so the site keeps working meanwhile)."""
    with _document_context():
        for kind in searchable_kinds():
            ids = kind.model.search_all_ids(session)
            for start in range(0, len(ids), chunk_size):
                keys = [(kind.name, item_id) for item_id in ids[start:start + chunk_size]]
                yield from build_documents(session, keys).items()
                session.expunge_all()  # keep memory flat on large sites


def rebuild(procs: int = REBUILD_PROCS) -> int:
    """Build a fresh index beside the live one and swap it in; returns the number of items.

    Searches keep using the old index until the swap. The worker waits on the indexer lock
    meanwhile, and changes made during the build stay in the outbox and are applied to the
    new index right after the swap.
    """
    root = index_root()
    with indexer_lock(root, timeout=REBUILD_LOCK_TIMEOUT), _session() as session:
        documents = (doc for _key, doc in iter_all_documents(session) if doc is not None)
        name, count = build_generation(root, documents, procs)
        activate(root, name)
    log.info("search index rebuilt: %d items in %s", count, name)
    return count


def build_generation(root, documents: Iterable[SearchDocument], procs: int = REBUILD_PROCS
                     ) -> tuple[str, int]:
    """A new, not yet live generation holding these documents: (name, number of items)."""
    name, ix = new_generation(root)
    counted = [0]
    try:
        with rebuild_word_cache():
            write_segments(ix, index_entries(documents, counted), procs)
    except BaseException:
        shutil.rmtree(root / name, ignore_errors=True)
        raise
    return name, counted[0]


def index_entries(documents: Iterable[SearchDocument], counted: list[int]) -> Iterator[dict]:
    """The index entries for new documents, with dictionary entries of their words for
    did-you-mean; counted[0] ends as the number of documents."""
    seen_words, new_words = set(), set()
    for document in documents:
        yield index_fields(document)
        counted[0] += 1
        new_words |= document_words(document) - seen_words
        if len(new_words) >= WORDS_PER_ENTRY:
            yield spelling_entry(new_words)
            seen_words |= new_words
            new_words = set()
    if new_words:
        yield spelling_entry(new_words)


@dataclass
class CheckReport:
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    pending: int = 0
    repaired: bool = False

    @property
    def differences(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def check(repair: bool = False) -> CheckReport:
    """Compare database and index (ids and content hashes); optionally fix the differences.

    Items waiting in the outbox are left out: the worker is about to apply them anyway.
    """
    root = index_root()
    with _session() as session:
        with _document_context():
            pending = {document_key(r.kind, r.item_id) for r in session.execute(
                select(SearchOutbox.kind, SearchOutbox.item_id)).all()}
        expected = {}
        for key, document in iter_all_documents(session):
            if document is not None:
                expected[document_key(*key)] = document
    indexed = indexed_hashes(root)
    report = CheckReport(pending=len(pending))
    report.missing = sorted(k for k in expected.keys() - indexed.keys() if k not in pending)
    report.stale = sorted(k for k in expected.keys() & indexed.keys()
                          if expected[k].content_hash() != indexed[k] and k not in pending)
    report.extra = sorted(k for k in indexed.keys() - expected.keys() if k not in pending)
    if repair and report.differences:
        _repair(root, report, expected)
        report.repaired = True
    return report


def indexed_hashes(root) -> dict[str, str]:
    ix = open_current(root)
    with ix.searcher() as searcher:
        return {fields["key"]: fields.get("hash", "")
                for _docnum, fields in searcher.reader().iter_docs() if "key" in fields}


def _repair(root, report: CheckReport, expected: dict[str, SearchDocument]) -> None:
    documents: dict[Key, SearchDocument | None] = {}
    for key in report.missing + report.stale:
        documents[parse_key(key)] = expected[key]
    for key in report.extra:
        documents[parse_key(key)] = None
    with indexer_lock(root, timeout=WRITER_TIMEOUT):
        _write(root, documents)
