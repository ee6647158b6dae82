"""What keeps a workspace's memory from being lost quietly: a workspace with history and no state store
(or an empty one) refuses to run; runs a killed process left "running" are closed as crashed when the
next one starts (its report covers their work, and removes their half-written report folders);
backups of the store (SQLite's online backup API) with the order tables, and restoring one.

Rebuilding a store from the workspace's files is flows.rebuild. Nothing here decides about an order.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from connectors import state_files
from connectors.state import StateStore
from flows.workspace import Workspace
from schemas.errors import StateError, StateMissing

PARTIAL = ".partial-"  # a report folder being written: reports/.partial-<run id>, renamed when complete
DROP_FOLDERS = ("archive", "processed", "quarantine", "outbox")


def staging_dir(ws: Workspace, run_id: str) -> Path:
    """Where a run writes its report folder (GX Data Docs first, the rest at the end): a hidden name,
    renamed to reports/<run id> when the report is complete, so a killed run's folder is never taken
    for a finished one."""
    return ws.reports_dir / f"{PARTIAL}{run_id}"


def report_folder(ws: Workspace, run_id: str) -> Path:
    """Where a run's report files go now (GX's results, the finance reports, the run's reports):
    reports/<run id> when it is there (a finished report written again), else staging_dir."""
    folder = ws.reports_dir / run_id
    return folder if folder.is_dir() else staging_dir(ws, run_id)


def history(ws: Workspace) -> dict[str, int]:
    """What the workspace holds that only a run could have made, by kind (kinds with none left out):
    files in the drops' archive/, processed/, quarantine/ and outbox/, finished report folders, stored
    order tables."""
    counts: dict[str, int] = {}
    if ws.drop_root.is_dir():
        for partner in sorted(p for p in ws.drop_root.iterdir() if p.is_dir()):
            for folder in DROP_FOLDERS:
                n = _count(partner / folder, lambda p: p.is_file() and not p.name.startswith("."))
                if n:
                    counts[folder] = counts.get(folder, 0) + n
    reports = _count(ws.reports_dir, lambda p: p.is_dir() and not p.name.startswith("."))
    if reports:
        counts["reports"] = reports
    tables = sum(1 for _ in ws.orders_dir.rglob("*.parquet")) if ws.orders_dir.is_dir() else 0
    if tables:
        counts["order tables"] = tables
    return counts


def no_store(ws: Workspace, named: str) -> tuple[str, int]:
    """What a command that reads the state store says when the workspace ``named`` (as the person typed it) has
    none, and its exit status: a new workspace is run first (USAGE); one with history lost its store (its
    backup or a rebuild puts it back: WORKSPACE_UNUSABLE), where "run the flow first" would reuse its numbers."""
    from flows.exit_status import ExitStatus

    held = history(ws)
    if not held:
        return f"no state store in {named} (run the flow first)", ExitStatus.USAGE
    what = ", ".join(f"{n} {kind}" for kind, n in held.items())
    return (f"no state store in {named}, but this workspace has history ({what}): restore a backup (orderbridge "
            f"state restore FILE -w {named}) or rebuild it from the workspace's files (orderbridge state rebuild -w "
            f"{named}); see docs/state-store.md, Recovery"), ExitStatus.WORKSPACE_UNUSABLE


def _count(folder: Path, keep) -> int:
    try:
        return sum(1 for p in folder.iterdir() if keep(p))
    except OSError:
        return 0


def store_contents(ws: Workspace) -> str:
    """"missing", "empty" or "history" (connectors.state_files): a SQLite file read without creating or
    migrating it; a PostgreSQL store (workspace.toml [state] url) opened - created empty when it is
    not there - and asked."""
    if not ws.state_on_postgres:
        return state_files.contents(ws.state_path)
    store = StateStore(ws.state_url)
    try:
        return "history" if store.holds_history() else "empty"
    finally:
        store.close()


def _where(ws: Workspace) -> str:
    return "the PostgreSQL state store of workspace.toml" if ws.state_on_postgres else str(ws.state_path)


def _sqlite_only(ws: Workspace, what: str) -> None:
    if ws.state_on_postgres:
        raise StateError(f"{what} copies a SQLite state store; this workspace's store is on PostgreSQL: use pg_dump "
                         "and pg_restore (docs/state-store.md, On PostgreSQL)", path=_where(ws))


def require_state(ws: Workspace) -> None:
    """StateMissing when the workspace has history and its state store is missing or empty: a run
    would start the control numbers again at 1, answer old files again and overwrite what was sent.
    A new workspace (no history) gets a new store."""
    found = store_contents(ws)
    if found == "history":
        return
    held = history(ws)
    if not held:
        return
    what = ", ".join(f"{n} {kind}" for kind, n in held.items())
    raise StateMissing(f"the state store {_where(ws)} is {found}, but this workspace has history ({what}); "
                       "running now would reuse control numbers and answer old files again. Restore a backup "
                       f"(orderbridge state restore FILE -w {ws.root}) or rebuild the store from the workspace's "
                       f"files (orderbridge state rebuild -w {ws.root}); see docs/state-store.md, Recovery",
                       path=_where(ws))


def close_crashed_runs(ws: Workspace, state: StateStore, *, at: str) -> list[str]:
    """Runs left "running" (the caller holds the workspace lease, so their process is gone) become
    ``crashed``. The store keeps their findings and the next run completes their work: it resumes one
    with its own clock under its id, and its report covers them (flows.reports.run_scope), then removes
    their half-written report folders (kept until then: GX's results in them are reported). Their ids,
    oldest first."""
    return state.close_crashed_runs(at)


# --- backups -----------------------------------------------------------------------------------------
def _kept_files(ws: Workspace) -> list[Path]:
    """The folders of the workspace's memory kept as files beside the store, each under its own name in a backup:
    the order tables (state/orders) and the partners' remittances (state/remittance: flows.handoff, the 820s' and
    812s' rows the reconciliation and `status` read; no store table holds them)."""
    from flows.handoff import remittance_dir

    return [ws.orders_dir, remittance_dir(ws.root)]


def _not_partial(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """A file being written (.<name>.tmp, renamed into place when whole) is not backed up."""
    return None if Path(info.name).name.startswith(".") else info


def backup(ws: Workspace, target: Path | None = None, *, now: datetime | None = None) -> Path:
    """A backup of the workspace's memory in one tar file: the state store (online backup: runs may
    go on), the order tables it refers to (state/orders, copied after the store, so every table
    the copy names is in it) and the partners' remittances (state/remittance). Default:
    <workspace>/backups/state-<time>.tar."""
    _sqlite_only(ws, "orderbridge state backup")
    if state_files.contents(ws.state_path) == "missing":
        raise StateError("there is no state store to back up", path=str(ws.state_path))
    stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M%S")
    target = Path(target) if target else ws.root / "backups" / f"state-{stamp}.tar"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        copy = Path(tmp) / ws.state_path.name
        store = StateStore(ws.state_url)
        try:
            store.backup_to(copy)
        finally:
            store.close()
        with tarfile.open(partial, "w") as tar:
            tar.add(copy, arcname=ws.state_path.name)
            for folder in _kept_files(ws):
                if folder.is_dir():
                    tar.add(folder, arcname=folder.name, filter=_not_partial)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
    os.replace(partial, target)
    return target


def restore(ws: Workspace, source: Path, *, replace: bool = False) -> None:
    """Put a backup (``backup``'s tar file) in place as the workspace's state store, order tables and remittances.
    Refuses to replace a store that holds history unless ``replace`` (the old one is kept beside it
    as orderbridge.sqlite.replaced-<time>). Bring it up to date with the workspace afterwards
    (flows.rebuild.catch_up): files, documents and control numbers newer than the backup."""
    _sqlite_only(ws, "orderbridge state restore")
    if state_files.contents(ws.state_path) == "history" and not replace:
        raise StateError("the workspace has a state store with history; pass --replace to put the backup in its "
                         "place (the current one is kept beside it)", path=str(ws.state_path))
    with tarfile.open(source) as tar:
        names = tar.getnames()
        if ws.state_path.name not in names:
            raise StateError("not an OrderBridge state backup (no state store inside)", path=str(source))
        with tempfile.TemporaryDirectory(dir=ws.state_path.parent) as tmp:
            tar.extractall(tmp, filter="data")
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
            replaced = state_files.write_version_of(ws.state_path)  # the restored store's version goes past it
            for suffix in ("", "-wal", "-shm"):
                old = ws.state_path.with_name(ws.state_path.name + suffix)
                if old.exists():
                    old.rename(old.with_name(f"{old.name}.replaced-{stamp}"))
            at = datetime.now(UTC).isoformat(timespec="microseconds")
            state_files.release_leases(Path(tmp) / ws.state_path.name, at)  # the backup's holders hold nothing here
            os.replace(Path(tmp) / ws.state_path.name, ws.state_path)
            for folder in _kept_files(ws):  # each file the workspace lacks (one it has is the same, or newer)
                restored = Path(tmp) / folder.name
                if restored.is_dir():
                    for f in sorted(restored.rglob("*")):
                        if f.is_file():
                            dest = folder / f.relative_to(restored)
                            if not dest.exists():
                                dest.parent.mkdir(parents=True, exist_ok=True)
                                shutil.copy2(f, dest)
    store = StateStore(ws.state_url)  # opens (and migrates) the restored store: it must be usable
    try:  # its write version past the replaced store's: nothing kept for that one is taken for this one
        store.raise_write_version(replaced)
    finally:
        store.close()
