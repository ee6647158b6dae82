"""A run's progress as plain lines, one per stage and partner ("02:00:03 intake acme: 3 files ..."), so
a person or a log file sees where a run is whether or not the output is a terminal. The flow says
what happened (`report`); the command line chooses where the lines go (`to_stderr`); otherwise they
go to the `orderbridge.progress` logger like any log record. Lines name partners (profile ids) and
counts, never a partner-supplied value.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime

LOGGER = logging.getLogger("orderbridge.progress")


def report(stage: str, message: str, *, partner: str = "") -> None:
    LOGGER.info("%s%s: %s", stage, f" {partner}" if partner else "", message)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class _Lines(logging.Handler):
    """Each record as one line on the standard error in use now (a test runner may swap it), with the
    wall-clock time."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"{datetime.now():%H:%M:%S} {self.format(record)}\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - progress must never stop a run
            self.handleError(record)


def to_stderr() -> None:
    """Progress lines to the standard error (the command line's choice); idempotent."""
    if not any(isinstance(h, _Lines) for h in LOGGER.handlers):
        LOGGER.addHandler(_Lines())
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    LOGGER.disabled = False
