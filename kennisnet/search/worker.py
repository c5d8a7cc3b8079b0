"""The long-running indexer: polls the outbox and applies it, one batch and one writer at a time."""

import logging
import threading
import time

from kennisnet.search.indexer import rebuild, run_batch
from kennisnet.search.store import (
    IndexerBusy,
    SearchUnavailable,
    current_generation,
    index_root,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # new items are searchable well within the promised 2 seconds
ERROR_PAUSE_SECONDS = 5.0


def prepare_index() -> None:
    """Build the index from the database when there is none yet (first start)."""
    if current_generation(index_root()) is None:
        log.info("no search index yet: building it from the database")
        rebuild()


def run_worker(stop: threading.Event, poll: float = POLL_SECONDS) -> None:
    """Drain the outbox until `stop` is set; whatever is unfinished stays in the outbox."""
    prepare_index()
    broken_since = None
    while not stop.is_set():
        try:
            done = run_batch()
            broken_since = None
        except IndexerBusy:
            done = 0  # a rebuild or another drain holds the lock: try again shortly
        except SearchUnavailable as error:
            if broken_since is None:
                broken_since = time.monotonic()
                log.error("search index unusable (%s); run `kennisnet search rebuild`", error)
            stop.wait(ERROR_PAUSE_SECONDS)
            continue
        except Exception:
            log.exception("search indexer batch failed; retrying")
            stop.wait(ERROR_PAUSE_SECONDS)
            continue
        if not done:
            stop.wait(poll)
