"""One piece of a stage's work run in a thread of its own while the stage goes on, on a machine's other core:
work that lets Python's lock go while it runs (Arrow encoding a Parquet file, writing its bytes) beside work that
does too (the state store's statements). Waited for before the caller goes on, with its error raised first: the
same outcome as the two run one after the other, in the order written. Owns no order of its own and no state."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def meanwhile(work: Callable[[], None] | None) -> Iterator[None]:
    """``work()`` in a thread while the body runs; the body's end waits for it. When ``work`` raised, its error is
    raised (the body's, if any, chained to it): as if ``work`` had run first and failed, the body's effects
    undone by the caller's transaction. None: the body alone."""
    if work is None:
        yield
        return
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, raised there
            failed.append(exc)

    worker = threading.Thread(target=run, name="meanwhile", daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()
        if failed:
            raise failed[0]
