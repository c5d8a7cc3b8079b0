"""Running a search: ranked hits, facet counts, highlighted snippets and did-you-mean.

The engine knows the index only. Which hits a visitor may see is decided by the caller's
`visible` function (database + permission rules) before any snippet is made.
"""

import hashlib
import logging
import re
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from markupsafe import Markup
from whoosh import query as wq
from whoosh.searching import Results

from kennisnet.search.analysis import analyse, fold
from kennisnet.search.docsets import BitsetFilter, CandidateQuery, DocSets, count
from kennisnet.search.lru import BoundedLRU
from kennisnet.search.query import clean_query, corrected_query, expand, parse
from kennisnet.search.ranking import best_candidates
from kennisnet.search.registry import parse_key
from kennisnet.search.schema import FACET_FIELDS
from kennisnet.search.snippets import Snippets
from kennisnet.search.store import SearchUnavailable, shared_searcher

log = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_PAGE = 50
SORTS = ("relevantie", "nieuwste")
SUGGESTION_LIMIT = 8
SNIPPET_FIELD = "body"
# Sorted by date, up to this many matches are handed to Whoosh as a list of candidates;
# above it, Whoosh walks the postings with a filter. (By relevance, ranking.py scores the
# candidates whatever their number: with its pruning it beat Whoosh's own block skipping on
# every query measured, 73,613 matches included.)
SMALL_RESULT = 5000
_WORD_LIMIT = 20
MIN_PREFIX = 3
_WORDS = re.compile(r"\w+")

Key = tuple[str, int]
VisibleFn = Callable[[list[Key]], set[Key]]


@dataclass
class SearchRequest:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet field -> values
    sort: str = "relevantie"
    page: int = 1
    include_members: bool = False


@dataclass
class Hit:
    kind: str
    id: int
    snippet: Markup | None


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, -(-self.total // PAGE_SIZE))


_DOCSETS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
# Like Solr's queryResultCache: the ranking of recent searches, kept per version of the index
# (a new searcher starts with none). The searches people make repeat ("statuten",
# "contributie", the next page of the same search); ranking one costs 5 to 20 ms of Python,
# finding it again a few microseconds. Rows, permissions and snippets are still made afresh.
_RANKINGS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
RANKINGS_KEPT = 256


def _docsets(searcher) -> DocSets:
    # One DocSets per searcher version: facet bitsets are reused until the index changes.
    sets = _DOCSETS.get(searcher)
    if sets is None:
        sets = _DOCSETS[searcher] = DocSets(searcher)
    return sets


def run_search(request: SearchRequest, visible: VisibleFn) -> SearchResult:
    """Search the live index; raises SearchUnavailable when there is no usable index."""
    text = clean_query(request.text)
    result = SearchResult(query=text, page=max(1, min(request.page, MAX_PAGE)))
    with shared_searcher().use() as searcher:
        parsed = parse(text)
        if parsed is None:
            return result
        try:
            _fill(result, searcher, parsed, request, visible)
        except SearchUnavailable:
            raise
        except Exception as error:  # a damaged segment shows up only when it is read
            raise SearchUnavailable(f"search failed: {error!r}") from error
    return result


def _fill(result, searcher, parsed, request, visible) -> None:
    expanded = expand(parsed)
    sets = _docsets(searcher)
    matched = sets.matching(expanded)
    if not request.include_members:
        matched &= sets.facet("visibility").get("public", 0)
    masks = _filter_masks(sets, request.filters)
    result.facets = _facet_counts(sets, matched, masks)
    selected = _apply(matched, masks.values())
    result.total = count(selected)
    result.page = max(1, min(result.page, result.pages))  # a page past the end shows the last
    result.suggestion = corrected_query(parsed, result.query, searcher.reader())
    if result.total:
        result.hits = _visible_hits(_ranked(searcher, sets, expanded, matched, selected, request,
                                            result.total, result.page), visible)


def _ranked(searcher, sets, expanded, matched, selected, request, total, page):
    """Whoosh results holding at least the hits of the page, and where that page starts."""
    ranking, allowed = ranking_query(expanded, matched, selected, request.include_members)
    start = (page - 1) * PAGE_SIZE
    if request.sort == "relevantie":
        best = _best_candidates(searcher, sets, expanded, selected, start + PAGE_SIZE)
        if best is not None:
            return Results(searcher, ranking, best), start
    if allowed is not None and total <= SMALL_RESULT:
        ranking, allowed = wq.And([CandidateQuery(sets, allowed), ranking]), None
    options = {"limit": start + PAGE_SIZE}
    if allowed is not None:
        options["filter"] = BitsetFilter(allowed)
    if request.sort == "nieuwste":
        options.update(sortedby="date", reverse=True)
    return searcher.search(ranking, **options), start


def _best_candidates(searcher, sets, expanded, selected: int, limit: int):
    kept = _RANKINGS.get(searcher)
    if kept is None:
        kept = _RANKINGS[searcher] = BoundedLRU(RANKINGS_KEPT)
    # The candidates go into the key as a digest: the same words over the same candidates
    # (filters, visibility) rank the same, and a 100,000-bit key would cost 12 KB a search.
    key = (expanded, hashlib.blake2b(selected.to_bytes((selected.bit_length() + 7) // 8,
                                                       "little")).digest(), limit)
    best = kept.get(key)
    if best is None:
        best = best_candidates(sets, list(_positive_leaves(expanded)), selected, limit)
        if best is None:  # not scored by BM25F: Whoosh ranks, nothing to remember
            return None
        best = kept.put(key, tuple(best))
    return list(best)


def _filter_masks(sets: DocSets, filters: dict) -> dict[str, int]:
    masks = {}
    for name in FACET_FIELDS:
        values = filters.get(name) or ()
        if values:
            facet = sets.facet(name)
            mask = 0
            for value in values:
                mask |= facet.get(value, 0)
            masks[name] = mask
    return masks


def _apply(bits: int, masks: Iterable[int]) -> int:
    for mask in masks:
        bits &= mask
    return bits


def _facet_counts(sets: DocSets, matched: int, masks: dict[str, int]) -> dict[str, dict]:
    """Counts per value, each facet filtered by the *other* facets' selections, so a visitor
    sees how many hits every kind has, also the kinds not selected."""
    counts = {}
    for name in FACET_FIELDS:
        base = _apply(matched, (mask for other, mask in masks.items() if other != name))
        values = {value: count(base & bits) for value, bits in sets.facet(name).items()}
        counts[name] = {value: n for value, n in values.items() if n}
    return counts


def ranking_query(expanded, matched: int, selected: int, include_members: bool):
    """The query Whoosh ranks with, and the documents it may return.

    The exact set of matching documents is already known (bitsets), so Whoosh only has to
    score. For a query with AND or NOT it ranks the plain OR of the wanted words, filtered to
    that set: for every document in the set this gives the same BM25 score as the AND (both
    add up the scores of the words that match), and Whoosh's OR can skip blocks of postings
    that cannot reach the top 10, where its AND steps through every candidate in Python.
    """
    leaves = list(_positive_leaves(expanded))
    if isinstance(expanded, wq.Or) and len(leaves) == len(list(expanded.leaves())):
        plain = expanded  # already an OR: rank it as it is
    else:
        plain = wq.Or(leaves)
    if plain is expanded and selected == matched and include_members:
        return expanded, None
    return plain, selected


def _positive_leaves(q: wq.Query):
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
    elif isinstance(q, wq.AndMaybe):
        yield from _positive_leaves(q.a)
        yield from _positive_leaves(q.b)
    elif q.is_leaf():
        yield q
    else:
        for sub in q.children():
            yield from _positive_leaves(sub)


def _visible_hits(ranked, visible) -> list[Hit]:
    """The hits of the page, with snippets made only for those the visitor may see."""
    results, start = ranked
    page_hits = list(results[start:start + PAGE_SIZE])
    keys = [parse_key(hit["key"]) for hit in page_hits]
    allowed_keys = visible(keys)
    snippets = _snippets(results)
    return [_hit(hit, key, snippets) for hit, key in zip(page_hits, keys, strict=True)
            if key in allowed_keys]


def _snippets(results) -> Snippets:
    field = results.searcher.schema[SNIPPET_FIELD]
    words = frozenset(field.from_bytes(term) for _field, term in
                      results.query_terms(expand=True, fieldname=SNIPPET_FIELD))
    return Snippets(words, field.analyzer)


def _hit(hit, key: Key, snippets: Snippets) -> Hit:
    snippet = snippets(hit.get(SNIPPET_FIELD) or "")
    # The snippet's text is escaped; only its own <mark> tags are markup.
    return Hit(kind=key[0], id=key[1], snippet=Markup(snippet) if snippet else None)  # noqa: S704


def suggest_titles(text: str, visible: VisibleFn, include_members: bool = False,
                   limit: int = SUGGESTION_LIMIT) -> list[Key]:
    """Items whose title holds the typed words, the last one possibly unfinished, best first."""
    words = _WORDS.findall(fold(clean_query(text)))[:6]
    if not words or len(words[-1]) < 2:
        return []
    clauses = [clause for clause in map(_title_word, words[:-1]) if clause is not None]
    clauses.append(_title_word_start(words[-1]))
    with shared_searcher().use() as searcher:
        try:
            options = {"limit": limit * 2}
            if not include_members:
                public = _docsets(searcher).facet("visibility").get("public", 0)
                options["filter"] = BitsetFilter(public)
            keys = [parse_key(hit["key"]) for hit in searcher.search(wq.And(clauses), **options)]
        except Exception as error:
            raise SearchUnavailable(f"suggestions failed: {error!r}") from error
    allowed = visible(keys)
    return [key for key in keys if key in allowed][:limit]


def _title_word(word: str) -> wq.Query | None:
    terms = analyse(word)
    return wq.Term("title", terms[0]) if terms else None  # None: a stop word


def _title_word_start(word: str) -> wq.Query:
    # A finished word matches by its stem; an unfinished one by the start of title terms
    # (from three letters on: shorter starts match too many words to be useful or fast).
    options = [clause for clause in (_title_word(word),) if clause is not None]
    if len(word) >= MIN_PREFIX:
        options.append(wq.Prefix("title", word[:_WORD_LIMIT]))
    return wq.Or(options) if options else wq.NullQuery
