"""The bounded least-recently-used memory every search cache uses."""

from kennisnet.search.lru import BoundedLRU


def test_the_least_recently_used_go_first_and_the_bound_holds():
    store = BoundedLRU(10, len)
    store.put("a", "xxxx")
    store.put("b", "xxxx")
    assert store.get("a") == "xxxx"  # now a is the most recent
    store.put("c", "xxxx")
    assert store.get("b") is None and store.get("a") == "xxxx" and store.size == 8
    store.put("huge", "x" * 11)  # larger than the bound: kept by nobody
    assert store.get("huge") is None and store.size <= 10


def test_a_value_is_computed_once_and_the_first_one_kept_wins():
    store = BoundedLRU(3)
    computed = []
    assert store.remembered("k", lambda: computed.append(1) or "first") == "first"
    assert store.remembered("k", lambda: computed.append(2) or "second") == "first"
    assert store.put("k", "third") == "first" and computed == [1]
    assert store.remembered("zero", lambda: 0) == 0 and store.get("zero") == 0  # falsy is kept
    store.clear()
    assert store.get("k") is None and store.size == 0
