"""Django's file cache with its culling throttled (issue 5).

django.core.cache.backends.filebased.FileBasedCache lists its whole directory on *every* write to
decide whether to cull: 25 ms at 20,000 entries on the bench machine. The pages kept per reader
(apps.ops.pagecache) and the copies of the sessions are written on every miss and every session
touch, and a district's evening fills the cache to its bound, so each write would pay that listing.
Here the directory is looked at no more than once per CULL_INTERVAL seconds per process (and per
directory); between two looks the cache may hold a few more entries than MAX_ENTRIES — bounded by
the writes of one interval — and the culling itself is Django's (a random third when over the
bound). Everything else is Django's backend unchanged.

    CACHES = {"default": {"BACKEND": "apps.ops.filecache.FileCache", "LOCATION": ...,
                          "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_INTERVAL": 30}}}
"""

from __future__ import annotations

import threading
import time

from django.core.cache.backends.filebased import FileBasedCache

# directory → the monotonic time before which it is not listed again (shared by the threads and
# the cache objects of one process: Django makes a cache object per thread).
_next_look: dict[str, float] = {}
_lock = threading.Lock()


class FileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._cull_interval = float(params.get("OPTIONS", {}).get("CULL_INTERVAL", 30))

    def _cull(self):
        now = time.monotonic()
        with _lock:
            if now < _next_look.get(self._dir, 0.0):
                return
            _next_look[self._dir] = now + self._cull_interval
        super()._cull()
