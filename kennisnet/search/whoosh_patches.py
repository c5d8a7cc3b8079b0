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
