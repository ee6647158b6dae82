"""Python's cyclic garbage collector paused (or run less often) while a stage turns a night's rows into tables: reading
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


@contextmanager
def fewer_collections(young: int = 100_000) -> Iterator[None]:
    """Python's cyclic collector run less often while a stage makes and drops many small objects (rows,
    records, segments: almost none in cycles): a young collection per ``young`` new containers instead
    of 700 (each one walks every young survivor; at 700 a 1x ship stage spent 15% of its CPU there).
    The thresholds are restored after; nothing is left uncollected."""
    before = gc.get_threshold()
    gc.set_threshold(max(young, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
