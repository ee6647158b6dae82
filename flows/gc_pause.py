"""Python's cyclic garbage collector paused while a stage turns a night's rows into tables: reading
200,000 order lines allocates millions of tuples and strings, and each collection the allocations
trigger walks all of them (about a third of the reconcile and reports stages' CPU). Reference counting
still frees every row; the collector runs again when the block ends. Owns no run logic."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The block without cyclic collections (re-enabled after, only if it was enabled before)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
