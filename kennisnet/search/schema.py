"""The index schema and how a SearchDocument becomes index fields."""

from datetime import UTC, date, datetime

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

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
        date=DATETIME(sortable=True),
        title=TEXT(analyzer=text, multitoken_query="phrase"),
        body=TEXT(analyzer=text, stored=True, multitoken_query="phrase"),  # for snippets
        extra=TEXT(analyzer=text, multitoken_query="phrase"),
        place=TEXT(analyzer=text),
        # The did-you-mean dictionary: whole words, filled by dictionary entries that the
        # indexer adds once per new word (see indexer.add_new_words), not once per document.
        spell=KEYWORD(scorable=False),
        hash=STORED(),  # content hash, compared by `kennisnet search check`
    )


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
