"""Candidates ranked by kennisnet/search/ranking.py come out in the order Whoosh ranks them."""

import pytest
from whoosh import query as wq

from kennisnet.search.bulk import write_segments
from kennisnet.search.docsets import BitsetFilter, DocSets
from kennisnet.search.engine import _positive_leaves
from kennisnet.search.indexer import index_entries
from kennisnet.search.query import expand, parse
from kennisnet.search.ranking import best_candidates
from kennisnet.search.store import new_generation
from tests.index_support import corpus

QUERIES = ["vervoer statuten", "zorgcoöperatie vrijwilligers", "contributie",
           "dorpshuis -koffie", "vervoer OR koffie", "mantelzorger buurt ouderen",
           "burgerinitiatief", "penningmeester contributie", '"vervoer statuten" koffie']


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    generation, ix = new_generation(tmp_path_factory.mktemp("ranking"))
    write_segments(ix, index_entries(corpus(1500, seed=11), [0]), 3)
    writer = ix.writer()
    for number in range(0, 1500, 7):  # deleted documents stay in their segment's postings
        writer.delete_by_term("key", f"tip:{number}")
        writer.delete_by_term("key", f"document:{number}")
    writer.commit(merge=False)
    with ix.searcher() as opened:
        yield opened


def whoosh_ranking(searcher, leaves, candidates, limit):
    ranked = searcher.search(wq.Or(leaves), filter=BitsetFilter(candidates), limit=limit)
    return [(hit.score, hit.docnum) for hit in ranked]


@pytest.mark.parametrize("text", QUERIES)
def test_the_best_candidates_are_whooshs_best(searcher, text):
    sets = DocSets(searcher)
    assert len(sets.leaves) == 3 and searcher.reader().has_deletions()
    expanded = expand(parse(text))
    leaves = list(_positive_leaves(expanded))
    for candidates in (sets.matching(expanded),
                       sets.matching(expanded) & sets.facet("visibility")["public"]):
        for limit in (10, 40):  # a smaller limit leaves fewer candidates in the running
            expected = whoosh_ranking(searcher, leaves, candidates, limit)
            ours = best_candidates(sets, leaves, candidates, limit)
            assert len(expected) >= 10, text
            assert [docnum for _score, docnum in ours] == [docnum for _s, docnum in expected]
            assert [score for score, _docnum in ours] == pytest.approx(
                [score for score, _docnum in expected], rel=1e-12)


def test_the_queries_include_phrases_scored_by_position():
    # Multi-word synonyms and quoted words become phrases, ranked through Whoosh's matcher.
    phrased = [text for text in QUERIES if any(
        isinstance(leaf, wq.Phrase) for leaf in _positive_leaves(expand(parse(text))))]
    assert '"vervoer statuten" koffie' in phrased and len(phrased) >= 2


def test_decoded_blocks_and_block_maps_are_whooshs_and_stay_within_their_bound(searcher):
    from whoosh.matching import FilterMatcher

    from kennisnet.search.lru import BoundedLRU
    from kennisnet.search.ranking import block_map, decoded_block

    reader = searcher.reader().leaf_readers()[0][0]

    def postings():
        matcher = reader.postings("body", b"contributie")
        return matcher.child if isinstance(matcher, FilterMatcher) else matcher

    def blocks():
        matcher = postings()
        while True:
            yield matcher
            if matcher._lastblock:
                return
            matcher._next_block()

    store = BoundedLRU(3000, lambda decoded: 8 * len(decoded[0]) + 200)
    walked = []
    for matcher in blocks():
        walked.append(matcher._maxid)
        ids, weights = store.remembered(matcher._dataoffset,
                                        lambda matcher=matcher: decoded_block(matcher))
        matcher._read_ids()
        matcher._read_weights()
        assert list(ids) == list(matcher._ids) and list(weights) == list(matcher._weights)
        assert store.size <= 3000
    assert len(walked) > len(store.entries) >= 1  # the oldest went out
    newest = next(reversed(store.entries))
    assert store.remembered(newest, lambda: None) is store.entries[newest]  # not decoded again

    # The map holds every block: decoding through it gives the same postings.
    flat = block_map(postings())
    assert list(flat[1::3]) == walked
    matcher = postings()
    for header in flat[0::3]:
        ids, _weights = decoded_block(matcher, header)
        assert ids[-1] == walked.pop(0)


def test_what_later_words_can_add_is_known_once_the_phrases_are_done():
    from math import inf

    from kennisnet.search.ranking import still_possible_after

    # Phrases (no bound) come first; after them the rest is finite, so weak candidates can go.
    assert still_possible_after([inf, inf, 3.0, 2.0, 0.5]) == [inf, 5.5, 2.5, 0.5, 0.0]
    assert still_possible_after([3.0, 2.0]) == [2.0, 0.0]
    assert still_possible_after([]) == []


def test_no_word_or_phrase_scores_above_its_bound(searcher):
    # The bounds come from the highest weight and shortest field Whoosh records per word;
    # one too low would drop a candidate that belongs on the page.
    from kennisnet.search.ranking import _upper_bound

    leaves = [leaf for text in QUERIES + ["zorgcoöperatie vervoer"]
              for leaf in _positive_leaves(expand(parse(text)))]
    assert any(isinstance(leaf, wq.Phrase) for leaf in leaves)
    scored = 0
    for leaf in leaves:
        bound = _upper_bound(searcher, leaf)
        assert 0 <= bound < float("inf")
        highest = 0.0
        for subsearcher, _offset in searcher.leaf_searchers():
            matcher = leaf.matcher(subsearcher, subsearcher.context())
            while matcher.is_active():
                highest = max(highest, matcher.score())
                scored += 1
                matcher.next()
        assert highest <= bound, leaf
    assert scored >= 1000


def test_a_phrase_matches_the_same_documents_from_the_cache(searcher):
    from kennisnet.search.docsets import bits_from_ids, segment_query_bits

    phrase = wq.Phrase("body", ["vervoer", "statuten"])
    for subsearcher, _offset in searcher.leaf_searchers():
        expected = bits_from_ids(phrase.matcher(subsearcher).all_ids())
        assert segment_query_bits(subsearcher, phrase) == expected
        assert segment_query_bits(subsearcher, phrase.with_boost(3.0)) == expected  # cached


@pytest.mark.parametrize("size", [0, 1, 30, 3000, 27000, 60000, 100000])
def test_document_numbers_come_back_from_sparse_and_dense_bitsets(size):
    import random

    from kennisnet.search.docsets import bits_from_ids, docnums

    ids = sorted(random.Random(size).sample(range(100000), size))
    assert docnums(bits_from_ids(ids)) == ids
    assert docnums(bits_from_ids(ids), limit=7) == ids[:7]


@pytest.mark.parametrize("max_blocks", [80_000, 3])
def test_ranks_are_the_same_with_the_block_maps_cold_warm_and_overflowing(searcher, monkeypatch,
                                                                           max_blocks):
    from kennisnet.search import ranking
    from kennisnet.search.lru import BoundedLRU

    maps = BoundedLRU(max_blocks, lambda blocks: len(blocks) // 3)
    monkeypatch.setattr(ranking, "BLOCK_MAPS", maps)
    monkeypatch.setattr(ranking, "DECODED_BLOCKS", BoundedLRU(
        8 * 1024 * 1024, lambda decoded: 8 * len(decoded[0]) + 200))
    sets = DocSets(searcher)
    for text in QUERIES[:4]:
        expanded = expand(parse(text))
        leaves = list(_positive_leaves(expanded))
        candidates = sets.matching(expanded)
        expected = [docnum for _s, docnum in whoosh_ranking(searcher, leaves, candidates, 10)]
        for _cold_then_warm in range(2):
            ours = best_candidates(sets, leaves, candidates, 10)
            assert [docnum for _score, docnum in ours] == expected, text
    assert maps.size <= max_blocks
    assert maps.entries or max_blocks < 10  # a small store lets even one word's map go
