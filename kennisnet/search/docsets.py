"""Sets of matching documents as Python integers used as bitsets (bit n = document number n).

Facet counts need every matching document, not just the top ten. Whoosh's own grouping walks
the matches one by one in Python; with bitsets a count is one `&` and one `bit_count()` over
100,000 bits (microseconds). A term's bitset is read once per index segment and cached, since
segments never change once written.
"""

import re
from itertools import compress, islice
from itertools import count as count_from

from whoosh import query as wq
from whoosh.idsets import DocIdSet
from whoosh.matching import ListMatcher, NullMatcher

from kennisnet.search.lru import BoundedLRU

# Bounded in bytes, not entries: a bitset is as long as its segment, and one merged segment
# of 100,000 documents would make 4,096 entries 50 MB in every web worker.
_TERM_BITS: BoundedLRU[int] = BoundedLRU(
    8 * 1024 * 1024, lambda bits: (bits.bit_length() + 7) // 8 + 100)  # + key and slot


def bits_from_ids(ids) -> int:
    """Bitset with the given bits set."""
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray((max(ids) >> 3) + 1)
    for docnum in ids:
        buffer[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(buffer, "little")


def _posting_ids(matcher) -> list[int]:
    """All document numbers of a posting list, a block at a time when the codec allows it."""
    if not hasattr(matcher, "_read_ids") or not hasattr(matcher, "_next_block"):
        return list(matcher.all_ids())
    ids: list[int] = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        ids.extend(matcher._ids[matcher._i:])
        if matcher._lastblock:
            break
        matcher._next_block()
    return ids


def _segment_term_bits(reader, field: str, text: str) -> int:
    def read() -> int:
        if (field, text) in reader:
            return bits_from_ids(_posting_ids(reader.postings(field, text)))
        return 0

    return _cached_segment_bits(reader, (field, text), read)


def segment_query_bits(subsearcher, q: wq.Query) -> int:
    """The documents of one segment a query (a phrase, say) matches, cached like a word's:
    matching a phrase walks the positions of both words, 120 ms for a common pair."""
    return _cached_segment_bits(subsearcher.reader(), ("query", q.with_boost(1.0)),
                                lambda: bits_from_ids(q.matcher(subsearcher).all_ids()))


def _cached_segment_bits(reader, what: tuple, read) -> int:
    segment = reader.segment() if reader.is_atomic() else None
    if segment is None:  # an empty index has no segments (and no documents)
        return 0
    return _TERM_BITS.remembered((segment.segment_id(), *what), read)


def _deleted_docs(reader, doc_count: int):
    segment = reader.segment() if reader.is_atomic() else None
    if segment is not None and hasattr(segment, "deleted_docs"):
        return segment.deleted_docs()
    return (docnum for docnum in range(doc_count) if reader.is_deleted(docnum))


class DocSets:
    """Bitset operations over one searcher (one fixed version of the index)."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.leaves = list(searcher.leaf_searchers())
        self.live = self._live_bits()
        self._facets: dict[str, dict[str, int]] = {}

    def _live_bits(self) -> int:
        live = 0
        for subsearcher, offset in self.leaves:
            reader = subsearcher.reader()
            count = reader.doc_count_all()
            bits = (1 << count) - 1
            if reader.has_deletions():
                bits &= ~bits_from_ids(_deleted_docs(reader, count))
            live |= bits << offset
        return live

    def term(self, field: str, text: str) -> int:
        bits = 0
        for subsearcher, offset in self.leaves:
            segment_bits = _segment_term_bits(subsearcher.reader(), field, text)
            if segment_bits:
                bits |= segment_bits << offset
        return bits

    def facet(self, field: str) -> dict[str, int]:
        """Every value of a facet field with the bitset of its (live) documents."""
        if field not in self._facets:
            values = list(self.searcher.reader().field_terms(field))
            self._facets[field] = {value: self.term(field, value) & self.live
                                   for value in values}
        return self._facets[field]

    def matching(self, q: wq.Query) -> int:
        return self._eval(q) & self.live

    def _eval(self, q: wq.Query) -> int:
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, wq.Or):
            bits = 0
            for sub in q.subqueries:
                bits |= self._eval(sub)
            return bits
        if isinstance(q, wq.And):
            return self._eval_and(q.subqueries)
        if isinstance(q, wq.AndNot):
            return self._eval(q.a) & ~self._eval(q.b)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a)
        if q is wq.NullQuery or isinstance(q, wq.Not):
            return 0  # a lone Not is dropped by the parser step; inside And it is handled there
        return self._eval_with_whoosh(q)

    def _eval_and(self, subqueries) -> int:
        positive = [sub for sub in subqueries if not isinstance(sub, wq.Not)]
        bits = self._eval(positive[0]) if positive else 0
        for sub in positive[1:]:
            if not bits:
                return 0
            bits &= self._eval(sub)
        for sub in subqueries:
            if isinstance(sub, wq.Not):
                bits &= ~self._eval(sub.query)
        return bits

    def _eval_with_whoosh(self, q: wq.Query) -> int:
        """Phrases and anything else: let Whoosh match it, segment by segment."""
        bits = 0
        for subsearcher, offset in self.leaves:
            bits |= segment_query_bits(subsearcher, q) << offset
        return bits


def count(bits: int) -> int:
    return bits.bit_count()


_BITS_OF_BYTE = tuple(tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256))
_NONZERO_BYTE = re.compile(rb"[^\x00]")


_ONE_BYTE_PER_BIT = bytes.maketrans(b"01", b"\x00\x01")


def docnums(bits: int, limit: int | None = None) -> list[int]:
    """The document numbers in a bitset, lowest first."""
    if bits.bit_count() * 16 > bits.bit_length():
        # Dense: one byte per bit, picked out in C. 2 ms for 60,000 of 100,000 documents,
        # where going byte by byte takes 9 ms; for a few documents it is the other way round.
        flags = bin(bits)[:1:-1].encode().translate(_ONE_BYTE_PER_BIT)
        return list(islice(compress(count_from(), flags), limit))
    # Byte by byte, with the zero bytes skipped by the regex engine: shifting a 100,000-bit
    # integer once per document cost 2.4 ms for 3,200 documents.
    found: list[int] = []
    raw = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for match in _NONZERO_BYTE.finditer(raw):
        base = match.start() * 8
        found.extend(base + bit for bit in _BITS_OF_BYTE[raw[match.start()]])
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


class BitsetFilter(DocIdSet):
    """A bitset as a Whoosh search filter: the collector asks `docnum in filter` for each
    candidate. Whoosh's own query filters would first list every allowed document (90,000 of
    them for "public"), which cost more than the whole rest of a search."""

    def __init__(self, bits: int):
        self.bits = bits
        self.bytes = bits.to_bytes((bits.bit_length() + 7) // 8 or 1, "little")

    def __contains__(self, docnum: int) -> bool:
        index = docnum >> 3
        return index < len(self.bytes) and bool(self.bytes[index] >> (docnum & 7) & 1)

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __iter__(self):
        return iter(docnums(self.bits))


class CandidateQuery(wq.Query):
    """Matches exactly the documents of a (small) bitset, with score 0.

    AND-ed with the ranking query, Whoosh then scores only these candidates: each word's
    postings are skipped to the next candidate block by block, instead of walking every
    posting of a frequent word and throwing most of them away.
    """

    fieldname = None  # matches no field's terms (highlighting asks)

    def __init__(self, sets: DocSets, bits: int):
        self.size = count(bits)
        self.per_searcher = {}
        for subsearcher, offset in sets.leaves:
            length = subsearcher.reader().doc_count_all()
            segment_bits = (bits >> offset) & ((1 << length) - 1)
            if segment_bits:
                self.per_searcher[id(subsearcher)] = docnums(segment_bits)

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"CandidateQuery({self.size} documents)"

    def is_leaf(self):
        return True

    def terms(self, phrases=False):
        return iter(())

    def normalize(self):
        return self

    def estimate_size(self, ixreader):
        return self.size

    def docs(self, searcher):
        return iter(self.per_searcher.get(id(searcher), ()))

    def matcher(self, searcher, context=None):
        ids = self.per_searcher.get(id(searcher))
        return ListMatcher(ids, all_weights=0.0) if ids else NullMatcher()

