"""Ranking a known set of candidates by BM25F, one word at a time.

For a search with several words the bitsets already say which documents match; what is left is
ordering them. Whoosh does that candidate by candidate: for each one it moves every word's
posting list (40 of them for two words spread over fields, synonyms and compound parts) to
that document, in Python, which cost 0.04 ms per candidate (140 ms for 3,200 candidates).

Here each word's postings are read a block at a time, blocks without a candidate are skipped
unread, and only the candidates' postings are scored, with Whoosh's BM25F for that word.
Each candidate's score is the sum of its words' scores, as in Whoosh's OR; only the order in
which the words are added may differ, which can change a score in its last bit, never more.
"""

import heapq
import math
from array import array
from bisect import bisect_left
from collections import defaultdict

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.matching import FilterMatcher
from whoosh.scoring import BM25F

from kennisnet.search.docsets import DocSets, docnums, segment_query_bits
from kennisnet.search.lru import BoundedLRU
from kennisnet.search.whoosh_patches import field_lengths


def best_candidates(sets: DocSets, leaves: list[wq.Query], candidates: int,
                    limit: int) -> list[tuple[float, int]] | None:
    """(score, document number) of the `limit` best candidates, best first (ties: lowest
    number), as Whoosh's collector lists them. None when the index is not scored by BM25F:
    then Whoosh must rank.

    Words are added strongest first. After each, a candidate that cannot reach the current
    `limit`-th score even if every word still to come gave it its highest possible score is
    dropped (MaxScore): the weak, frequent words (compound parts, synonyms) are then read only
    for the few candidates still in the running.
    """
    searcher = sets.searcher
    if not leaves or type(searcher.weighting) is not BM25F:
        return None
    segments = []
    for subsearcher, offset in sets.leaves:
        mine = (candidates >> offset) & ((1 << subsearcher.reader().doc_count_all()) - 1)
        if mine:
            segments.append([subsearcher, offset, _Wanted(docnums(mine))])
    bounds = {id(leaf): _upper_bound(searcher, leaf) for leaf in leaves}
    ordered = sorted(leaves, key=lambda leaf: -bounds[id(leaf)])
    scores: dict[int, float] = defaultdict(float)
    for leaf, still_possible in zip(ordered, still_possible_after(
            [bounds[id(leaf)] for leaf in ordered]), strict=True):
        added = False
        for subsearcher, offset, wanted in segments:
            for docnum, score in _scores(subsearcher, leaf, wanted):
                scores[docnum + offset] += score
                added = True
        if added and still_possible < math.inf:
            scores = _drop_hopeless(segments, scores, limit, still_possible)
    best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
    return [(score, docnum) for docnum, score in best]


def still_possible_after(bounds: list[float]) -> list[float]:
    """For words in this order, the most the words after each one can still add (infinite
    while a phrase, which has no bound, is still to come)."""
    remaining, after = 0.0, []
    for bound in reversed(bounds):
        after.append(remaining)
        remaining += bound  # inf stays inf; never inf - inf
    return after[::-1]


def _upper_bound(searcher, leaf: wq.Query) -> float:
    """The highest score this word can give any document: its BM25 at the highest weight and
    the shortest field the index records for it (Whoosh keeps both per word). Far below the
    general bound idf × (K1 + 1) for words in long texts, so weak words are dropped sooner.

    Whoosh scores a phrase as the sum of its words' scores (an intersection under the span
    matcher), times the phrase's boost, so its bound is the sum of theirs."""
    if type(leaf) is wq.Term:
        words = [leaf.text]
    elif type(leaf) is wq.Phrase:
        words = list(leaf.words)
    else:
        return math.inf  # no cheap bound: it goes first and is never skipped
    field = searcher.schema[leaf.fieldname] if leaf.fieldname in searcher.schema else None
    if field is None or not field.scorable:
        return math.inf
    return leaf.boost * sum(_word_bound(searcher, leaf.fieldname, field.to_bytes(word))
                            for word in words)


def _word_bound(searcher, fieldname: str, text: bytes) -> float:
    if (fieldname, text) not in searcher.reader():
        return 0.0  # no postings: it adds nothing to any document
    return searcher.weighting.scorer(searcher, fieldname, text).max_quality()


def _drop_hopeless(segments, scores: dict[int, float], limit: int,
                   still_possible: float) -> dict[int, float]:
    """The scores of the candidates still in the running; the segments keep only those."""
    if len(scores) < limit:
        return scores
    threshold = heapq.nlargest(limit, scores.values())[-1]
    # A hair of margin: these sums are added in another order than the final ones.
    cutoff = threshold - still_possible - 1e-9 * abs(threshold)
    if cutoff <= 0:
        return scores
    # A candidate without a score yet (0) is out too.
    kept = defaultdict(float, {docnum: score for docnum, score in scores.items()
                               if score >= cutoff})
    for segment in segments:
        subsearcher, offset, wanted = segment
        end = offset + subsearcher.reader().doc_count_all()
        segment[2] = _Wanted(sorted(docnum - offset for docnum in kept
                                    if offset <= docnum < end))
    return kept


class _Wanted:
    """One segment's candidates still in the running: sorted, and as a set when asked."""

    def __init__(self, ids: list[int]):
        self.ids = ids
        self._members: set[int] | None = None

    @property
    def members(self) -> set[int]:
        if self._members is None:
            self._members = set(self.ids)
        return self._members


def _scores(subsearcher, leaf: wq.Query, wanted: _Wanted):
    if type(leaf) is wq.Term and subsearcher.schema[leaf.fieldname].scorable:
        return _term_scores(subsearcher, leaf, wanted)
    return _matcher_scores(subsearcher, leaf, wanted)


def _matcher_scores(subsearcher, leaf: wq.Query, wanted: _Wanted):
    """Whoosh's own matcher moved from candidate to candidate: for phrases (a few synonyms),
    whose score depends on the words' positions. Only candidates the phrase is known to match
    (its cached bitset) are visited: skipping to any other makes the span matcher walk every
    document holding both words until the phrase occurs again."""
    matching = segment_query_bits(subsearcher, leaf)
    # Shifting a 25,000-bit integer per candidate cost 9 ms for 15,000 candidates.
    visits = sorted(wanted.members.intersection(docnums(matching)))
    if not visits:
        return
    matcher = leaf.matcher(subsearcher, subsearcher.context())
    for docnum in visits:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum, matcher.score()


def _term_scores(subsearcher, leaf: wq.Term, wanted: _Wanted):
    """(segment document number, score) of this word for the wanted documents it occurs in."""
    field = subsearcher.schema[leaf.fieldname]
    text = field.to_bytes(leaf.text)
    reader = subsearcher.reader()
    if (leaf.fieldname, text) not in reader:
        return
    scorer = subsearcher.weighting.scorer(subsearcher, leaf.fieldname, text)
    # Whoosh's bm25() written out, with the same operations in the same order (so the same
    # float), and the word's boost applied after it as Term.matcher does.
    idf, avgfl, b, k1, boost = scorer.idf, scorer.avgfl, scorer.B, scorer.K1, leaf.boost
    lengths = _lengths(reader, leaf.fieldname)
    matcher = reader.postings(leaf.fieldname, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # it hides deleted documents, which are never candidates
    block_key = (reader.segment().segment_id(), leaf.fieldname, text)
    for docnum, tf in _candidate_postings(matcher, wanted, block_key):
        fl = lengths[docnum]
        score = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
        yield docnum, (score * boost if boost != 1.0 else score)


def _candidate_postings(matcher, wanted: _Wanted, block_key: tuple):
    """(document number, weight) of the postings that belong to wanted documents."""
    for first, ids, weights in _blocks_with_candidates(matcher, wanted.ids, block_key):
        if not ids:
            continue
        stop = bisect_left(wanted.ids, ids[-1] + 1, first)
        if (stop - first) * 4 < len(ids):  # few candidates here: look each one up
            index = 0
            for docnum in wanted.ids[first:stop]:
                index = bisect_left(ids, docnum, index)
                if index < len(ids) and ids[index] == docnum:
                    yield docnum, weights[index]
        else:  # many: walk the block once
            members = wanted.members
            for index, docnum in enumerate(ids):
                if docnum in members:
                    yield docnum, weights[index]


def _lengths(reader, fieldname: str):
    """Field lengths by segment document number, as Whoosh's scorer reads them."""
    perdoc = getattr(reader, "_perdoc", None)
    if isinstance(perdoc, W3PerDocReader):
        lengths = field_lengths(perdoc, fieldname)
        if lengths:
            return lengths

    class _Asked:
        def __getitem__(self, docnum):
            return reader.doc_field_length(docnum, fieldname, 1)

    return _Asked()


def _blocks_with_candidates(matcher, wanted: list[int], block_key: tuple):
    """(index of the first wanted document it may hold, ids, weights) of each posting block
    that may hold a wanted document; the others are skipped by their highest id alone,
    without decoding them. Block maps and decoded blocks are kept (BLOCK_MAPS,
    DECODED_BLOCKS)."""
    if not hasattr(matcher, "_read_ids") or not hasattr(matcher, "_maxid"):
        yield 0, *_all_postings(matcher)  # another codec: no blocks to skip
        return
    lowest = 0
    blocks = BLOCK_MAPS.remembered(block_key, lambda: block_map(matcher))
    for header, highest, data in zip(blocks[0::3], blocks[1::3], blocks[2::3], strict=True):
        position = bisect_left(wanted, lowest)
        if position < len(wanted) and wanted[position] <= highest:
            yield position, *DECODED_BLOCKS.remembered(
                (*block_key, data), lambda header=header: decoded_block(matcher, header))
        lowest = highest + 1


def block_map(matcher) -> array:
    """(header offset, highest document number, data offset) of each posting block, flat.
    Reading the pickled header of every block (a thousand per common search) only to skip
    most of them cost more than scoring; the map is read once per word and segment."""
    blocks, header = array("q"), matcher._baseoffset
    while True:  # a fresh matcher stands on its first block
        blocks.extend((header, matcher._maxid, matcher._dataoffset))
        if matcher._lastblock:
            return blocks
        header = matcher._nextoffset
        matcher._next_block()


def decoded_block(matcher, header: int | None = None) -> tuple[array, array]:
    """The ids and weights of the block whose header starts at `header` (else the matcher's
    current block). A block is stored pickled and compressed together with its words'
    positions: decoding it was the largest single cost of ranking."""
    if header is not None:
        matcher._goto(header)
    if matcher._ids is None:
        matcher._read_ids()
    if matcher._weights is None:
        matcher._read_weights()
    return array("I", matcher._ids), array("f", matcher._weights)


# Keyed by segment id, field, word (and a block's offset): true while the segment exists.
# 8 MB of decoded blocks per process: about a million postings, enough for the words of the
# common searches. Block maps: 24 bytes a block, at most 80,000 blocks (2 to 3 MB).
DECODED_BLOCKS: BoundedLRU[tuple[array, array]] = BoundedLRU(
    8 * 1024 * 1024, lambda decoded: 8 * len(decoded[0]) + 200)  # two 4-byte arrays
BLOCK_MAPS: BoundedLRU[array] = BoundedLRU(80_000, lambda blocks: len(blocks) // 3)


def _all_postings(matcher) -> tuple[list[int], list[float]]:
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights
