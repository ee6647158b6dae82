"""The process's memory between stages: Arrow's buffers from the C allocator (so what a stage frees can
go back to the system; Arrow's default mimalloc pool keeps it: the 200,000-line night's decide stage
peaked 117 MB higher with it) and, after each stage, what the stage freed handed back (a garbage
collection, Arrow's unused pool memory, glibc's malloc_trim), so the next stage starts low and the
night's peak is its largest stage's, not the sum of what each left behind. While a night runs
(`survivors_frozen`), what survived each stage's collection is kept out of the collector's later passes
(gc.freeze): the heap the imports made (Prefect, GX, pandas: ~360,000 objects) is not walked again after
every stage; and at exit (`frozen_at_exit`) the interpreter's final collections skip the whole heap. No
output depends on it.
"""

from __future__ import annotations

import atexit
import functools
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_freezing = False  # inside survivors_frozen: give_back freezes what its collection left
_frozen_at_exit = False  # frozen_at_exit registered its exit handler


def use_system_allocator() -> None:
    """Arrow's default memory pool: the system's, unless ARROW_DEFAULT_MEMORY_POOL chooses one; set in
    the environment too, so the processes this one starts (Prefect workers' flow runs) use it."""
    if os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system") != "system":
        return
    import sys

    if "pyarrow" in sys.modules:  # read the variable already: told directly
        sys.modules["pyarrow"].set_memory_pool(sys.modules["pyarrow"].system_memory_pool())


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # here, not at the top: `inspect --json` imports this module for use_system_allocator alone
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back() -> None:
    """Hand what the last stage freed back to the system (inside survivors_frozen: the survivors of
    the collection then frozen)."""
    gc.collect()
    if _freezing:
        gc.freeze()
    release_freed()


def freeze_alive() -> None:
    """Inside survivors_frozen: what is alive now frozen too (modules imported between two stages, which
    no stage's give_back follows), so that the collections until the next stage do not walk it again
    and again; elsewhere nothing."""
    if _freezing:
        gc.freeze()


def release_freed() -> None:
    """What was freed handed back to the system (Arrow's unused pool memory, glibc's free heap pages),
    without a collection: inside a stage, once a step's transient memory is freed and before the next
    step allocates (the reconciliation's read of the night's documents), so that what the next step
    builds is counted from what is still held, not on top of the heap the transient left resident."""
    import sys

    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def gives_back(stage: F) -> F:
    """``stage`` followed by give_back(), whatever its outcome."""
    @functools.wraps(stage)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return stage(*args, **kwargs)
        finally:
            give_back()

    return run  # type: ignore[return-value]


@contextmanager
def survivors_frozen() -> Iterator[None]:
    """The block (a night's stages, each ended by give_back) with the objects alive at its start, and
    those each give_back's collection leaves, out of the cyclic collector's passes (gc.freeze): the
    collection after a stage, and those a stage triggers, walk what the stages made since, not the
    whole heap again (a full collection of an `orderbridge run` process's ~360,000 objects after its
    imports: ~0.2 s CPU, after each of a night's 13 stages). Reference counting still frees a frozen
    object; only cyclic garbage among them waits until the block ends, when everything is unfrozen.
    A block inside another, or where something else froze objects already, changes nothing. A stage
    that unfreezes everything itself has its give_back freeze the survivors again (the decide stage
    freezes around its work and, inside this block, leaves the freeze as it found it)."""
    global _freezing
    if _freezing or gc.get_freeze_count():
        yield
        return
    _freezing = True
    gc.freeze()
    try:
        yield
    finally:
        _freezing = False
        gc.unfreeze()


def frozen_at_exit() -> None:
    """Whatever is alive when the interpreter ends, frozen (gc.freeze) after every exit handler
    registered before this call has run (atexit runs them last-registered first): the interpreter's
    final collections, while it tears its modules down, then skip the whole heap. An `orderbridge run`
    spent 0.8-1.5 s CPU on them after its last line (Prefect, GX, pandas and a night's objects);
    0.05-0.07 s frozen. Only what Python never promises at exit changes: objects in reference cycles
    still alive then are not finalized (every file and store is closed by the code that opened it).
    Registered once per process."""
    global _frozen_at_exit
    if not _frozen_at_exit:
        atexit.register(gc.freeze)
        _frozen_at_exit = True
