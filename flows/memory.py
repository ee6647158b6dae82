"""The process's memory between stages: Arrow's buffers from the C allocator (so what a stage frees can
go back to the system; Arrow's default mimalloc pool keeps it: the 200,000-line night's decide stage
peaked 117 MB higher with it) and, after each stage, what the stage freed handed back (a garbage
collection, Arrow's unused pool memory, glibc's malloc_trim), so the next stage starts low and the
night's peak is its largest stage's, not the sum of what each left behind. No output depends on it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import os
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


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
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back() -> None:
    """Hand what the last stage freed back to the system."""
    gc.collect()
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
