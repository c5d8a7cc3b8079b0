"""The fast analysis paths give exactly what Whoosh's stock pipeline would give."""

import pytest
from whoosh.formats import Positions

from kennisnet.search.analysis import DutchTokenizer, reference_analyzer
from kennisnet.search.schema import DutchPositions

TEXTS = [
    "De zorgcoöperatie in het dorp zoekt vrijwilligers voor vervoer naar de huisarts.",
    "Statuten van een coöperatie: initiatieven, huizen en dorpsondersteuners!",
    "de het een en",  # only stop words
    "e.g. 3.14 dorpshuis-ondersteuning ÉÉN Café naïef",
    "",
]


def _tokens(analyzer, text, **options):
    return [(t.text, t.pos, t.stopped) for t in analyzer(text, positions=True, **options)]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("mode", ["index", "query", ""])
@pytest.mark.parametrize("removestops", [True, False])
def test_tokenizer_equals_the_stock_filter_chain(text, mode, removestops):
    expected = _tokens(reference_analyzer(), text, mode=mode, removestops=removestops)
    assert _tokens(DutchTokenizer(), text, mode=mode, removestops=removestops) == expected


@pytest.mark.parametrize("text", TEXTS)
def test_term_positions_equal_the_index_mode_tokens(text):
    expected: dict[str, list[int]] = {}
    for token in DutchTokenizer()(text, positions=True, mode="index"):
        expected.setdefault(token.text, []).append(token.pos)
    assert DutchTokenizer().term_positions(text) == expected


@pytest.mark.parametrize("text", TEXTS)
def test_fast_positions_format_writes_the_same_postings(text):
    analyzer = DutchTokenizer()
    stock = sorted(Positions(field_boost=2.0).word_values(text, analyzer, mode="index"))
    fast = sorted(DutchPositions(field_boost=2.0).word_values(text, analyzer, mode="index"))
    assert fast == stock
    if text.startswith("De zorg"):
        assert any(term.startswith("zorgcooperati") for term, *_ in fast)


def test_the_word_cache_stays_small_in_web_workers_and_grows_for_a_rebuild():
    from kennisnet.search import analysis

    words = " ".join(f"woord{number}x" for number in range(analysis.SERVING_WORD_CACHE + 5000))
    tokenizer = DutchTokenizer()
    analysis._WORD_CACHE.clear()
    assert sum(1 for _ in tokenizer(words)) > analysis.SERVING_WORD_CACHE
    assert len(analysis._WORD_CACHE) <= analysis.SERVING_WORD_CACHE
    with analysis.rebuild_word_cache():
        list(tokenizer(words))
        assert len(analysis._WORD_CACHE) > analysis.SERVING_WORD_CACHE
    assert analysis._WORD_CACHE == {} and tokenizer.MAX_CACHE == analysis.SERVING_WORD_CACHE
