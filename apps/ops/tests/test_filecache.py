"""apps.ops.filecache.FileCache (issue 5): Django's file cache, but the directory is listed to cull
at most once per CULL_INTERVAL — Django's lists it on every write (25 ms at 20,000 entries)."""

import pytest

from apps.ops import filecache
from apps.ops.filecache import FileCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(filecache.time, "monotonic", clock)
    monkeypatch.setattr(filecache, "_next_look", {})
    return clock


def make_cache(path, max_entries=5):
    return FileCache(str(path), {"OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_INTERVAL": 30}})


def entries(path) -> int:
    return sum(1 for p in path.iterdir() if p.suffix == ".djcache")


def listings(cache, monkeypatch) -> list[int]:
    """Count the directory listings the cache makes."""
    seen = []
    original = cache._list_cache_files

    def counted():
        files = original()
        seen.append(len(files))
        return files

    monkeypatch.setattr(cache, "_list_cache_files", counted)
    return seen


def test_values_are_kept_and_read_back(tmp_path, clock):
    """OPS-1: a page written is read back as written; a missing key is None."""
    cache = make_cache(tmp_path)
    cache.set("diary-week:1", "<li>Русский язык</li>", 600)
    assert cache.get("diary-week:1") == "<li>Русский язык</li>"
    assert cache.get("diary-week:2") is None


def test_the_directory_is_listed_once_per_interval_and_culled_after_it(tmp_path, clock, monkeypatch):
    """OPS-1: twenty writes within one interval list the directory once (Django's backend: twenty
    times); the first write after the interval finds the cache over its bound and culls it."""
    cache = make_cache(tmp_path, max_entries=5)
    seen = listings(cache, monkeypatch)
    for i in range(20):
        cache.set(f"page:{i}", "x" * 100, 600)
    assert seen == [0]
    assert entries(tmp_path) == 20  # over the bound until the next look

    clock.now += 31
    cache.set("page:20", "x", 600)
    assert len(seen) == 2 and seen[1] == 20
    assert entries(tmp_path) == 20 - 20 // 3 + 1  # Django's cull: a random third


def test_two_cache_objects_of_one_process_share_the_interval(tmp_path, clock, monkeypatch):
    """OPS-1: Django makes a cache object per thread; they look at the directory in turn, not each
    on its own schedule."""
    first, second = make_cache(tmp_path), make_cache(tmp_path)
    seen_first, seen_second = listings(first, monkeypatch), listings(second, monkeypatch)
    first.set("a", 1, 600)
    second.set("b", 2, 600)
    assert len(seen_first) + len(seen_second) == 1
    assert second.get("a") == 1 and first.get("b") == 2
