"""Small, contained fixes for Whoosh-Reloaded 2.7.5, applied once on import.

Each one names the problem it fixes; remove it when a Whoosh release fixes the problem itself.
"""

from whoosh.codec.whoosh3 import W3PerDocReader

_original_cached_reader = W3PerDocReader._cached_reader


def _cached_reader(self, fieldname, column):
    # Whoosh caches a length-column reader only when the column exists. For fields without
    # lengths (unscored fields such as the spelling fields) every posting written at commit
    # time asked the disk again (os.stat via has_column): half a million stat calls for 5,000
    # documents, about a third of the commit. A segment's columns never change once written,
    # so a missing column may be remembered as well.
    if fieldname not in self._readers:
        self._readers[fieldname] = _original_cached_reader(self, fieldname, column)
    return self._readers[fieldname]


W3PerDocReader._cached_reader = _cached_reader


# Rebuild speed (`kennisnet search rebuild`, bench/search.py): most of a commit is spent writing
# one small posting block per term. The three patches below keep the index format unchanged.

from whoosh.codec.whoosh3 import W3PostingsWriter, _lenfield  # noqa: E402
from whoosh.util.numeric import byte_to_length  # noqa: E402

# Whoosh means to skip zlib for tiny blocks ("if the pickle is less than 20 bytes, don't bother
# compressing") but overwrites that decision on the next line, so every rare term paid a
# compress call and usually grew. Blocks record their own compression, so readers need no change.
SMALL_BLOCK_POSTINGS = 4
_original_write_block = W3PostingsWriter._write_block


def _write_block(self, last=False):
    if len(self._ids) >= SMALL_BLOCK_POSTINGS:
        return _original_write_block(self, last)
    compression, self._compression = self._compression, 0
    try:
        return _original_write_block(self, last)
    finally:
        self._compression = compression


W3PostingsWriter._write_block = _write_block


def _add_posting(self, id_, weight, vbytes, length=None):
    # The original checks four isinstance() asserts per posting: a tenth of a commit. Our
    # callers are Whoosh's own pool and merge code, which always pass the right types.
    if len(self._ids) >= self._blocklimit:
        self._write_block()
    self._ids.append(id_)
    self._weights.append(weight)
    if weight > self._maxweight:
        self._maxweight = weight
    if vbytes:
        self._values.append(vbytes)
    if length:
        if self._minlength is None or length < self._minlength:
            self._minlength = length
        if length > self._maxlength:
            self._maxlength = length


W3PostingsWriter.add_posting = _add_posting


def _doc_field_length(self, docnum, fieldname, default=0):
    # Asked once per posting at commit and once per hit when scoring; the original reads one
    # byte from the column file each time. A segment's lengths never change: read them once.
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    lengths = field_lengths(self, fieldname)
    if not lengths:
        return default
    return lengths[docnum] if docnum < len(lengths) else None


def field_lengths(perdoc, fieldname) -> list:
    """Every document's length of a field in one segment (None: empty), read once."""
    cache = perdoc.__dict__.setdefault("_kennisnet_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        lengths = cache[fieldname] = _read_lengths(perdoc, fieldname)
    return lengths


def _read_lengths(reader, fieldname) -> list:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    column = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return []
    raw = column._dbfile.get(column._basepos, column._count)
    return [byte_to_length(b) if b else None for b in raw]


W3PerDocReader.doc_field_length = _doc_field_length


# Memory: a segment inside a compound file is opened as BufferFile(memoryview of the mmap),
# and BufferFile wraps it in BytesIO, which copies it. Every web worker then held a private
# copy of the postings, terms and stored fields: 860 MB per worker at 100,000 items
# (bench/pages.py). Reading through the memoryview keeps the pages in the shared page cache.
from whoosh.filedb import structfile  # noqa: E402


class _MemoryReader:
    """A read-only file over a memoryview; reads copy only the bytes asked for."""

    def __init__(self, buf):
        self._buf = memoryview(buf)
        self._pos = 0

    def read(self, size=-1):
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf),
                                                                    self._pos + size)
        data = self._buf[self._pos:end].tobytes()
        self._pos = max(self._pos, end)
        return data

    def peek(self, size=0):
        # With peek, pickle.load reads a posting block's header at once instead of asking
        # for each opcode's bytes (about 20 reads per block).
        # Up to 512 bytes: a header is ~30, and pickle asks for 128 KB (peek may give less).
        return self._buf[self._pos:self._pos + min(max(size, 1), 512)].tobytes()

    def readline(self, size=-1):
        rest = self._buf[self._pos:].tobytes() if size is None or size < 0 else \
            self._buf[self._pos:self._pos + size].tobytes()
        line = rest[:rest.find(b"\n") + 1] if b"\n" in rest else rest
        self._pos += len(line)
        return line

    def seek(self, offset, whence=0):
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = base + offset
        return self._pos

    def tell(self):
        return self._pos

    def close(self):
        self._buf = memoryview(b"")


def _buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = _MemoryReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init
