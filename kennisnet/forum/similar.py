"""Questions like the one being typed, found through the search service."""

import logging
import re

from sqlalchemy import select

from kennisnet.extensions import db
from kennisnet.forum.models import Question
from kennisnet.permissions import can_view_post
from kennisnet.search.engine import SearchRequest, run_search
from kennisnet.search.store import SearchUnavailable

log = logging.getLogger(__name__)

MAX_SIMILAR = 5
_WORDS = re.compile(r"\w{3,}")


def similar_questions(title: str, user, limit: int = MAX_SIMILAR) -> list[Question]:
    """Up to `limit` visible questions sharing words with the title, best first.

    Any word may match (OR): a new question rarely repeats every word of an old one.
    """
    words = list(dict.fromkeys(_WORDS.findall(title.lower())))[:12]
    if not words:
        return []
    found: dict[int, Question] = {}

    def visible(keys):
        ids = [item_id for kind, item_id in keys if kind == "question"]
        rows = db.session.scalars(select(Question).where(Question.id.in_(ids))) if ids else []
        found.update({row.id: row for row in rows if can_view_post(user, row)})
        return {("question", item_id) for item_id in found}

    search = SearchRequest(text=" OR ".join(words), filters={"kind": ("question",)})
    try:
        result = run_search(search, visible)
    except SearchUnavailable:
        log.warning("similar questions: search unavailable")
        return []
    return [found[hit.id] for hit in result.hits if hit.id in found][:limit]
