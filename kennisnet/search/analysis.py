"""Dutch text analysis: stemming, accent folding, plural fixes, compound parts and synonyms.

Both the indexer and the query parser use these analyzers, so a word is reduced to the same
term on both sides. Changing anything here changes index terms: run `kennisnet search rebuild`.
"""

import contextlib
import functools
import re
from pathlib import Path

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang import stemmer_for_language
from whoosh.support.charset import accent_map

DATA_DIR = Path(__file__).parent / "data"
TOKEN_PATTERN = r"\w+(\.?\w+)*"
MIN_PART_LENGTH = 4
MIN_MODIFIER_LENGTH = 3
LINKING_SUFFIXES = ("s", "en", "e")
_CONSONANT_ES = re.compile(r"[^aeiouy]es$")


def normalise_stem(stem: str) -> str:
    """Join plural and stem forms that Snowball's Dutch stemmer keeps apart.

    Snowball drops a plural -s only after a consonant and leaves the f/v and s/z alternations
    alone, so "coöperaties" (cooperaties), "initiatieven" (initiatiev) and "huizen" (huiz) would
    never meet their singulars. Applied after stemming, on index and query side alike.
    """
    if len(stem) >= 6 and stem.endswith("ies"):
        stem = stem[:-1]
    elif len(stem) >= 7 and _CONSONANT_ES.search(stem):
        stem = stem[:-2]
    if len(stem) >= 4 and stem[-1] in "vz":
        stem = stem[:-1] + ("f" if stem[-1] == "v" else "s")
    return stem


def reference_analyzer():
    """The analysis spelled out with Whoosh's stock filters: what DutchTokenizer does in one step.

    Kept as the specification: a test proves that both give the same tokens in every mode.
    """
    return (RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter(lang="nl") | StemFilter(lang="nl", cachesize=-1)
            | _NormaliseFilter() | _PartsFilter())


class _NormaliseFilter(Filter):
    is_morph = True

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = normalise_stem(token.text)
            yield token


class _PartsFilter(Filter):
    is_morph = True

    def __call__(self, tokens):
        for token in tokens:
            yield token
            if token.mode == "index" and not token.stopped:
                stem = token.text
                for part in split_compound(stem):
                    token.text = PART_MARK + part
                    yield token
                token.text = stem


# Index terms for the known parts of a compound start with this mark. The tokenizer never
# produces it, so a part can never be confused with a word: "~cooperatie" is "coöperatie"
# found inside "zorgcoöperatie", and the query side gives those terms a low weight.
PART_MARK = "~"
_STOP = None  # cache value for a stop word
_WORD_CACHE: dict = {}
# Words kept analysed per process: enough for every query and snippet of a web worker (about
# 250 bytes a word, so 12 MB), which otherwise grew towards the rebuild's limit for days.
SERVING_WORD_CACHE = 50_000
REBUILD_WORD_CACHE = 500_000


class DutchTokenizer(Tokenizer):
    """Tokenize, lowercase, fold accents, drop stop words, stem, normalise and (when indexing)
    add the marked parts of compounds, all in one step with a per-word cache.

    Equivalent to reference_analyzer(), but indexing spent most of its time handing each token
    through five filters; with the cache a known word costs one dictionary lookup.
    """

    MAX_CACHE = SERVING_WORD_CACHE

    def __init__(self):
        self.expression = re.compile(TOKEN_PATTERN)
        self.stops = StopFilter(lang="nl").stops
        self._stem = stemmer_for_language("nl")
        # Shared by every instance in the process: each reopened index unpickles a new one.
        self._cache = _WORD_CACHE

    def __getstate__(self):
        return {}  # the schema is pickled into the index: keep it small and code-defined

    def __setstate__(self, state):
        self.__init__()

    def __eq__(self, other):
        return type(other) is type(self)

    def _analyse_word(self, word: str):
        folded = word.lower().translate(accent_map)
        if len(folded) < 2 or folded in self.stops:
            entry = (_STOP, folded, ())
        else:
            term = normalise_stem(self._stem(folded))
            entry = (term, folded, tuple(PART_MARK + p for p in split_compound(term)))
        if len(self._cache) >= self.MAX_CACHE:
            self._cache.clear()
        self._cache[word] = entry
        return entry

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        cache, analyse_word = self._cache, self._analyse_word
        with_parts = mode == "index"
        matches = self.expression.finditer(value) if tokenize else [_WholeValue(value)]
        renumbered = None
        for index, match in enumerate(matches):
            word = match.group(0)
            term, folded, parts = cache[word] if word in cache else analyse_word(word)
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            if term is _STOP:
                if not removestops:
                    token.text, token.stopped = folded, True
                    if positions:
                        token.pos = start_pos + index
                    yield token
                continue
            token.text, token.stopped = term, False
            if positions:
                # As StopFilter(renumber=True): stop words take no position.
                renumbered = start_pos + index if renumbered is None else renumbered + 1
                token.pos = renumbered
            yield token
            if with_parts:
                for part in parts:
                    token.text = part
                    yield token


    def words_with_chars(self, value: str):
        """(start, end, term, compound parts) per word, as __call__ yields them in index mode
        with stop words kept (their folded form as term, no parts)."""
        cache, analyse_word = self._cache, self._analyse_word
        for match in self.expression.finditer(value):
            word = match.group(0)
            term, folded, parts = cache[word] if word in cache else analyse_word(word)
            if term is _STOP:
                yield match.start(), match.end(), folded, ()
            else:
                yield match.start(), match.end(), term, parts

    def term_positions(self, value: str, start_pos: int = 0) -> dict[str, list[int]]:
        """Each index term of a text with its positions: the tokens __call__ yields in index
        mode, without handing a Token through a generator per word (rebuilds spend a sixth of
        their time there)."""
        cache, analyse_word = self._cache, self._analyse_word
        positions: dict[str, list[int]] = {}
        renumbered = None
        for index, word in enumerate(_WORDS.findall(value)):
            term, _folded, parts = cache[word] if word in cache else analyse_word(word)
            if term is _STOP:
                continue
            renumbered = start_pos + index if renumbered is None else renumbered + 1
            positions.setdefault(term, []).append(renumbered)
            for part in parts:
                positions.setdefault(part, []).append(renumbered)
        return positions


_WORDS = re.compile(TOKEN_PATTERN.replace("(", "(?:"))  # same words, findall gives whole matches


class _WholeValue:
    """A regex match lookalike for tokenize=False: the whole value is one token."""

    def __init__(self, value: str):
        self.value = value

    def group(self, _index):
        return self.value

    def start(self):
        return 0

    def end(self):
        return len(self.value)


def dutch_analyzer():
    """Words -> lowercase, accent-folded, stop words dropped, Dutch stems, plural fixes; when
    indexing also the marked parts of compounds."""
    return DutchTokenizer()


@functools.lru_cache(maxsize=1)
def _term_analyzer():
    return dutch_analyzer()


def analyse(text: str) -> list[str]:
    """The index terms of a piece of text, in order."""
    return [token.text for token in _term_analyzer()(text)]


def _read_lines(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


@functools.lru_cache(maxsize=1)
def compound_parts() -> frozenset[str]:
    """Stems of the words a compound may end or start with (data/compound_parts.txt)."""
    words = set()
    for line in _read_lines("compound_parts.txt"):
        words.update(line.split())
    for group in synonym_groups_raw():
        words.update(word for variant in group for word in re.findall(r"\w+", variant))
    stems = {_stem_word(word) for word in words}
    return frozenset(stem for stem in stems if stem and len(stem) >= MIN_PART_LENGTH)


def _stem_word(word: str) -> str | None:
    """The term of a single word without compound parts (parts are built from these terms)."""
    folded = word.lower().translate(accent_map)
    if len(folded) < 2 or folded in _stop_words():
        return None
    return normalise_stem(stemmer_for_language("nl")(folded))


def split_compound(stem: str, parts: frozenset[str] | None = None) -> list[str]:
    """The known parts of a compound stem: "dorpsondersteuner" -> ["ondersteuner", "dorp"].

    Dutch compounds put the meaning-carrying head last, so we look for the longest known head
    first and then for a known modifier in front of it (after dropping a linking s/en/e).
    The whole word itself is never returned: it is already in the main fields.
    """
    parts = compound_parts() if parts is None else parts
    found: list[str] = []
    _split_into(stem, parts, found)
    return [part for part in dict.fromkeys(found) if part != stem]


def _split_into(stem: str, parts: frozenset[str], found: list[str]) -> None:
    for cut in range(MIN_MODIFIER_LENGTH, len(stem) - MIN_PART_LENGTH + 1):
        head = stem[cut:]
        if head not in parts:
            continue
        found.append(head)
        _split_into(head, parts, found)
        modifier = _known_modifier(stem[:cut], parts)
        if modifier:
            found.append(modifier)
        return


def _known_modifier(left: str, parts: frozenset[str]) -> str | None:
    candidates = [left] + [left[: -len(s)] for s in LINKING_SUFFIXES if left.endswith(s)]
    for candidate in candidates:
        if candidate in parts:
            return candidate
    return None


_SPELLING_WORD = re.compile(r"\w+")


def spelling_words(text: str) -> set[str]:
    """Whole words (lowercase, accent-folded, no stop words) that did-you-mean may propose."""
    words = set(_SPELLING_WORD.findall(text.lower().translate(accent_map)))
    return {word for word in words if len(word) >= 2 and word.isalpha()} - _stop_words()


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(StopFilter(lang="nl").stops)


def fold(text: str) -> str:
    """Lowercase and accent-folded, as words are kept in the spelling dictionary."""
    return text.lower().translate(accent_map)


@functools.lru_cache(maxsize=1)
def synonym_groups_raw() -> tuple[tuple[str, ...], ...]:
    """Groups of words that mean the same here (data/synonyms.txt, one group per line)."""
    groups = []
    for line in _read_lines("synonyms.txt"):
        variants = tuple(v.strip() for v in line.split("~") if v.strip())
        if len(variants) > 1:
            groups.append(variants)
    return tuple(groups)


@functools.lru_cache(maxsize=1)
def synonym_map() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Analysed form of each variant -> the analysed forms of all variants in its group."""
    mapping: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for group in synonym_groups_raw():
        forms = {tuple(analyse(variant)) for variant in group} - {()}
        for form in forms:
            mapping.setdefault(form, set()).update(forms)
    return {form: tuple(sorted(others)) for form, others in mapping.items()}


@contextlib.contextmanager
def rebuild_word_cache():
    """A rebuild meets most words of the language many times: let it keep them all, then give
    the memory back to the process it ran in."""
    DutchTokenizer.MAX_CACHE = REBUILD_WORD_CACHE
    try:
        yield
    finally:
        DutchTokenizer.MAX_CACHE = SERVING_WORD_CACHE
        _WORD_CACHE.clear()
