"""Words of the index near a misspelled one, for "Bedoelde je …?".

Whoosh finds them with a Levenshtein automaton run in Python over the word list: 30 to 40 ms
for a word starting with a common letter ("vrijwiliger", "vervoor"), 80 ms when nothing is
near, per word of the query. Here each segment's spelling words are kept by first letter and
compared with RapidFuzz's optimal string alignment distance, the distance Whoosh's own
`damerau_levenshtein` computes (edits and swaps of neighbouring letters), in C: well under a
millisecond a word. Segments never change, so their word lists stay true while they exist.
"""

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kennisnet.search.lru import BoundedLRU
from kennisnet.search.schema import SPELLING_FIELD

_SEGMENT_WORDS: BoundedLRU[dict[str, list[str]]] = BoundedLRU(16)  # segments


def words_within(reader, word: str, maxdist: int) -> set[str]:
    """Spelling words within `maxdist` edits of `word` that share its first letter (most
    misspellings keep the first letter), from every segment of the reader."""
    if not word:
        return set()
    found = set()
    for leaf, _offset in reader.leaf_readers():
        candidates = _segment_words(leaf).get(word[0], ())
        found.update(match for match, _distance, _index in process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None))
    return found


def _segment_words(leaf) -> dict[str, list[str]]:
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    if segment is None:
        return _words_by_letter(leaf)
    return _SEGMENT_WORDS.remembered(segment.segment_id(), lambda: _words_by_letter(leaf))


def _words_by_letter(leaf) -> dict[str, list[str]]:
    by_letter = defaultdict(list)
    if SPELLING_FIELD in leaf.schema:
        for text in leaf.lexicon(SPELLING_FIELD):
            word = text.decode("utf-8")
            by_letter[word[:1]].append(word)
    return dict(by_letter)
