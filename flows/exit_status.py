"""What `orderbridge` exits with: one meaning per number, the same for every command. The README's
"Exit status" table lists these (a test compares the two); flows.cli is the only user.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """The process exit status of every `orderbridge` command."""

    OK = 0
    """Done, and no input had an error finding (`run`, `inspect`, `ack`, `partner check`); the command did
    what it was asked (every other command; `demo`: both nights ran, their sample files are broken on purpose)."""

    INPUT_ERRORS = 1
    """Done, and some input had error findings (`run`: open errors in the failures report, each answered
    with its 997/TA1/855 and consequence; `inspect`, `ack`: the file has errors; `partner check`: the
    partner's setup has things to fix; `inventory load`: the export has a bad row or column, or a warehouse
    neither loaded before nor a warehouse profile's, beside such ones, nothing loaded; a layout of ours that does
    not load is USAGE). Not a failure of OrderBridge."""

    USAGE = 2
    """Nothing done: the command was used wrongly (unknown option, a workspace, file, run, PO or partner
    that does not exist, a workspace not set up to run (docs/onboarding.md), an order not waiting for
    a person, an `inventory load` layout - our configuration - that does not exist or does not load)."""

    INCOMPLETE = 3
    """Not done: some orders of an `approve`/`reject`/`recheck` of several were skipped (each named with why), the
    others recorded; a stage, a partner or a warehouse of the run failed (e.g. its SFTP server is down, or a
    partner's profile does not load - its files wait in its drop, and confirmations naming its POs in
    the warehouse's inbox, until it is fixed: the others went on; the summary and the failures report
    say which;
    what was done is kept and the next run goes on from there), or an unexpected error stopped the
    command (the message says why; a bug: please report it)."""

    WORKSPACE_UNUSABLE = 4
    """Nothing done: the workspace cannot be used (its state store is read-only, on a full disk,
    damaged or not a database, or missing or empty while the workspace has history - restore a backup
    or `orderbridge state rebuild`, docs/state-store.md, Recovery -; its lease file cannot be written;
    a drop folder cannot be written; no partner profile loads - one that does not among others is its
    partner's failure, INCOMPLETE). Nothing is retried: fix the
    cause, or restore the state store from a backup, and run again."""

    BUSY = 5
    """Nothing done: another OrderBridge process holds the workspace (a run, a state rebuild or restore,
    a person's approve/reject/recheck, from the command line or the console; the message says which).
    Try again when it has finished, or pass `--wait SECONDS` to wait for it."""


def for_run(summary: dict) -> ExitStatus:
    """A run's status from its summary (nightly or shipments): INCOMPLETE when a stage, partner or
    warehouse failed, else INPUT_ERRORS when an error finding is still open, else OK."""
    rows = [*summary.get("partners", []), *summary.get("warehouses", [])]
    if summary.get("failure") or any(p.get("failure") for p in rows):
        return ExitStatus.INCOMPLETE
    if any(p.get("errors", 0) for p in rows):
        return ExitStatus.INPUT_ERRORS
    return ExitStatus.OK
