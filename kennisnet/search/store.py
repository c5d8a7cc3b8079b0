"""Where the index lives on disk, how it is swapped atomically, and one shared searcher per process.

Layout of SEARCH_INDEX_DIR:
    CURRENT          name of the live generation; replaced atomically by `rebuild`
    gen-<stamp>/     one Whoosh index per generation (the live one and the one before it)
    indexer.lock     held by whoever writes to the live index, so there is only ever one writer
"""

import errno
import fcntl
import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from kennisnet.filesystem import fsync_directory
from kennisnet.search.schema import build_schema

log = logging.getLogger(__name__)

CURRENT_FILE = "CURRENT"
LOCK_FILE = "indexer.lock"
GENERATION_PREFIX = "gen-"
TOC_RACE_RETRIES = 5


class SearchUnavailable(Exception):
    """The index is missing or cannot be read; search answers 503 until it is rebuilt."""


class IndexerBusy(Exception):
    """Another process holds the indexer lock (a worker batch or a rebuild)."""


def index_root() -> Path:
    return Path(current_app.config["SEARCH_INDEX_DIR"])


def current_generation(root: Path) -> str | None:
    try:
        name = (root / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def open_generation(root: Path, name: str):
    """The Whoosh index of a generation; SearchUnavailable when it is missing or damaged."""
    path = root / name
    for attempt in range(TOC_RACE_RETRIES):
        try:
            return whoosh_index.open_dir(str(path))
        except FileNotFoundError as error:
            # An indexer commit deletes the table of contents Whoosh has just listed (seen
            # under load); the folder is still there, so list again and open the newer one.
            if attempt == TOC_RACE_RETRIES - 1 or not path.is_dir():
                raise SearchUnavailable(f"cannot open search index {path}: {error!r}") from error
        except Exception as error:  # Whoosh raises many kinds of errors for a damaged index
            raise SearchUnavailable(f"cannot open search index {path}: {error!r}") from error


def open_current(root: Path):
    name = current_generation(root)
    if name is None:
        raise SearchUnavailable(f"no search index in {root}")
    return open_generation(root, name)


def new_generation(root: Path):
    """An empty index in a fresh folder beside the live one: (name, index)."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{GENERATION_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    path = root / name
    path.mkdir()
    return name, whoosh_index.create_in(str(path), build_schema())


def activate(root: Path, name: str, keep_previous: bool = True) -> None:
    """Make `name` the live generation in one atomic rename, then prune old generations.

    keep_previous=False also removes the generation just replaced (an erasure must leave no
    copy of the erased words on disk; a query still reading it may fail once)."""
    previous = current_generation(root)
    temporary = root / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, root / CURRENT_FILE)
    fsync_directory(root)
    _prune(root, keep={name, previous} if keep_previous else {name})


def _prune(root: Path, keep: set) -> None:
    # The previous generation stays: other processes may still be finishing a query on it.
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith(GENERATION_PREFIX) and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def ensure_index(root: Path):
    """The live index, creating an empty one when there is none yet."""
    if current_generation(root) is None:
        name, _ = new_generation(root)
        activate(root, name)
    return open_current(root)


@contextmanager
def indexer_lock(root: Path, timeout: float = 30.0) -> Iterator[None]:
    """Exclusive right to write the index, across processes.

    An fcntl lock is released by the kernel when its process dies, so a killed indexer never
    leaves a stale lock behind.
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, timeout)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            raise IndexerBusy("another process is writing the search index")
        time.sleep(0.05)


SEGMENT_RACE_RETRIES = 3


class SharedSearcher:
    """One Whoosh searcher per process and index folder, reopened only when the index changed.

    Opening an index costs about 110 ms, so requests share this searcher. Whoosh searchers are
    not safe for concurrent use (they seek in shared files), so `use()` serialises access
    within the process; several processes (gunicorn workers) search in parallel.
    """

    def __init__(self, root: Path):
        self.root = root
        self.lock = threading.RLock()
        self.generation: str | None = None
        self.searcher = None

    @contextmanager
    def use(self):
        with self.lock:
            yield self._fresh()

    def _fresh(self):
        generation = current_generation(self.root)
        if generation is None:
            self.close()
            raise SearchUnavailable(f"no search index in {self.root}")
        try:
            self._open_or_refresh(generation)
        except SearchUnavailable:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise SearchUnavailable(f"search index unreadable: {error!r}") from error
        return self.searcher

    def _open_or_refresh(self, generation: str) -> None:
        # The indexer deletes a merged segment's files right after its commit, so a reader that
        # read the table of contents a moment before can find a segment gone (seen under load
        # as a 503 on /zoeken). Reading the table of contents again finds what exists now.
        for attempt in range(SEGMENT_RACE_RETRIES):
            try:
                if self.searcher is None or generation != self.generation:
                    self._open(generation)
                elif not self.searcher.up_to_date():
                    self.searcher = reopen_searcher(self.searcher)
                return
            except (FileNotFoundError, SearchUnavailable) as error:
                vanished = isinstance(error, FileNotFoundError) or isinstance(
                    error.__cause__, FileNotFoundError)
                if not vanished or attempt == SEGMENT_RACE_RETRIES - 1:
                    raise
                self.close()

    def _open(self, generation: str) -> None:
        self.close()
        self.searcher = open_generation(self.root, generation).searcher()
        self.generation = generation

    def close(self) -> None:
        if self.searcher is not None:
            try:
                self.searcher.close()
            except Exception:  # closing a damaged index must not hide the original problem
                log.debug("closing search index failed", exc_info=True)
        self.searcher = None
        self.generation = None


def reopen_searcher(old):
    """A searcher on the index's latest version that reuses the unchanged segment readers.

    Whoosh's own Searcher.refresh() matches segments by id only, so a segment that gained
    deletions keeps its old reader and deleted documents still match. Here a reader is reused
    only when both the segment and its number of deletions are unchanged.
    """
    ix = old._ix
    toc = ix._read_toc()
    reusable = {}
    for reader, _offset in old.reader().leaf_readers():
        segment = reader.segment()
        if segment is not None:
            reusable[(segment.segment_id(), segment.deleted_count())] = reader
    readers = []
    for segment in toc.segments:
        reader = reusable.pop((segment.segment_id(), segment.deleted_count()), None)
        readers.append(reader or SegmentReader(ix.storage, toc.schema, segment,
                                               generation=toc.generation))
    for leftover in reusable.values():
        leftover.close()
    if not readers:
        combined = EmptyReader(toc.schema)
    elif len(readers) == 1:
        combined = readers[0]
    else:
        combined = MultiReader(readers, generation=toc.generation)
    return Searcher(combined, fromindex=ix)


_SHARED: "OrderedDict[str, SharedSearcher]" = OrderedDict()
_SHARED_LOCK = threading.Lock()
_MAX_SHARED = 4  # more than one folder only happens in tests, which use one per test


def shared_searcher(root: Path | None = None) -> SharedSearcher:
    root = root or index_root()
    key = str(root.resolve())
    with _SHARED_LOCK:
        shared = _SHARED.get(key)
        if shared is None:
            shared = _SHARED[key] = SharedSearcher(root)
        _SHARED.move_to_end(key)
        while len(_SHARED) > _MAX_SHARED:
            _, evicted = _SHARED.popitem(last=False)
            with evicted.lock:
                evicted.close()
        return shared
