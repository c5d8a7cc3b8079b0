"""Words of the index near a misspelled one, for "Bedoelde je …?".

Whoosh finds them with a Levenshtein automaton run in Python over the word list: 30 to 40 ms
for a word starting with a common letter ("vrijwiliger", "vervoor"), 80 ms when nothing is
near, per word of the query. Here each segment's spelling words are kept by first letter and
compared with RapidFuzz's optimal string alignment distance, the distance Whoosh's own
`damerau_levenshtein` computes (edits and swaps of neighbouring letters), in C: well under a
millisecond a word. Segments never change, so their word lists stay true while they exist.
"""

import threading
from collections import OrderedDict, defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kennisnet.search.schema import SPELLING_FIELD

_SEGMENTS_KEPT = 16
_kept: "OrderedDict[str, dict[str, list[str]]]" = OrderedDict()
_lock = threading.Lock()


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
    key = segment.segment_id() if segment is not None else None
    if key is not None:
        with _lock:
            by_letter = _kept.get(key)
            if by_letter is not None:
                _kept.move_to_end(key)
                return by_letter
    by_letter = defaultdict(list)
    if SPELLING_FIELD in leaf.schema:
        for text in leaf.lexicon(SPELLING_FIELD):
            word = text.decode("utf-8")
            by_letter[word[:1]].append(word)
    by_letter = dict(by_letter)
    if key is not None:
        with _lock:
            _kept[key] = by_letter
            while len(_kept) > _SEGMENTS_KEPT:
                _kept.popitem(last=False)
    return by_letter
