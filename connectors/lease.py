"""Leases: one holder at a time may write a workspace (a nightly run, a state rebuild or restore, a
person's approve/reject/recheck), or - when partners are sharded across workers - work on one partner
(`partner:<id>`). A lease is a row of the state store's `leases` table (name, holder, command, host,
pid, run, acquired, renewed, expires in UTC, released): taken, renewed and released by one conditional
statement each, so processes on several machines sharing a PostgreSQL store agree on who holds what.
A lease whose time ran out is taken over (and says so); so is one whose holder on this machine is gone.

The workspace lease keeps a local fast path, `<workspace>/workspace.lock`: an exclusive flock held as
long as the lease (the kernel drops it when the holder dies, SIGKILL included), holding the same record
as JSON. While a SQLite store does not exist yet (a new workspace, a store to rebuild or restore) or
cannot be opened, the flock and its record alone are the lease. On PostgreSQL a lease keeps one store
connection for its life (Lease._on_store); a SQLite store is opened for each renewal. Callers see
`acquire`, `Lease.renew`, `Lease.release`, `Holder`, `read_holder` and `HolderReader` (read_holder again and
again on one connection). Must not import parsers, rules, engine or flows.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from schemas.errors import LeaseLost, OrderBridgeError, StateError, WorkspaceBusy

LOCK_NAME = "workspace.lock"
WORKSPACE = "workspace"  # the workspace lease's name; a partner's is partner_lease(id)
DEFAULT_TTL = 600.0  # seconds a lease lives without being renewed (the heartbeat renews every third of it)
POLL = 0.2

_held: dict[tuple, Lease] = {}  # _key(workspace, name) -> this process's lease (re-entrant: _key)
_guard = threading.Lock()


def partner_lease(partner_id: str) -> str:
    """The name of a partner's lease (sharded intake and delivery: flows.partner_stage)."""
    return f"partner:{partner_id}"


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds (or last held) a lease, as recorded. Times are wall clock, UTC (ISO 8601)."""

    holder_id: str
    command: str
    pid: int
    host: str
    acquired_at: str
    renewed_at: str
    expires_at: str
    released: bool = False
    note: str = ""  # what the holder is doing (a run id), for the busy message
    name: str = WORKSPACE
    run_id: str = ""

    def describe(self) -> str:
        what = f"`orderbridge {self.command}`" + (f" ({self.note})" if self.note else "")
        return (f"{what}, process {self.pid} on {self.host}, since {self.acquired_at} "
                f"(last renewed {self.renewed_at}, expires {self.expires_at})")

    def expired(self, now: datetime) -> bool:
        return self.expires() < now

    def expires(self) -> datetime:
        """The expiry as an aware time (a record written before leases were in UTC is local time)."""
        try:
            at = datetime.fromisoformat(self.expires_at)
        except ValueError:
            return datetime.min.replace(tzinfo=UTC)
        return at if at.tzinfo else at.astimezone(UTC)

    def row(self) -> dict:
        return {"name": self.name, "holder_id": self.holder_id, "command": self.command, "host": self.host,
                "pid": self.pid, "run_id": self.run_id, "note": self.note, "acquired_at": self.acquired_at,
                "renewed_at": self.renewed_at, "expires_at": self.expires_at, "released": self.released}

    @classmethod
    def from_row(cls, row: dict) -> Holder:
        return cls(row["holder_id"], row["command"], int(row["pid"]), row["host"], row["acquired_at"],
                   row["renewed_at"], row["expires_at"], bool(row["released"]), row["note"], row["name"],
                   row["run_id"])


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(at: datetime) -> str:
    """One fixed width (microseconds, +00:00): text order is time order, in Python and in SQL."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _what(name: str) -> str:
    return "this workspace" if name == WORKSPACE else name.replace(":", " ", 1)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


# --- where the lease lives ----------------------------------------------------------------------------
def _target(workspace: Path, state: str | None) -> str:
    if state is not None:
        return str(state)
    from connectors.state_files import state_target

    return state_target(workspace)


def _open_store(target: str, name: str):
    """The state store holding the lease, or None when the workspace lease has no store to live in: a
    SQLite file that does not exist or is empty (nothing is created), or one that cannot be opened
    (the command's own checks report that; rebuild and restore must still be able to run). A partner's
    lease always lives in the store (created if need be, as the stages would)."""
    from connectors.state import StateStore, is_url

    if is_url(target) or name != WORKSPACE:
        return StateStore(target)
    p = Path(target)
    if not p.is_file() or p.stat().st_size == 0:
        return None
    try:
        return StateStore(target)
    except StateError:
        return None


def _keeps_store(target: str) -> bool:
    """Whether a lease keeps its store connection for its life: on PostgreSQL (Lease._on_store)."""
    from connectors.state import is_url

    return is_url(target)


def _read(fd: int) -> Holder | None:
    try:
        raw = os.pread(fd, 65536, 0)
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
        return Holder(**data) if data else None
    except (OSError, ValueError, TypeError):
        return None  # an unreadable record is no holder: the flock alone decides


def _file_record(workspace: Path) -> Holder | None:
    try:
        fd = os.open(workspace / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return None
    try:
        return _read(fd)
    finally:
        os.close(fd)


def read_holder(workspace: Path | str, name: str = WORKSPACE, *, state: str | None = None) -> Holder | None:
    """Who holds (or last held) the lease ``name``, without taking anything: the store's row (a SQLite
    file is read without being created or migrated), else the workspace's lock file record."""
    from connectors.state import StateStore, is_url

    root = Path(workspace)
    target = _target(root, state)
    if is_url(target):
        store = StateStore(target)
        try:
            row = store.lease(name)
        finally:
            store.close()
        if row is not None:
            return Holder.from_row(row)
    else:
        from connectors.state import LEASE_COLUMNS
        from connectors.state_files import lease_row

        found = lease_row(target, name)
        if found is not None:
            return Holder.from_row(dict(zip(LEASE_COLUMNS, found, strict=True)))
    return _file_record(root) if name == WORKSPACE else None


class _KeptStore:
    """A store connection kept across calls (PostgreSQL: _keeps_store) by the process that opened it."""

    _store = None
    _store_pid = 0

    def _close_store(self) -> None:
        """Close the kept connection (none in a forked child: its parent's is left alone)."""
        if self._store is None or self._store_pid != os.getpid():
            return
        store, self._store, self._store_pid = self._store, None, 0
        try:
            store.close()
        except Exception:  # noqa: BLE001 - a dropped connection closes as it can
            pass


class HolderReader(_KeptStore):
    """read_holder again and again (a flow run waiting for its night's word looks at the workspace lease
    every few seconds: flows.pool.wait_for_go): on PostgreSQL one store connection kept for all the looks
    (opened by the first; a dropped one closed and the look tried once on a new one, as Lease._on_store
    does) instead of a connect per look - a backend start each, ~14 ms CPU between the server and the
    client (s57, pgcost); on SQLite, or in a forked child, read_holder as it is. ``close`` ends it."""

    def __init__(self, workspace: Path | str, name: str = WORKSPACE, *, state: str | None = None) -> None:
        self._root, self.name, self._state = Path(workspace), name, state
        self._target = _target(self._root, state)
        self._store, self._store_pid = None, 0

    def read(self) -> Holder | None:
        from connectors.state import StateStore

        if not _keeps_store(self._target) or self._store_pid not in (0, os.getpid()):
            return read_holder(self._root, self.name, state=self._state)
        if self._store is not None:
            try:
                return self._holder(self._store.lease(self.name))
            except (OSError, OrderBridgeError):
                self.close()  # dropped: a new connection below, once
        store = StateStore(self._target)
        try:
            row = store.lease(self.name)
        except BaseException:
            store.close()
            raise
        self._store, self._store_pid = store, os.getpid()
        return self._holder(row)

    def _holder(self, row: dict | None) -> Holder | None:
        if row is not None:
            return Holder.from_row(row)
        return _file_record(self._root) if self.name == WORKSPACE else None

    def close(self) -> None:
        """Close the kept connection (none in a forked child: its parent's is left alone)."""
        self._close_store()


# --- the lease ------------------------------------------------------------------------------------------
class Lease(_KeptStore):
    """A held lease. Use ``acquire`` (or ``with acquire(...)``); ``renew`` pushes the expiry (a heartbeat
    thread does it every ttl/3 while held) and raises LeaseLost if another holder took it over;
    ``release`` ends it. ``took_over`` is the stale holder this lease replaced, if any, and
    ``took_over_because`` why: "gone" (its process on this machine died) or "expired"."""

    def __init__(self, workspace: Path, holder: Holder, ttl: float, target: str, fd: int,
                 took_over: Holder | None, because: str, *, store=None) -> None:
        self.workspace, self.ttl, self._target, self._fd = workspace, ttl, target, fd
        # the store connection kept for the lease's life (PostgreSQL: _keeps_store), used under _mutex by the
        # holder's thread and the heartbeat; the process that opened it (a forked child opens its own)
        self._store, self._store_pid = store, (os.getpid() if store is not None else 0)
        self.path = workspace / LOCK_NAME  # the workspace lease's lock file (others have none)
        self.took_over, self.took_over_because = took_over, because
        self.holder = holder
        self.lost: Holder | None = None
        self._released = False
        self._mutex = threading.Lock()  # renewals and the release, one at a time (the heartbeat is a thread)
        if fd >= 0:
            self._write(holder)
        self._depth = 1
        self._key = _key(workspace, holder.name)
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name=f"lease {holder.name}", daemon=True)
        self._beat.start()

    @property
    def name(self) -> str:
        return self.holder.name

    def takeover_message(self) -> str:
        """What a command says when it took the lease over ("" when it took over nothing)."""
        if self.took_over is None:
            return ""
        if self.took_over_because == "expired":
            return (f"took over the lease of {_what(self.name)} from {self.took_over.describe()}: it expired at "
                    f"{self.took_over.expires_at}")
        return (f"took over {'the workspace' if self.name == WORKSPACE else 'the lease of ' + _what(self.name)} "
                f"from a process that is gone: {self.took_over.describe()}")

    def _write(self, holder: Holder) -> None:
        data = (json.dumps(asdict(holder), sort_keys=True) + "\n").encode("utf-8")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        os.fsync(self._fd)

    def renew(self, note: str | None = None, *, run_id: str | None = None) -> None:
        """Push the expiry ttl seconds ahead (and, optionally, say what the holder is doing now).
        LeaseLost when another holder has taken the lease over: the caller must stop."""
        with self._mutex:
            if self._released:
                raise StateError(f"the lease of {_what(self.name)} was released", path=str(self.workspace))
            if self.lost is not None:
                raise self._lost_error()
            now = _now()
            holder = replace(self.holder, renewed_at=_iso(now), expires_at=_iso(now + timedelta(seconds=self.ttl)),
                             note=self.holder.note if note is None else note,
                             run_id=self.holder.run_id if run_id is None else run_id)
            row = holder.row()
            renewed = self._on_store(lambda store: (True, None) if store.renew_lease(row)
                                     else (False, store.lease(self.name)))
            if renewed is not None and not renewed[0]:
                self.lost = Holder.from_row(renewed[1]) if renewed[1] else self.holder
                self._close_store()
                raise self._lost_error()
            if self._fd >= 0:
                self._write(holder)
            self.holder = holder

    def _on_store(self, work):
        """``work(store)`` on the store holding the lease, under _mutex; None when there is none (the
        workspace lease of a missing or empty SQLite store: _open_store). On PostgreSQL the connection is
        kept for the lease's life (opened by acquire, else by the first renew; closed at release): a
        connect is a backend start and, off this machine, round trips. Used again and failing (a
        connection the server or the network dropped), it is closed and ``work`` tried once on a new one,
        so a renew fails only where opening the store anew fails too, as it did with a connection each.
        A SQLite store is opened for each call, as before: restore and rebuild replace its file under a
        held workspace lease, and a connection kept across that would go on renewing the lease in the old
        file (renamed, SQLite writes on into it without a word)."""
        if not _keeps_store(self._target) or self._store_pid not in (0, os.getpid()):
            store = _open_store(self._target, self.name)  # (a forked child never uses its parent's connection)
            if store is None:
                return None
            try:
                return work(store)
            finally:
                store.close()
        if self._store is not None:
            try:
                return work(self._store)
            except (OSError, OrderBridgeError):
                self._close_store()  # dropped: a new connection below, once
        store = _open_store(self._target, self.name)
        try:
            done = work(store)
        except BaseException:
            store.close()
            raise
        self._store, self._store_pid = store, os.getpid()
        return done

    def _lost_error(self) -> LeaseLost:
        return LeaseLost(f"this process lost the lease of {_what(self.name)}: "
                         + (f"{self.lost.describe()} holds it now" if self.lost.holder_id != self.holder.holder_id
                            else "its record is gone") + "; it must stop here", lease=self.name)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.renew()
            except LeaseLost:
                return  # the holder's next renew raises it where it can stop
            except (OSError, OrderBridgeError):
                continue  # the store unreachable for now: the next beat tries again, before the expiry
            except Exception:  # noqa: BLE001 - a heartbeat never kills its process
                continue

    def release(self) -> None:
        with _guard:
            self._depth -= 1
            if self._depth > 0 or self._released:
                return
            self._released = True
            self._stop.set()
            _held.pop(self._key, None)
        with self._mutex:
            try:
                if self.lost is None:
                    self._on_store(lambda store: store.release_lease(self.name, self.holder.holder_id, _iso(_now())))
            except (OSError, OrderBridgeError):
                pass  # unreleased, it expires; the flock below frees this machine's workspace at once
            finally:
                self._close_store()
                if self._fd >= 0:
                    try:
                        self._write(replace(self.holder, released=True, renewed_at=_iso(_now())))
                    except OSError:
                        pass
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                    os.close(self._fd)
                    self._fd = -1

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(workspace: Path | str, command: str, *, wait: float = 0.0, ttl: float = DEFAULT_TTL,
            note: str = "", name: str = WORKSPACE, run_id: str = "", state: str | None = None) -> Lease:
    """Take the lease ``name`` (the workspace's by default; ``partner_lease(id)`` for a partner) for
    ``command``, waiting up to ``wait`` seconds for a live holder; WorkspaceBusy (with the holder) when
    it is still held then. A holder that is gone (its process on this machine died) or whose lease
    expired is stale: the lease is taken over and ``Lease.took_over`` names it. ``state``: the store's
    path or URL (default: where the workspace says, connectors.state_files.state_target). Re-entrant
    within one process (nested calls share the lease)."""
    root = Path(workspace).resolve()
    key = _key(root, name)
    with _guard:
        mine = _held.get(key)
        if mine is not None and not mine._released:
            mine._depth += 1
            return mine
    target = _target(root, state)
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        outcome = _try(root, name, command, ttl, note, run_id, target)
        if isinstance(outcome, Lease):
            with _guard:
                _held[key] = outcome
            return outcome
        if time.monotonic() >= deadline:
            busy = WorkspaceBusy(f"another OrderBridge process holds {_what(name)}: "
                                 + (outcome.describe() if outcome else "(holder record not written yet)"),
                                 workspace=str(root), holder=outcome.holder_id if outcome else "",
                                 **({} if name == WORKSPACE else {"lease": name}))
            busy.record = outcome  # the Holder met (None: its record was not written yet)
            raise busy
        time.sleep(POLL)


def _key(root: Path, name: str) -> tuple:
    """Whose nested acquire shares a held lease: the whole process for the workspace lease (the CLI
    and the flow it runs), one thread for a partner's (two threads of one worker given the same
    partner must not both work on it: the second is refused like another process)."""
    return (str(root), name) if name == WORKSPACE else (str(root), name, threading.get_ident())


def _try(root: Path, name: str, command: str, ttl: float, note: str, run_id: str, target: str) -> Lease | Holder | None:
    """One attempt: the new Lease, or the live holder (None: one whose record is not written yet)."""
    fd, stale, because = -1, None, ""
    if name == WORKSPACE:  # the local fast path: the flock
        fd = _open(root / LOCK_NAME)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            return holder
        if not _same_file(fd, root / LOCK_NAME):  # the file was replaced while we waited: lock the new one
            os.close(fd)
            return _try(root, name, command, ttl, note, run_id, target)
        previous = _read(fd)
        if previous and not previous.released and previous.host != socket.gethostname() \
                and not previous.expired(_now()):
            os.close(fd)  # a live holder on another machine (a shared folder whose locks do not reach us)
            return previous
        if previous and not previous.released:
            stale, because = previous, ("expired" if previous.expired(_now()) else "gone")
    now = _now()
    holder = Holder(uuid.uuid4().hex, command, os.getpid(), socket.gethostname(), _iso(now), _iso(now),
                    _iso(now + timedelta(seconds=ttl)), note=note, name=name, run_id=run_id)
    try:
        store = _open_store(target, name)
        kept = None  # on PostgreSQL, the connection the lease keeps (Lease._on_store)
        if store is not None:
            try:
                won, row_stale, row_because = _claim(store, holder, previous=stale if fd >= 0 else None)
                if won and _keeps_store(target):
                    kept, store = store, None
            finally:
                if store is not None:
                    store.close()
            if not won:
                if fd >= 0:
                    os.close(fd)
                return row_stale
            if row_stale is not None:  # else the lock file's stale record (if any) is what was taken over
                stale, because = row_stale, row_because
        try:
            return Lease(root, holder, ttl, target, fd, stale, because, store=kept)
        except BaseException:
            if kept is not None:
                kept.close()
            raise
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise


def _claim(store, holder: Holder, *, previous: Holder | None) -> tuple[bool, Holder | None, str]:
    """Write ``holder`` into the store's row for its lease: where there is none, or over a stale one
    (compare and swap). (won, the stale holder replaced or the live holder met, why it was stale).
    ``previous``: the workspace lock file's record when this process holds the flock (a row of the
    same holder on this machine is then gone: a live holder would hold the flock)."""
    row = holder.row()
    current: Holder | None = None
    for _ in range(10):  # others may be writing the same row: read again and retry
        found = store.lease(holder.name)
        if found is None:
            if store.claim_lease(row, replacing=None):
                return True, None, ""
            continue
        current = Holder.from_row(found)
        because = _stale(current, previous)
        if not because:
            return False, current, ""
        if store.claim_lease(row, replacing=found):
            return True, (None if current.released else current), because
    return False, current, ""


def _stale(h: Holder, previous: Holder | None) -> str:
    """Why a recorded holder no longer holds its lease ("" if it still does): released, expired, or
    "gone" - on this machine, its process died (or, for the workspace lease, it held the flock this
    process now holds)."""
    if h.released:
        return "released"
    if h.expired(_now()):
        return "expired"
    if h.host == socket.gethostname():
        if previous is not None and previous.holder_id == h.holder_id:
            return "gone"  # the kernel dropped its flock: it died
        if h.pid != os.getpid() and not _pid_alive(h.pid):
            return "gone"
    return ""


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(f"the workspace lease file cannot be opened: {exc.strerror or exc}", path=str(path)) from exc


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
