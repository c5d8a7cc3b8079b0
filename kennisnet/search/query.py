"""From what a visitor typed to a Whoosh query: cleaning, parsing, synonyms, compounds, spelling.

Public search understands plain words (all must match), "exact phrases", -word to exclude a
word, and OR (or OF). Field names, wildcards, ranges and boosts are not parsed: their characters
are treated as word separators, so no input can reach an expensive or failing query type.
"""

import functools
import logging
import re
import unicodedata

from whoosh import query as wq
from whoosh.qparser import (
    GroupPlugin,
    OperatorsPlugin,
    PhrasePlugin,
    PlusMinusPlugin,
    QueryParser,
    WhitespacePlugin,
    syntax,
)

from kennisnet.search.analysis import PART_MARK, analyse, fold, synonym_map
from kennisnet.search.schema import (
    PART_WEIGHT,
    PHRASE_FIELDS,
    TEXT_FIELD_BOOSTS,
    build_schema,
)
from kennisnet.search.spelling import words_within

log = logging.getLogger(__name__)

# Whoosh's parser slows down quadratically with the length of its input (16k characters took
# 3.3 s): the query is cut to this length before anything else looks at it.
MAX_QUERY_LENGTH = 256
SYNONYM_WEIGHT = 0.7
PARSE_FIELD = "body"  # the parser's field; expand() spreads each word over all text fields
_WHITESPACE = re.compile(r"\s+")
# A minus or plus counts as an operator only at the start of a word, so "wmo-loket" stays whole.
_MINUS = r"(?<![^\s(])-(?=[^\s-])"
_PLUS = r"(?<![^\s(])\+(?=[^\s+])"


def clean_query(raw: str | None) -> str:
    """The query as it is parsed and shown: at most 256 characters, no NUL, no lone
    surrogates or other control characters, whitespace collapsed."""
    text = (raw or "")[:MAX_QUERY_LENGTH]
    text = "".join(" " if _unwanted(ch) else ch for ch in text)
    return _WHITESPACE.sub(" ", text).strip()


def _unwanted(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Cn", "Co")


@functools.lru_cache(maxsize=1)
def _parser() -> QueryParser:
    # Built from our own schema definition: parsing only needs the body field's analyzer,
    # which is the same in every generation of the index.
    operators = OperatorsPlugin(
        clean=True,
        ops=[
            (OperatorsPlugin.OpTagger(r"(?<=\s)(OR|OF)(?=\s)", syntax.OrGroup, memo="or"), 0),
            (OperatorsPlugin.OpTagger(r"(?<=\s)(AND|EN)(?=\s)", syntax.AndGroup, memo="and"), 0),
            (OperatorsPlugin.OpTagger(r"(^|(?<=(\s|[()])))(NOT|NIET)(?=\s)", syntax.NotGroup,
                                      syntax.PrefixOperator, memo="not"), 0),
        ],
    )
    plugins = [WhitespacePlugin(), PhrasePlugin(), GroupPlugin(), operators,
               PlusMinusPlugin(plusexpr=_PLUS, minusexpr=_MINUS)]
    return QueryParser(PARSE_FIELD, build_schema(), plugins=plugins, group=syntax.AndGroup)


def parse(text: str) -> wq.Query | None:
    """The parsed query in the parser field, or None when nothing searchable is left
    (only stop words, only exclusions, only punctuation) or the parser fails."""
    if not text:
        return None
    try:
        parsed = _parser().parse(text)
    except Exception:  # a parser bug must never become a 500: treat the input as no query
        log.warning("query parser failed on %r", text, exc_info=True)
        return None
    parsed = parsed.normalize()
    if parsed is wq.NullQuery or not _has_positive_part(parsed):
        return None
    return parsed


def _has_positive_part(q: wq.Query) -> bool:
    if isinstance(q, wq.Not):
        return False
    if isinstance(q, wq.AndNot):
        return _has_positive_part(q.a)
    if isinstance(q, wq.Or):
        return any(_has_positive_part(sub) for sub in q.subqueries)
    if isinstance(q, wq.And):
        return any(_has_positive_part(sub) for sub in q.subqueries)
    return q is not wq.NullQuery


def expand(q: wq.Query) -> wq.Query:
    """Spread every word and phrase over the text fields, with synonyms and compound parts."""
    if isinstance(q, wq.Term) and q.fieldname == PARSE_FIELD:
        return word_query((q.text,))
    if isinstance(q, wq.Phrase) and q.fieldname == PARSE_FIELD:
        return word_query(tuple(q.words))
    return q.apply(expand)


def word_query(words: tuple[str, ...]) -> wq.Query:
    """Or over fields and synonyms for one analysed word or phrase."""
    variants = synonym_map().get(words, (words,))
    clauses: list[wq.Query] = []
    for variant in variants:
        weight = 1.0 if variant == words else SYNONYM_WEIGHT
        clauses.extend(_variant_clauses(variant, weight))
    return wq.Or(clauses)


def _variant_clauses(words: tuple[str, ...], weight: float) -> list[wq.Query]:
    if len(words) == 1:
        return [wq.Term(field, text, boost=boost * weight * factor)
                for field, boost in TEXT_FIELD_BOOSTS.items()
                for text, factor in ((words[0], 1.0), (PART_MARK + words[0], PART_WEIGHT))]
    return [wq.Phrase(field, list(words), boost=TEXT_FIELD_BOOSTS[field] * weight)
            for field in PHRASE_FIELDS]


def misspelled_words(parsed: wq.Query, text: str, reader) -> list[tuple[int, int, str]]:
    """(start, end, word) for each plain word of the query that occurs nowhere in the index."""
    found = []
    for term in _plain_terms(parsed):
        if term.startchar is None or _occurs(reader, term.text):
            continue
        found.append((term.startchar, term.endchar, text[term.startchar:term.endchar]))
    return found


def _plain_terms(q: wq.Query):
    if isinstance(q, wq.Term):
        yield q
    elif q.is_leaf():
        return
    else:
        for sub in q.children():
            yield from _plain_terms(sub)


def _occurs(reader, term: str) -> bool:
    variants = synonym_map().get((term,), ((term,),))
    return any(reader.doc_frequency(field, text) > 0
               for variant in variants if len(variant) == 1
               for text in (variant[0], PART_MARK + variant[0])
               for field in TEXT_FIELD_BOOSTS)


def suggest_word(reader, word: str) -> str | None:
    """The closest word of the index: edit distance 1 before 2, then the word whose stem is in
    the most documents (words no longer in any document are skipped)."""
    folded = fold(word)
    for distance in (1, 2):
        candidates = words_within(reader, folded, distance)
        candidates.discard(folded)
        scored = [(_frequency(reader, c), c) for c in sorted(candidates)]
        scored = [(frequency, c) for frequency, c in scored if frequency]
        if scored:
            return max(scored, key=lambda item: item[0])[1]
    return None


def _frequency(reader, word: str) -> int:
    terms = analyse(word)
    return sum(reader.doc_frequency(field, terms[0]) for field in ("title", "body")) if terms else 0


def corrected_query(parsed: wq.Query, text: str, reader) -> str | None:
    """The query with its unknown words replaced by the index's nearest words, if any."""
    pieces, last, changed = [], 0, False
    for start, end, word in misspelled_words(parsed, text, reader):
        suggestion = suggest_word(reader, word)
        if suggestion is None:
            continue
        pieces.extend([text[last:start], suggestion])
        last, changed = end, True
    if not changed:
        return None
    pieces.append(text[last:])
    return "".join(pieces)
