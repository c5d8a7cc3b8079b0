"""A rebuilt index is the index Whoosh's own writer would have written, only built faster."""


import pytest
from whoosh.writing import SegmentWriter

from kennisnet.search.bulk import BulkSegmentWriter, write_segments
from kennisnet.search.indexer import index_entries
from kennisnet.search.schema import DutchText, encode_positions
from kennisnet.search.store import new_generation
from tests.index_support import corpus


def segment_files(tmp_path, name, write) -> dict[str, bytes]:
    """The files of the single segment `write` puts into a fresh index, by extension."""
    generation, ix = new_generation(tmp_path / name)
    write(ix)
    folder = tmp_path / name / generation
    # Segment files are named MAIN_<random segment id>.<part>; the TOC and lock are not ours.
    return {path.name.split(".", 1)[1]: path.read_bytes() for path in folder.iterdir()
            if path.name.startswith("MAIN_") and path.name != "MAIN_WRITELOCK"}


def entries():
    return list(index_entries(corpus(400), [0]))


def test_bulk_segment_is_byte_for_byte_whooshs_own(tmp_path):
    def whoosh_writer(ix):
        writer = SegmentWriter(ix, compound=False)
        for fields in entries():
            writer.add_document(**fields)
        writer.commit()

    def bulk_writer(ix):
        writer = BulkSegmentWriter(ix, compound=False)
        for fields in entries():
            writer.add_document(**fields)
        writer.finish()

    expected = segment_files(tmp_path, "whoosh", whoosh_writer)
    written = segment_files(tmp_path, "bulk", bulk_writer)
    assert set(expected) >= {"pst", "trm", "_stored.col", "_body_len.col", "date.col"}
    assert written.keys() == expected.keys()
    for suffix, content in expected.items():
        assert written[suffix] == content, suffix


@pytest.mark.parametrize("procs", [1, 3])
def test_written_segments_hold_every_entry_once(tmp_path, procs):
    documents = corpus(1000, seed=procs)
    counted = [0]
    generation, ix = new_generation(tmp_path)
    assert write_segments(ix, index_entries(documents, counted), procs) > 1000  # + dictionary
    assert counted[0] == 1000
    with ix.searcher() as searcher:
        keys = [fields["key"] for _n, fields in searcher.reader().iter_docs() if "key" in fields]
        assert sorted(keys) == sorted(document.key for document in documents)
        assert len(searcher.reader().leaf_readers()) == procs
        body_hits = searcher.doc_frequency("body", b"contributie")
        assert body_hits == sum("contributie" in document.body for document in documents)


def test_a_failing_child_fails_the_build_and_leaves_no_segment(tmp_path):
    generation, ix = new_generation(tmp_path)
    bad = [{"key": "tip:1", "title": "Goed"}, {"key": "tip:2", "nonsense": "geen veld"}]
    with pytest.raises(RuntimeError, match="child process: UnknownFieldError.*nonsense"):
        write_segments(ix, iter(bad * 3000), 2)  # more batches than a queue holds
    assert ix.doc_count() == 0


def test_unsupported_field_options_are_refused_not_dropped(tmp_path):
    generation, ix = new_generation(tmp_path)
    writer = BulkSegmentWriter(ix)
    with pytest.raises(ValueError):
        writer.add_document(title="Een tip", _boost=2.0)
    writer.cancel()


def test_fast_text_field_gives_whooshs_postings():
    from whoosh.fields import TEXT

    from kennisnet.search.schema import build_schema

    field = build_schema()["body"]
    assert isinstance(field, DutchText)
    text = corpus(1)[0].body + " zorgcoöperaties, en nog eens zorgcoöperaties"
    stock = sorted(TEXT.index(field, text))
    assert sorted(field.index(text)) == stock
    assert encode_positions([3, 9, 10]) == encode_positions([3, 9, 10])  # cached or not
    assert encode_positions(list(range(50))) == field.format.encode(list(range(50)))


def test_a_killed_child_fails_the_build_instead_of_hanging(tmp_path, monkeypatch):
    import os
    import signal

    from kennisnet.search import bulk

    def killed_on_first_batch(ix, jobs, results):
        jobs.get()
        os.kill(os.getpid(), signal.SIGKILL)  # what the kernel does to a writer out of memory

    monkeypatch.setattr(bulk, "_child", killed_on_first_batch)
    generation, ix = new_generation(tmp_path)
    with pytest.raises(RuntimeError, match="ended early"):
        write_segments(ix, iter([{"key": f"tip:{n}", "title": "Goed"} for n in range(5000)]), 2)


def test_children_left_without_work_do_not_disturb_the_others(tmp_path):
    generation, ix = new_generation(tmp_path)
    few = [{"key": f"tip:{n}", "title": f"Tip {n}", "body": "over vervoer"} for n in range(10)]
    assert write_segments(ix, iter(few), 3) == 10  # one batch: two children get nothing
    with ix.searcher() as searcher:
        assert searcher.doc_frequency("body", b"vervoer") == 10
        assert len(searcher.reader().leaf_readers()) == 1
    assert not (tmp_path / generation / "MAIN.tmp").exists()
    assert len(list((tmp_path / generation).glob("MAIN_*"))) == 1  # only the compound segment


@pytest.mark.parametrize("procs", [1, 2])
def test_large_builds_are_cut_into_segments_of_bounded_size(tmp_path, monkeypatch, procs):
    from kennisnet.search import bulk

    monkeypatch.setattr(bulk, "SEGMENT_ITEMS", 400)  # bounds each writer's memory
    documents = corpus(2000, seed=11)
    generation, ix = new_generation(tmp_path)
    write_segments(ix, index_entries(documents, [0]), procs)
    with ix.searcher() as searcher:
        sizes = [reader.doc_count_all() for reader, _offset in searcher.reader().leaf_readers()]
        assert max(sizes) <= 400 + bulk.BATCH_SIZE and len(sizes) >= 2000 // 650
        assert searcher.doc_frequency("body", b"contributie") == sum(
            "contributie" in document.body for document in documents)
        keys = [fields["key"] for _n, fields in searcher.reader().iter_docs() if "key" in fields]
        assert sorted(keys) == sorted(document.key for document in documents)
