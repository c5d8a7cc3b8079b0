"""Fast building of a fresh index for `kennisnet search rebuild`.

Whoosh's SegmentWriter puts every posting as a tuple into a pool, sorts all of them at commit and
then walks them one by one, asking the per-document reader for each posting's field length. For
a fresh index all of that is known already when a document is added: BulkSegmentWriter keeps
the postings grouped per term as they arrive, so a commit only sorts the terms. The segment it
writes is the same, byte for byte, as Whoosh's own (tests/test_search_bulk.py compares them).

write_segments spreads the documents over a few processes that each write one segment, the way
Whoosh's MpWriter(multisegment=True) does, and then lists those segments in one new table of
contents. A writer holds its postings in memory until it writes its segment, where Whoosh's
pool spilled sorted runs to disk: hence segments of at most SEGMENT_ITEMS documents.
"""

import multiprocessing
import os
import queue
from array import array

from whoosh.index import TOC, clean_files
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

BATCH_SIZE = 250  # documents per message to a child: large enough to keep pickling cheap
QUEUE_BATCHES = 8  # batches waiting per child; bounds the parent's memory
POLL_SECONDS = 1.0
# Documents per segment. A writer keeps its segment's postings in memory: 25,000 bench items
# take about 250 MB per writer process (bench/search.py), so two fit a 1 GB server beside the
# site. More segments make searches a little slower.
SEGMENT_ITEMS = 25_000


class TermPostings:
    """The postings of one segment, grouped per field and term in document order.

    Stands in for Whoosh's PostingPool in BulkSegmentWriter, which never calls `add`."""

    def __init__(self):
        self.fields: dict[str, dict[bytes, tuple[array, array, list]]] = {}

    def terms(self, fieldname: str) -> dict:
        return self.fields.setdefault(fieldname, {})

    def cleanup(self) -> None:
        self.fields.clear()


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter for documents added to a fresh segment, with no deletions or merges.

    Supports what kennisnet's schema uses: indexed, stored, scored and column fields. Term
    vectors, separate spelling fields and per-document boosts raise instead of being dropped.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, _lk=False, **kwargs)
        self.pool.cleanup()
        self.pool = TermPostings()
        # Quantised field lengths per document, as the segment's length column will give them.
        self.lengths: dict[str, array] = {}

    def add_document(self, **fields):
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        names = sorted(name for name in fields if not name.startswith("_"))
        if len(names) != len(fields):
            raise ValueError("BulkSegmentWriter does not support boosts or custom stored values")
        self._check_fields(schema, names)
        perdocwriter = self.perdocwriter
        perdocwriter.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is not None:
                    self._add_field(docnum, name, schema[name], value)
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_field(self, docnum: int, name: str, field, value) -> None:
        if field.vector or field.separate_spelling():
            raise ValueError(f"BulkSegmentWriter does not support field {name!r}")
        length = 0
        if field.indexed:
            terms = self.pool.terms(name)
            scorable = field.scorable
            for tbytes, freq, weight, vbytes in field.index(value):
                if scorable:
                    length += freq
                postings = terms.get(tbytes)
                if postings is None:
                    postings = terms[tbytes] = (array("I"), array("d"), [])
                postings[0].append(docnum)
                postings[1].append(weight)
                postings[2].append(vbytes)
            if scorable:
                self._record_length(name, docnum, length)
        self.perdocwriter.add_field(name, field, value if field.stored else None, length)
        if field.column_type:
            self.perdocwriter.add_column_value(name, field.column_type,
                                               field.to_column_value(value))

    def _record_length(self, name: str, docnum: int, length: int) -> None:
        lengths = self.lengths.get(name)
        if lengths is None:
            lengths = self.lengths[name] = array("I")
        lengths.extend([0] * (docnum + 1 - len(lengths)))
        lengths[docnum] = byte_to_length(length_to_byte(length))

    def _flush_segment(self):
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for name in sorted(self.pool.fields):
            self._write_field(fieldwriter, name)
        fieldwriter.close()

    def _write_field(self, fieldwriter, name: str) -> None:
        terms = self.pool.fields[name]
        lengths = self.lengths.get(name)
        fieldwriter.start_field(name, self.schema[name])
        postwriter = fieldwriter._postwriter
        for tbytes in sorted(terms):
            fieldwriter.start_term(tbytes)
            _write_postings(postwriter, *terms.pop(tbytes), lengths)
            fieldwriter.finish_term()
        fieldwriter.finish_field()

    def finish(self):
        """Write the segment's files and return the segment, without touching the TOC."""
        segment = self._finalize_segment()
        # Not _finish(): it removes the temporary folder that sibling writers still use;
        # write_segments removes it once all of them are done.
        self.is_closed = True
        return segment


def _write_postings(postwriter, docnums: array, weights: array, values: list,
                    lengths: array | None) -> None:
    """What W3PostingsWriter.add_posting does per posting, a block at a time: fill the block
    buffers with slices and the same statistics, and write each full block."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        end = start + limit
        ids = docnums[start:end]
        block_weights = weights[start:end]
        postwriter._ids = ids
        postwriter._weights = array("f", block_weights)
        postwriter._maxweight = max(0, max(block_weights))
        postwriter._values = [value for value in values[start:end] if value]
        known = [lengths[docnum] for docnum in ids] if lengths is not None else []
        known = [length for length in known if length]
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0


def write_segments(ix, documents, procs: int) -> int:
    """Add the documents as new segments of an empty index `ix`; returns the number added."""
    if procs <= 1:
        counted = [0]
        segments = _segments_of(ix, _batches(documents, counted))
        count = counted[0]
    else:
        count, segments = _write_in_children(ix, documents, procs)
    ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()
    _commit_toc(ix, segments)
    return count


def _batches(documents, counted: list[int]):
    batch = []
    for fields in documents:
        batch.append(fields)
        counted[0] += 1
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _segments_of(ix, batches) -> list:
    """Write the batches' documents as segments of at most SEGMENT_ITEMS documents each: a
    writer holds its segment's postings in memory until it finishes."""
    segments, writer, added = [], BulkSegmentWriter(ix), 0
    try:
        for batch in batches:
            added += _add_each(writer.add_document, batch)
            if added >= SEGMENT_ITEMS:
                segments.append(writer.finish())
                writer, added = BulkSegmentWriter(ix), 0
    except BaseException:
        writer._close_segment()
        raise
    if added:
        segments.append(writer.finish())
    else:
        # Not cancel(): that removes the temporary folder sibling writers still use. The
        # empty segment's files go with the new table of contents (clean_files).
        writer._close_segment()
    return segments


def _add_each(add, documents) -> int:
    count = 0
    for fields in documents:
        add(**fields)
        count += 1
    return count


def _commit_toc(ix, segments) -> None:
    toc = ix._read_toc()
    generation = toc.generation + 1
    TOC(toc.schema, segments, generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, segments)


def _write_in_children(ix, documents, procs: int):
    context = multiprocessing.get_context("fork")  # children inherit the schema and patches
    jobs = [context.Queue(QUEUE_BATCHES) for _ in range(procs)]
    results = context.Queue()
    children = [context.Process(target=_child, args=(ix, queue, results), daemon=True)
                for queue in jobs]
    for child in children:
        child.start()
    try:
        count = _distribute(documents, jobs, children)
        for queue, child in zip(jobs, children, strict=True):
            _put(queue, None, child)
        outcomes = [_result(results, children) for _ in children]
    except ChildEnded as ended:
        # A child that stopped on an error reported it before it ended: name that error.
        outcomes = [_reported(results) or str(ended)]
        _stop(children)
    except BaseException:
        _stop(children)
        raise
    finally:
        for child in children:
            child.join(timeout=60)
    failures = [outcome for outcome in outcomes if isinstance(outcome, str)]
    if failures:
        raise RuntimeError(f"building the search index failed in a child process: {failures[0]}")
    return count, [segment for segments in outcomes for segment in segments]


def _stop(children) -> None:
    for child in children:
        child.kill()


class ChildEnded(RuntimeError):
    """A writer process ended before its work was done."""


def _reported(results) -> str | None:
    try:
        while True:
            outcome = results.get(timeout=POLL_SECONDS)
            if isinstance(outcome, str):
                return outcome
    except queue.Empty:
        return None


def _distribute(documents, jobs, children) -> int:
    counted = [0]
    for turn, batch in enumerate(_batches(documents, counted)):
        _put(jobs[turn % len(jobs)], batch, children[turn % len(jobs)])
    return counted[0]


def _put(jobs, item, child) -> None:
    # A child that failed stops reading its queue; waiting for room would then never end.
    while True:
        try:
            jobs.put(item, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if not child.is_alive():
                raise ChildEnded(f"a search index writer process ended early "
                                 f"(exit code {child.exitcode})") from None


def _result(results, children):
    while True:
        try:
            return results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            # A child killed from outside (out of memory) never reports back.
            ended = [child for child in children if child.exitcode not in (None, 0)]
            if ended:
                raise ChildEnded(f"a search index writer process ended early "
                                 f"(exit code {ended[0].exitcode})") from None


def _child(ix, jobs, results) -> None:
    try:
        results.put(_segments_of(ix, iter(jobs.get, None)))
    except BaseException as error:  # reported to the parent, which raises it
        results.put(f"{type(error).__name__}: {error} (pid {os.getpid()})")
