"""The one exception tree of OrderBridge: "this run or this file cannot go on".

Problems found *in input* are findings (schemas.findings), never exceptions.

    OrderBridgeError
    ├── TransientError          retry may help (timeouts, resets, refused connections, locked DB)
    │   ├── ConnectorUnavailable
    │   ├── FileNotReady        a listed file changed or vanished before it was read (an upload still
    │   │                       going on, a partner's clean-up): left for the next listing
    │   └── WorkspaceBusy       another OrderBridge process holds the workspace (a run, a person's action)
    └── TerminalError           retrying will not help
        ├── ConfigError         bad partner profile / workspace
        ├── SnapshotError       missing, corrupt or wrongly typed inventory snapshot
        ├── StateError          the state store refuses an operation (e.g. a number reused) or cannot be
        │   │                   used (read-only, full disk, damaged)
        │   ├── StateMissing    a workspace with history has no state store, or an empty one
        │   └── LeaseLost       a lease's holder found another holder in its place: it must stop
        ├── StorageError        a workspace folder cannot be written (read-only, full disk)
        ├── DocumentError       a document we build fails its own checks (856 self-check, 810 limits)
        ├── ActionRefused       a person's action on a finance exception is not allowed in its state
        ├── RequestRefused      a person's request on a file or document cannot be done (retake, resend):
        │                       nothing was done; the message says why and what to do instead
        └── SecurityError       host key refused, authentication failed, permission denied
"""

from __future__ import annotations


class OrderBridgeError(Exception):
    """Root of every error OrderBridge raises on purpose."""

    transient: bool = False

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        if not self.context:
            return self.message
        extra = ", ".join(f"{k}={v!r}" for k, v in sorted(self.context.items()))
        return f"{self.message} ({extra})"


class TransientError(OrderBridgeError):
    transient = True


class TerminalError(OrderBridgeError):
    transient = False


class ConnectorUnavailable(TransientError):
    """A drop (local folder, SFTP server) could not be reached right now."""


class FileNotReady(TransientError):
    """A listed file changed (grew, shrank, was replaced) or vanished before or while it was read: an
    upload still being written or a partner's clean-up. The connection is fine; the file is left where
    it is for the next listing to decide, and the other files go on."""


class WorkspaceBusy(TransientError):
    """Another OrderBridge process holds the workspace lease (connectors.lease): a run, a rebuild or a
    person's approve/reject/recheck. Waiting helps; `holder` says who."""


class ConfigError(TerminalError):
    """A partner profile or workspace setting is invalid."""


class SnapshotError(TerminalError):
    """An inventory snapshot is missing, corrupt or has the wrong types."""


class StateError(TerminalError):
    """The state store refused an operation."""


class LeaseLost(StateError):
    """A lease (connectors.lease) this process held was taken over by another holder (it expired while
    this one could not renew it: paused, cut off from the store): whatever it was doing must stop now,
    since the other holder may be doing the same work."""


class StorageError(TerminalError):
    """A workspace folder (a local drop, the archive) cannot be written: read-only or full."""


class StateMissing(StateError):
    """The workspace has history (archive, processed, outbox, reports) but its state store is missing
    or empty: running would restart control numbers and answer old files again. Restore a backup or
    rebuild it (`orderbridge state rebuild`)."""


class DocumentError(TerminalError):
    """A document we were asked to build would be wrong: its self-check failed (856 HL tree, counts,
    quantities) or it would break a rule (invoicing more than shipped, a line twice). Never sent."""
class ActionRefused(TerminalError):
    """A person's action on a reconciliation exception is not allowed in the exception's state
    (engine.exception_states), or lacks who did it or why."""


class RequestRefused(TerminalError):
    """A person's request to take a file again (flows.retake) or send a document again (flows.resend) cannot be
    done: nothing was done; ``message`` says why and what to do instead."""


class SecurityError(TerminalError):
    """Host key refused, authentication failed or permission denied."""


def is_transient(exc: BaseException) -> bool:
    """Retry predicate: only our transient errors are retried."""
    return isinstance(exc, OrderBridgeError) and exc.transient
