"""Snippets from kennisnet/search/snippets.py are byte for byte the ones Whoosh's highlighter
makes with the same settings, on ordinary, long, compound-rich and hostile texts."""

import pytest
from whoosh import query as wq
from whoosh.highlight import ContextFragmenter, HtmlFormatter

from kennisnet.search.analysis import analyse
from kennisnet.search.bulk import write_segments
from kennisnet.search.engine import _positive_leaves
from kennisnet.search.indexer import index_entries
from kennisnet.search.query import expand, parse
from kennisnet.search.registry import SearchDocument
from kennisnet.search.snippets import Snippets
from kennisnet.search.store import new_generation
from tests.index_support import corpus

SPECIAL = [
    # Words past Whoosh's 32,768-character limit are never highlighted.
    " ".join(["vergadering"] * 3000 + ["contributie statuten"] * 200),
    'Statuten <script>alert("x")</script> & contributie > "vervoer" ' * 30,
    "De zorgcoöperatie en de zorgcooperatie: ZORGCOÖPERATIES, burgerinitiatieven, "
    "dorpsondersteuners en vrijwilligersvervoer. " * 12,
    "contributie",
    "",
]
QUERIES = ["statuten", "contributie vervoer", "zorgcoöperatie", "vrijwilligers vervoer",
           "dorpsondersteuner burgerinitiatief", "koffie OR café", "mantelzorger -buurt",
           '"vervoer statuten"', "ledenvergadering contributie 2026", "script alert"]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    documents = corpus(600, seed=3) + [
        SearchDocument(kind="tip", id=10_000 + number, title="Bijzonder", body=body,
                       visibility="public")
        for number, body in enumerate(SPECIAL)]
    generation, ix = new_generation(tmp_path_factory.mktemp("snippets"))
    write_segments(ix, index_entries(documents, [0]), 2)
    with ix.searcher() as opened:
        yield opened


@pytest.mark.parametrize("text", QUERIES)
def test_snippets_are_whooshs(searcher, text):
    ranking = wq.Or(list(_positive_leaves(expand(parse(text)))))
    results = searcher.search(ranking, limit=60)
    results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
    results.formatter = HtmlFormatter(tagname="mark", classname="hl", termclass="term",
                                      between=" … ")
    field = searcher.schema["body"]
    words = frozenset(field.from_bytes(term) for _field, term in
                      results.query_terms(expand=True, fieldname="body"))
    ours = Snippets(words, field.analyzer)
    compared = 0
    for hit in results:
        expected = hit.highlights("body", top=2)
        assert ours(hit["body"]) == expected, (text, hit["key"])
        compared += bool(expected)
    assert compared >= 1


def test_the_special_texts_are_found_and_marked(searcher):
    results = searcher.search(wq.Term("title", "bijzonder"), limit=None)
    assert len(results) == len(SPECIAL)
    field = searcher.schema["body"]
    snippets = Snippets(frozenset(analyse("statuten contributie zorgcoöperatie")),
                        field.analyzer)
    assert snippets(SPECIAL[0]) == ""  # only past the limit
    marked = snippets(SPECIAL[1])
    assert '">Statuten</mark> &lt;script&gt;alert("x")&lt;/script&gt; &amp; ' in marked
    assert "<script>" not in marked and '<mark class="hl term0">contributie</mark>' in marked
    assert '<mark class="hl term' in snippets(SPECIAL[2])
