"""Dutch search behaviour on a real index: stemming, accents, plurals, compounds, synonyms,
did-you-mean and the query syntax."""

# Fixtures come from tests/search_support.py by import; pytest injects them by name.
# ruff: noqa: F811

import re

import pytest

from kennisnet.search.analysis import analyse, split_compound
from kennisnet.search.query import MAX_QUERY_LENGTH, clean_query, parse
from tests.search_support import drain, found, make_page, make_tip  # noqa: F401


@pytest.fixture
def corpus(make_tip, drain):
    make_tip(title="Vrijwilligers gezocht",
             explanation="Wij zoeken vrijwilligers voor vervoer. Elke vrijwilliger telt.")
    make_tip(title="Statuten opstellen", explanation="De statuten leggen de regels vast.")
    make_tip(title="Zorgcoöperatie oprichten", explanation="Zo begin je een zorgcoöperatie.")
    make_tip(title="Een burgerinitiatief starten", explanation="Elk burgerinitiatief begint klein.")
    make_tip(title="Dorpsondersteuner aanstellen", explanation="De dorpsondersteuner helpt.")
    make_tip(title="Stadsdorp Zuid", explanation="Een stadsdorp is een netwerk van bewoners.")
    make_tip(title="Werkbezoek regelen", explanation="Leer van een werkbezoek bij een ander.")
    make_tip(title="Mantelzorgers ontlasten", explanation="Steun voor de mantelzorger thuis.")
    make_tip(title="Het Wmo-loket", explanation="Ga langs bij het Wmo-loket voor hulp.")
    make_tip(title="Inloopspreekuur in het dorpshuis", explanation="Iedere dinsdag.")
    make_tip(title="Samen eten", explanation="Een maaltijd met buren, geen vervoer nodig.")
    drain()


@pytest.mark.parametrize(("query", "title"), [
    ("vrijwilliger", "Vrijwilligers gezocht"),
    ("statuut", "Statuten opstellen"),
    ("zorgcooperatie", "Zorgcoöperatie oprichten"),
    ("zorgcoöperaties", "Zorgcoöperatie oprichten"),
    ("burgerinitiatieven", "Een burgerinitiatief starten"),
])
def test_stemming_accents_and_plurals(corpus, found, query, title):
    assert title in found(query)


def test_accents_fold_both_ways(make_tip, drain, found):
    make_tip(title="Zorgcooperatie zonder trema")
    drain()
    assert "Zorgcooperatie zonder trema" in found("zorgcoöperatie")


def test_plurals_that_snowball_keeps_apart_are_joined():
    # Plain Snowball gives "zorgcooperaties" and "burgerinitiatiev" (measured); we join them.
    assert analyse("zorgcoöperaties") == analyse("zorgcoöperatie")
    assert analyse("burgerinitiatieven") == analyse("burgerinitiatief")
    assert analyse("organisaties") == analyse("organisatie")
    assert analyse("huizen") == analyse("huis")


@pytest.mark.parametrize(("query", "title"), [
    ("coöperatie", "Zorgcoöperatie oprichten"),
    ("ondersteuner", "Dorpsondersteuner aanstellen"),
    ("initiatief", "Een burgerinitiatief starten"),
])
def test_compounds_are_found_by_their_parts(corpus, found, query, title):
    assert title in found(query)


def test_compound_parts_rank_below_the_exact_word(make_tip, drain, found):
    make_tip(title="Over de dorpsondersteuner", explanation="")
    make_tip(title="Wat doet een ondersteuner?", explanation="")
    drain()
    assert found("ondersteuner") == ["Wat doet een ondersteuner?", "Over de dorpsondersteuner"]


def test_split_compound_uses_known_parts_only():
    assert split_compound(analyse("dorpsondersteuner")[0]) == ["ondersteuner", "dorp"]
    assert split_compound(analyse("zorgcoöperatie")[0]) == ["cooperatie", "zorg"]
    assert split_compound("kwalificatie") == []


@pytest.mark.parametrize(("query", "title"), [
    ("buurtnetwerk", "Stadsdorp Zuid"),
    ("excursie", "Werkbezoek regelen"),
    ("mantelzorg", "Mantelzorgers ontlasten"),
    ("gemeente", "Het Wmo-loket"),
    ("spreekuur", "Inloopspreekuur in het dorpshuis"),
    ("burgercoöperatie", "Zorgcoöperatie oprichten"),
])
def test_synonyms(corpus, found, query, title):
    assert title in found(query)


def test_multi_word_synonym_finds_the_single_word(make_tip, drain, found):
    make_tip(title="Praat met de gemeente", explanation="")
    drain()
    assert "Praat met de gemeente" in found("wmo-loket")


@pytest.mark.parametrize(("query", "suggestion"), [
    ("vrijwiliger", "vrijwilliger"),
    ("statutem", "statuten"),
    ("statutem opstellen", "statuten opstellen"),
])
def test_did_you_mean_comes_from_the_index(corpus, client, query, suggestion):
    html = client.get("/zoeken", query_string={"q": query}).get_data(as_text=True)
    match = re.search(r"Bedoelde u <a href=\"([^\"]+)\">(.*?)</a>", html)
    assert match and match.group(2) == suggestion
    followed = client.get(match.group(1).replace("&amp;", "&"))
    assert "Geen resultaten" not in followed.get_data(as_text=True)


@pytest.mark.parametrize("word", ["vrijwiliger", "statutem", "zorgcooperatei", "dorpsondersteunr",
                                  "mantelzorgr", "vervoor", "x", "werkbezoekk"])
def test_near_words_are_whooshs_and_swapped_letters_count_once(corpus, word):
    from whoosh.support.levenshtein import damerau_levenshtein

    from kennisnet.search.schema import SPELLING_FIELD
    from kennisnet.search.spelling import words_within
    from kennisnet.search.store import shared_searcher

    with shared_searcher().use() as searcher:
        reader = searcher.reader()
        for distance in (1, 2):
            whooshs = set(reader.terms_within(SPELLING_FIELD, word, distance, prefix=1))
            ours = words_within(reader, word, distance)
            # Whoosh's automaton counts a swap of two letters as two edits; both count the
            # rest alike, so ours holds Whoosh's words and only swaps besides.
            assert whooshs <= ours
            assert all(damerau_levenshtein(extra, word) <= distance and extra[0] == word[0]
                       for extra in ours - whooshs)
        assert "statuten" in words_within(reader, "statuetn", 1)  # one swap


def test_no_did_you_mean_for_known_words(corpus, client):
    assert "Bedoelde u" not in client.get("/zoeken?q=vrijwilligers").get_data(as_text=True)


def test_all_words_must_match_by_default(corpus, found):
    assert found("vrijwilligers vervoer") == ["Vrijwilligers gezocht"]


def test_exact_phrase(make_tip, drain, found):
    make_tip(title="Eerste", explanation="Een vaste contributie per jaar.")
    make_tip(title="Tweede", explanation="De contributie is vast, elk jaar.")
    drain()
    assert found('"vaste contributie"') == ["Eerste"]
    assert sorted(found("vaste contributie")) == ["Eerste", "Tweede"]


def test_minus_excludes_a_word(corpus, found):
    titles = found("vervoer -vrijwilligers")
    assert "Samen eten" in titles and "Vrijwilligers gezocht" not in titles


def test_or(corpus, found):
    titles = found("statuten OR werkbezoek")
    assert {"Statuten opstellen", "Werkbezoek regelen"} <= set(titles)


def test_hyphenated_word_is_not_an_exclusion(corpus, found):
    assert "Het Wmo-loket" in found("wmo-loket")


def test_title_weighs_more_than_body(make_tip, drain, found):
    make_tip(title="Iets anders", explanation="Hier staat contributie ergens in de tekst.")
    make_tip(title="Contributie", explanation="Over geld.")
    drain()
    assert found("contributie") == ["Contributie", "Iets anders"]


def test_field_syntax_and_wildcards_are_plain_words(corpus, found):
    assert found("title:statuten") == []  # "title" is just a word that does not occur
    assert "Statuten opstellen" in found("statuten*")
    assert found("stat*") == []  # no wildcard expansion


def test_query_is_cut_before_parsing():
    cleaned = clean_query("statuten " * 5000)
    assert len(cleaned) <= MAX_QUERY_LENGTH
    assert parse(cleaned) is not None


def test_clean_query_strips_nul_and_lone_surrogates():
    assert clean_query("stat\x00uten \ud800 coöperatie") == "stat uten coöperatie"


@pytest.mark.parametrize("text", ['"', "((((", ":", "*", "-", "OR", "NOT", "de het een", ")", "^2"])
def test_unsearchable_input_parses_to_nothing(text):
    assert parse(clean_query(text)) is None


def test_a_remembered_ranking_is_used_only_for_the_same_index_and_candidates(
        make_tip, drain, found, db):
    from kennisnet.search import engine

    make_tip(title="Contributie innen", explanation="Hoe innen we de contributie?")
    make_tip(title="Leden werven", explanation="Nieuwe leden betalen contributie.", phase="groei")
    drain()
    first = found("contributie")
    assert first == ["Contributie innen", "Leden werven"]
    assert found("contributie") == first  # now ranked from memory
    assert any(kept.entries for kept in engine._RANKINGS.values())
    # Other candidates (a filter) are ranked for themselves, not taken from memory.
    assert found("contributie", fase="groei") == ["Leden werven"]

    # A new version of the index starts with nothing remembered: the new tip is ranked in.
    make_tip(title="Contributie", explanation="Contributie, contributie: alles over contributie.")
    drain()
    assert found("contributie") == ["Contributie", "Contributie innen", "Leden werven"]
