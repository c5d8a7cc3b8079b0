"""Watching the search indexer from a test (a plain module, not a pytest plugin)."""

import fcntl
from pathlib import Path

from kennisnet.search.store import LOCK_FILE


def indexer_lock_is_held(root: Path) -> bool:
    """Whether some process holds the indexer lock of this index folder right now."""
    if not (root / LOCK_FILE).exists():
        return False
    with open(root / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
