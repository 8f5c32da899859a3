"""A small per-process cache of rendered result pages.

A result page depends only on the signed claim, the data version, the reader's language, the
host it is served on and whether the result is stale, so a repeat view (staff scanning the
same code again, a traveller reopening it) can be served from memory. The cache is bounded and
per process: it holds no state other instances need.
"""

import threading
from collections import OrderedDict


class PageCache:
    def __init__(self, size: int = 1024):
        self.size = size
        self._pages: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
