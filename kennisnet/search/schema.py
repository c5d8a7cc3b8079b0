"""The index schema and how a SearchDocument becomes index fields."""

from datetime import UTC, date, datetime
from pickle import dumps

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from kennisnet.search import whoosh_patches  # noqa: F401 - applied before any index is used
from kennisnet.search.analysis import dutch_analyzer, spelling_words
from kennisnet.search.registry import SearchDocument

# Fields matched against the words of a query, with their weights: title above body.
TEXT_FIELD_BOOSTS = {"title": 3.0, "place": 2.0, "body": 1.0, "extra": 0.5}
# A part of a compound ("coöperatie" inside "zorgcoöperatie") counts for less than the word.
PART_WEIGHT = 0.3
PHRASE_FIELDS = ("title", "body", "extra")
FACET_FIELDS = ("kind", "province", "tags", "phase")
SPELLING_FIELD = "spell"


class DutchPositions(Positions):
    """Whoosh's Positions format, fed straight from DutchTokenizer.term_positions when
    indexing. The stored bytes are the same, so readers and old segments need no change."""

    def word_values(self, value, analyzer, **kwargs):
        fast = getattr(analyzer, "term_positions", None)
        if fast is None or kwargs != {"mode": "index"} or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, positions in fast(value).items():
            yield term, len(positions), len(positions) * boost, encode_positions(positions)


class DutchText(TEXT):
    """A TEXT field whose index() builds its postings in one pass (see DutchPositions)."""

    def index(self, value, **kwargs):
        fast = getattr(self.analyzer, "term_positions", None)
        if (fast is None or kwargs or not isinstance(value, str)
                or type(self.format) is not DutchPositions):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(term.encode("utf-8"), len(positions), len(positions) * boost,
                 encode_positions(positions))
                for term, positions in fast(value).items()]


_ENCODED_POSITIONS: dict[tuple, bytes] = {}
_CACHED_POSITIONS_MAX = 3  # most terms occur once or twice in an item: few distinct lists
_CACHE_ENTRIES_MAX = 200_000


def encode_positions(positions: list[int]) -> bytes:
    """Positions.encode, remembered for short lists: pickling each posting's positions took a
    tenth of a rebuild, and the same short lists come back all the time."""
    if len(positions) > _CACHED_POSITIONS_MAX:
        return _encode(positions)
    key = tuple(positions)
    encoded = _ENCODED_POSITIONS.get(key)
    if encoded is None:
        if len(_ENCODED_POSITIONS) >= _CACHE_ENTRIES_MAX:
            _ENCODED_POSITIONS.clear()
        encoded = _ENCODED_POSITIONS[key] = _encode(positions)
    return encoded


def _encode(positions: list[int]) -> bytes:
    deltas, base = [], 0
    for position in positions:
        deltas.append(position - base)
        base = position
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def _text(analyzer, **options) -> TEXT:
    field = DutchText(analyzer=analyzer, **options)
    field.format = DutchPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> Schema:
    text = dutch_analyzer()
    return Schema(
        # Only what the index itself needs is stored: results are shown from the database.
        key=ID(unique=True, stored=True),
        kind=ID(),
        province=ID(),
        tags=KEYWORD(commas=True, scorable=False),
        phase=ID(),
        visibility=ID(),
        date=_sort_column(DATETIME(sortable=True)),
        title=_text(text, multitoken_query="phrase"),
        body=_text(text, stored=True, multitoken_query="phrase"),  # for snippets
        extra=_text(text, multitoken_query="phrase"),
        place=_text(text),
        # The did-you-mean dictionary: whole words, filled by dictionary entries that the
        # indexer adds once per new word (see indexer.add_new_words), not once per document.
        spell=KEYWORD(scorable=False),
        hash=STORED(),  # content hash, compared by `kennisnet search check`
    )


def _sort_column(field):
    """A field kept only as a column for sorting. A DATETIME field also indexes eight trie terms
    per document for range queries, which public search never offers (the field plugins are
    off): a fifth of all index terms and of the rebuild time."""
    field.indexed = False
    return field


def index_fields(doc: SearchDocument) -> dict:
    """Keyword arguments for writer.update_document(); empty values are left out."""
    fields = {
        "key": doc.key,
        "kind": doc.kind,
        "province": doc.province,
        "tags": ",".join(str(tag).replace(",", " ") for tag in doc.tags),
        "phase": doc.phase,
        "visibility": doc.visibility,
        "date": _naive_utc(doc.date),
        "title": doc.title,
        "body": doc.body,
        "extra": doc.extra_text,
        "place": doc.place,
        "hash": doc.content_hash(),
    }
    return {name: value for name, value in fields.items() if value not in (None, "")}


def _naive_utc(value: date | datetime | None) -> datetime | None:
    """Whoosh compares naive datetimes; a plain date counts as midnight UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def document_words(doc: SearchDocument) -> set[str]:
    """The words of a document that did-you-mean may propose."""
    return spelling_words(f"{doc.title}\n{doc.body}\n{doc.extra_text}")
