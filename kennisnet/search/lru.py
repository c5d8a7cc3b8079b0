"""The one shape of the search's per-process memories: least recently used out, bounded.

Everything kept is derived from index segments, which never change once written, so an entry
keyed by its segment's id stays true as long as that segment exists; the bound keeps the web
workers within the deployment's memory budget.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedLRU(Generic[V]):
    """At most `max_size` of `size_of(value)` (bytes, blocks, entries: 1 each by default)."""

    def __init__(self, max_size: int, size_of: Callable[[V], int] = lambda _value: 1):
        self.max_size, self.size_of, self.size = max_size, size_of, 0
        self.entries: OrderedDict[Hashable, V] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> V:
        """Keep the value (unless the key is kept already) and return what is kept."""
        with self.lock:
            kept = self.entries.get(key)
            if kept is not None:
                return kept
            self.entries[key] = value
            self.size += self.size_of(value)
            while self.size > self.max_size:
                self.size -= self.size_of(self.entries.popitem(last=False)[1])
        return value

    def remembered(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The kept value, or compute() kept. Computing happens outside the lock: two threads
        may both compute a missing value, and the first one kept wins."""
        value = self.get(key)
        return value if value is not None else self.put(key, compute())

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0
