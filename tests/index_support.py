"""Watching the search indexer from a test (a plain module, not a pytest plugin)."""

import fcntl
import random
from datetime import datetime, timedelta
from pathlib import Path

from kennisnet.search.registry import SearchDocument
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


WORDS = ("de het een en van zorgcoöperatie vrijwilligers vervoer statuten contributie dorpshuis "
         "mantelzorger spreekuur gemeente bestuur ledenvergadering burgerinitiatieven "
         "dorpsondersteuner koffie maaltijden café naïef 2026 ouderen buurt").split()


def corpus(count: int, seed: int = 7) -> list[SearchDocument]:
    """Items with every field kind, some left empty, and words common enough that their
    postings span several blocks (Whoosh writes 128 postings per block)."""
    rng = random.Random(seed)
    documents = []
    for number in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 400)))
        documents.append(SearchDocument(
            kind=rng.choice(("tip", "document", "question")), id=number,
            title=" ".join(rng.sample(WORDS, 3)), body=body,
            place=rng.choice(("", "Hegebrug", "Sint-Oedenrode")),
            province=rng.choice(("", "groningen", "limburg")),
            tags=rng.sample(("Vervoer", "Statuten", "Wonen"), rng.randint(0, 2)),
            phase=rng.choice(("", "start", "groei")),
            date=rng.choice((None, datetime(2026, 1, 1) + timedelta(days=number))),
            visibility=rng.choice(("public", "members")),
            extra_text=rng.choice(("", "antwoord: de penningmeester regelt de contributie"))))
    return documents
