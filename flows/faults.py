"""Injected kill points for the crash-safety harness (tests/test_crash_safety.py, `make crash`): the
one place that reads ORDERBRIDGE_KILL_AT. A run reaching the named point (its Nth time with
``point@N``) kills its own process with SIGKILL, exactly where a power cut or an OOM kill could.

Unset (always, outside the harness) every call is a dictionary lookup and nothing else. Owns no
run logic; the stages only say where they are.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

ENV = "ORDERBRIDGE_KILL_AT"

# Where a nightly run can be killed, in the order a run passes them (docs/state-store.md, Recovery).
POINTS = (
    "run-started",          # the run is recorded (status running); nothing else done
    "after-archive",        # a file is in archive/, not yet checked
    "after-parse",          # a file is checked and planned; its transaction not yet committed
    "after-intake-commit",  # a file's plan, 997/TA1 and intended disposition committed; not yet moved
    "after-intake",         # every partner's intake done
    "after-numbering",      # the decide stage committed: 855/865s numbered and stored, pending
    "after-confirmation-commit",  # a warehouse confirmation's shipments, 856s and disposition committed; not yet moved
    "after-shipping",       # every warehouse's confirmations and the invoicing done: 856/810s stored, pending
    "mid-outbox-write",     # half of an outbox file written to its temporary name
    "after-mailbox-stage",  # a file for the VAN mailbox whole under its hidden name and recorded, not yet renamed
    "after-outbox-write",   # an outbox file in place, not yet marked delivered
    "after-delivery",       # every partner's documents delivered
    "after-reconcile",      # the reconciliation committed (verdicts, exceptions, finance reports); no run report yet
    "mid-reports",          # the report's CSV written, its HTML and summary not yet
    "before-finish",        # the report folder in place, the run not yet marked finished
)

_seen: Counter = Counter()


def _wanted() -> tuple[str, int] | None:
    spec = os.environ.get(ENV, "")
    if not spec:
        return None
    point, _, nth = spec.partition("@")
    if point not in POINTS:
        raise ValueError(f"{ENV}={spec!r}: unknown kill point; choose from {', '.join(POINTS)}")
    return point, int(nth or 1)


def armed() -> bool:
    """Whether the harness named a kill point at all: a caller with a hook per file (the outbox writes)
    leaves its hooks out when not, instead of reading the environment twice per file."""
    return bool(os.environ.get(ENV))


def reached(point: str) -> None:
    """The run is at ``point``: die here (SIGKILL) when the harness asked for this point (and count)."""
    if point not in POINTS:
        raise ValueError(f"unknown kill point {point!r}")
    wanted = _wanted()
    if wanted is None or wanted[0] != point:
        return
    _seen[point] += 1
    if _seen[point] == wanted[1]:
        os.kill(os.getpid(), signal.SIGKILL)


def writing(folder: Path | None, temp_name: str, data: bytes) -> None:
    """Called before each outbox write. At the harness's "mid-outbox-write" (its Nth write), leave
    what a kill in the middle of writing leaves, half the bytes under the writer's temporary name in
    ``folder`` (a local drop's outbox; None for a remote drop), and die."""
    wanted = _wanted()
    if wanted is None or wanted[0] != "mid-outbox-write":
        return
    _seen["mid-outbox-write"] += 1
    if _seen["mid-outbox-write"] != wanted[1]:
        return
    if folder is not None:
        with open(folder / temp_name, "wb") as fh:
            fh.write(data[: len(data) // 2])
            fh.flush()
            os.fsync(fh.fileno())
    os.kill(os.getpid(), signal.SIGKILL)
